// The users and user-blocks operations the project served first, driven by node-auth0 v4.
import { assert, management, PASSWORD, rejectsWith, steps } from '../peer.mjs';

const client = management();
let id;

await steps('users', [
  ['create a database user', async () => {
    const { data, status } = await client.users.create({
      connection: 'Username-Password-Authentication',
      email: 'node-peer@example.com',
      password: PASSWORD,
    });
    assert.equal(status, 201);
    assert.equal(data.email, 'node-peer@example.com');
    id = data.user_id;
  }],
  ['get it', async () => {
    const { data } = await client.users.get({ id });
    assert.equal(data.user_id, id);
  }],
  ['update its metadata', async () => {
    const { data } = await client.users.update({ id }, { user_metadata: { plan: 'gold' } });
    assert.deepEqual(data.user_metadata, { plan: 'gold' });
  }],
  ['list with totals', async () => {
    const { data } = await client.users.getAll({ include_totals: true });
    assert.ok(data.users.some((u) => u.user_id === id));
  }],
  ['no blocks', async () => {
    const { data } = await client.userBlocks.get({ id });
    assert.deepEqual(data.blocked_for, []);
  }],
  ['delete it, then 404', async () => {
    const { status } = await client.users.delete({ id });
    assert.equal(status, 204);
    await rejectsWith(client.users.get({ id }), 404);
  }],
]);
