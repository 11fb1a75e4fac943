// Roles, permissions, organizations and logs of a user, and the tenant set-up they depend on
// (resource servers, roles, organizations), driven by node-auth0 v4 exactly as an application
// would on a real tenant.
import { assert, authentication, management, PASSWORD, rejectsWith, steps } from '../peer.mjs';

const client = management();
const auth = authentication();
const API = 'https://reports.example.com/';
const read = { resource_server_identifier: API, permission_name: 'read:reports' };
const write = { resource_server_identifier: API, permission_name: 'write:reports' };
let rs;
let role;
let user;
let org;

const login = (password) =>
  auth.oauth.passwordGrant({
    username: 'rbac-peer@example.com',
    password,
    realm: 'Username-Password-Authentication',
    scope: 'read:current_user',
  });

await steps('rbac', [
  ['resourceServers.create with scopes', async () => {
    const { data, status } = await client.resourceServers.create({
      identifier: API,
      name: 'Reports',
      scopes: [
        { value: 'read:reports', description: 'Read reports' },
        { value: 'write:reports', description: 'Write reports' },
      ],
    });
    assert.equal(status, 201);
    assert.equal(data.identifier, API);
    rs = data;
    const { data: got } = await client.resourceServers.get({ id: rs.id });
    assert.equal(got.scopes.length, 2);
    const { data: all } = await client.resourceServers.getAll();
    assert.equal(all.length, 1);
  }],
  ['roles.create, get, update, getAll with name_filter', async () => {
    const { data } = await client.roles.create({ name: 'analyst', description: 'Reads reports' });
    assert.match(data.id, /^rol_/);
    role = data;
    await client.roles.update({ id: role.id }, { description: 'Reads all reports' });
    const { data: got } = await client.roles.get({ id: role.id });
    assert.equal(got.description, 'Reads all reports');
    const { data: filtered } = await client.roles.getAll({ name_filter: 'ANAL', include_totals: true });
    assert.equal(filtered.total, 1);
    assert.equal(filtered.roles[0].id, role.id);
  }],
  ['roles.addPermissions, getPermissions', async () => {
    await client.roles.addPermissions({ id: role.id }, { permissions: [read] });
    const { data } = await client.roles.getPermissions({ id: role.id });
    assert.deepEqual(data.map((p) => p.permission_name), ['read:reports']);
  }],
  ['users.create', async () => {
    const { data } = await client.users.create({
      connection: 'Username-Password-Authentication',
      email: 'rbac-peer@example.com',
      password: PASSWORD,
    });
    user = data.user_id;
  }],
  ['users.assignRoles, getRoles in both shapes', async () => {
    await client.users.assignRoles({ id: user }, { roles: [role.id] });
    const { data: bare } = await client.users.getRoles({ id: user });
    assert.deepEqual(bare.map((r) => r.name), ['analyst']);
    const { data: page } = await client.users.getRoles({ id: user, include_totals: true, per_page: 50 });
    assert.deepEqual([page.start, page.limit, page.total], [0, 50, 1]);
  }],
  ['roles.getUsers, assignUsers', async () => {
    const { data } = await client.roles.getUsers({ id: role.id });
    assert.deepEqual(data.map((u) => u.user_id), [user]);
    await client.roles.assignUsers({ id: role.id }, { users: [user] });
  }],
  ['users.assignPermissions, getPermissions with sources', async () => {
    await client.users.assignPermissions({ id: user }, { permissions: [write] });
    const { data } = await client.users.getPermissions({ id: user, include_totals: true });
    assert.equal(data.total, 2);
    const byName = Object.fromEntries(data.permissions.map((p) => [p.permission_name, p]));
    assert.equal(byName['read:reports'].sources[0].source_type, 'ROLE');
    assert.equal(byName['write:reports'].sources[0].source_type, 'DIRECT');
    assert.equal(byName['write:reports'].resource_server_name, 'Reports');
  }],
  ['an undefined permission is a 404', () =>
    rejectsWith(
      client.users.assignPermissions({ id: user }, {
        permissions: [{ resource_server_identifier: API, permission_name: 'delete:reports' }],
      }),
      404,
    )],
  ['users.deletePermissions, deleteRoles', async () => {
    await client.users.deletePermissions({ id: user }, { permissions: [write] });
    await client.users.deleteRoles({ id: user }, { roles: [role.id] });
    const { data: roles } = await client.users.getRoles({ id: user });
    assert.deepEqual(roles, []);
    const { data: perms } = await client.users.getPermissions({ id: user });
    assert.deepEqual(perms, []);
  }],
  ['roles.delete removes the assignment', async () => {
    await client.users.assignRoles({ id: user }, { roles: [role.id] });
    await client.roles.delete({ id: role.id });
    const { data } = await client.users.getRoles({ id: user });
    assert.deepEqual(data, []);
    await rejectsWith(client.roles.get({ id: role.id }), 404);
  }],
  ['organizations.create, getByName, addMembers, getMembers', async () => {
    const { data, status } = await client.organizations.create({ name: 'acme', display_name: 'Acme' });
    assert.equal(status, 201);
    org = data;
    const { data: byName } = await client.organizations.getByName({ name: 'acme' });
    assert.equal(byName.id, org.id);
    await client.organizations.addMembers({ id: org.id }, { members: [user] });
    const { data: members } = await client.organizations.getMembers({ id: org.id });
    assert.deepEqual(members.map((m) => m.user_id), [user]);
  }],
  ['users.getUserOrganizations', async () => {
    const { data } = await client.users.getUserOrganizations({ id: user, include_totals: true });
    assert.equal(data.total, 1);
    assert.equal(data.organizations[0].name, 'acme');
  }],
  ['organizations.deleteMembers, delete', async () => {
    await client.organizations.deleteMembers({ id: org.id }, { members: [user] });
    const { data } = await client.users.getUserOrganizations({ id: user });
    assert.deepEqual(data, []);
    await client.organizations.delete({ id: org.id });
    const { data: all } = await client.organizations.getAll();
    assert.deepEqual(all, []);
  }],
  ['a password login, then users.getLogs newest first', async () => {
    const { data } = await login(PASSWORD);
    assert.ok(data.access_token);
    await rejectsWith(login('wrong password'), 403);
    const { data: logs } = await client.users.getLogs({ id: user });
    assert.deepEqual(logs.slice(0, 3).map((l) => l.type), ['fp', 'sepft', 's']);
    const { data: page } = await client.users.getLogs({ id: user, include_totals: true, per_page: 2, sort: 'date:1' });
    assert.equal(page.logs[0].type, 'ss');
    assert.equal(page.length, 2);
  }],
  ['ten failed logins block the IP; userBlocks lists and deletes it', async () => {
    for (let i = 0; i < 9; i += 1) {
      await rejectsWith(login('wrong password'), 403);
    }
    await rejectsWith(login(PASSWORD), 429);
    const { data } = await client.userBlocks.get({ id: user });
    assert.equal(data.blocked_for.length, 1);
    const { data: logs } = await client.users.getLogs({ id: user, per_page: 3 });
    assert.ok(logs.some((l) => l.type === 'limit_wc'));
    await client.users.update({ id: user }, { blocked: false });
    await rejectsWith(login(PASSWORD), 429);
    await client.userBlocks.delete({ id: user });
    const { status } = await login(PASSWORD);
    assert.equal(status, 200);
  }],
  ['resourceServers.delete, users.delete', async () => {
    await client.resourceServers.delete({ id: rs.id });
    await client.users.delete({ id: user });
    await rejectsWith(client.users.getRoles({ id: user }), 404);
  }],
]);
