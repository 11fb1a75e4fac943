// A user's sessions, refresh tokens, federated token sets, connected accounts and risk
// assessors, driven by node-auth0 v4 exactly as an application would on a real tenant: a login
// with offline_access yields a refresh token that works until the user's refresh tokens or
// sessions are deleted.
import { assert, authentication, management, PASSWORD, rejectsWith, steps } from '../peer.mjs';

const client = management();
const auth = authentication();
const EMAIL = 'sessions-peer@example.com';
const DB = 'Username-Password-Authentication';
let user;

// No `openid`: no id_token, whose validation would fetch the JWKS outside `fetch` (README).
const login = () =>
  auth.oauth.passwordGrant({ username: EMAIL, password: PASSWORD, realm: DB, scope: 'offline_access' });

const refreshFails = async (refreshToken) => {
  await assert.rejects(auth.oauth.refreshTokenGrant({ refresh_token: refreshToken }), (error) => {
    assert.equal(error.statusCode, 403, `${error}`);
    assert.equal(error.error, 'invalid_grant');
    return true;
  });
};

await steps('sessions', [
  ['create a user', async () => {
    const { data } = await client.users.create({ connection: DB, email: EMAIL, password: PASSWORD });
    user = data.user_id;
  }],
  ['a login with offline_access is listed as a session and a refresh token', async () => {
    const { data: tokens } = await login();
    assert.ok(tokens.refresh_token);
    const { data: sessions, status } = await client.users.getSessions({ user_id: user, take: 10 });
    assert.equal(status, 200);
    assert.equal(sessions.sessions.length, 1);
    const { data: listed } = await client.users.getRefreshTokens({ user_id: user, include_totals: true });
    assert.equal(listed.total, 1);
    assert.equal(listed.tokens[0].session_id, sessions.sessions[0].id);
    const { data: refreshed } = await auth.oauth.refreshTokenGrant({ refresh_token: tokens.refresh_token });
    assert.ok(refreshed.access_token);
  }],
  ['deleteRefreshTokens revokes the refresh token', async () => {
    const { data: tokens } = await login();
    const { status } = await client.users.deleteRefreshTokens({ user_id: user });
    assert.equal(status, 202);
    await refreshFails(tokens.refresh_token);
  }],
  ['deleteSessions ends the sessions and revokes their refresh tokens', async () => {
    const { data: tokens } = await login();
    const { status } = await client.users.deleteSessions({ user_id: user });
    assert.equal(status, 202);
    await refreshFails(tokens.refresh_token);
    const { data } = await client.users.getSessions({ user_id: user });
    assert.deepEqual(data.sessions, []);
  }],
  // A revoked token is gone, so its refused exchange (fertft) names nobody (DIFFERENCES.md).
  ['the revocations and the refresh exchange are in the user\'s log', async () => {
    const { data: events } = await client.users.getLogs({ id: user, sort: 'date:1' });
    const seen = events.map((e) => `${e.type} ${e.description}`);
    for (const expected of [
      'sertft Refresh Token for Access Token',
      'sapi Delete refresh tokens for a user',
      'sapi Delete sessions for user',
    ]) {
      assert.ok(seen.includes(expected), `${expected} not in ${JSON.stringify(seen)}`);
    }
  }],
  ['an API allowing offline access gets refresh tokens, one that does not gets none', async () => {
    const audience = 'https://offline.node-peer.test/';
    const { data: api } = await client.resourceServers.create({ identifier: audience, name: 'Offline' });
    assert.equal(api.allow_offline_access, false);
    const grant = () => auth.oauth.passwordGrant({
      username: EMAIL, password: PASSWORD, realm: DB, scope: 'offline_access', audience,
    });
    assert.equal((await grant()).data.refresh_token, undefined);
    const { data: updated } = await client.resourceServers.update({ id: api.id }, { allow_offline_access: true });
    assert.equal(updated.allow_offline_access, true);
    assert.ok((await grant()).data.refresh_token);
  }],
  ['getAllTokensets and deleteTokenset (204 for a missing id, as recorded)', async () => {
    const { data, status } = await client.users.getAllTokensets({ id: user });
    assert.equal(status, 200);
    assert.deepEqual(data, []);
    const deleted = await client.users.deleteTokenset({ id: user, tokenset_id: 'non-existent-token-set-id' });
    assert.equal(deleted.status, 204);
  }],
  ['getConnectedAccounts', async () => {
    const { data, status } = await client.users.getConnectedAccounts({ id: user, take: 10 });
    assert.equal(status, 200);
    assert.deepEqual(data.connected_accounts, []);
  }],
  ['clearRiskAssessors', async () => {
    const { status } = await client.users.clearRiskAssessors({ id: user }, { connection: DB, assessors: ['new-device'] });
    assert.equal(status, 204);
  }],
  ['clearRiskAssessors with an unknown assessor is a 400', () =>
    rejectsWith(client.users.clearRiskAssessors({ id: user }, { connection: DB, assessors: ['old-device'] }), 400)],
  ['a missing user is a 404', () => rejectsWith(client.users.getSessions({ user_id: 'auth0|nope' }), 404)],
  ['delete the user', async () => {
    await client.users.delete({ id: user });
  }],
]);
