// The authentication-methods and MFA operations (12), driven by node-auth0 v4 against the
// served emulator: each method type's lifecycle, masking, a refused PUT, enrollments, recovery
// codes and the 404/409 answers.
import { assert, management, PASSWORD, rejectsWith, steps } from '../peer.mjs';

const client = management();
let id;
let emailId;
let phoneId;

await steps('mfa', [
  ['create a database user', async () => {
    const { data } = await client.users.create({
      connection: 'Username-Password-Authentication',
      email: 'node-peer-mfa@example.com',
      password: PASSWORD,
    });
    id = data.user_id;
  }],
  ['a fresh user has no methods and no enrollments', async () => {
    const { data } = await client.users.getAuthenticationMethods({ id });
    assert.deepEqual(data, []);
    const enrollments = await client.users.getEnrollments({ id });
    assert.deepEqual(enrollments.data, []);
  }],
  ['create an email method: 201, masked', async () => {
    const { data, status } = await client.users.createAuthenticationMethod(
      { id },
      { type: 'email', name: 'Work', email: 'chuck334@example.com' },
    );
    assert.equal(status, 201);
    assert.equal(data.email, 'chuc****@exam*******');
    assert.match(data.id, /^email\|dev_[A-Za-z0-9]{16}$/);
    emailId = data.id;
  }],
  ['the same email again is a 409', () => rejectsWith(
    client.users.createAuthenticationMethod({ id }, { type: 'email', email: 'chuck334@example.com' }),
    409,
  )],
  ['get it: confirmed', async () => {
    const { data } = await client.users.getAuthenticationMethod({ id, authentication_method_id: emailId });
    assert.equal(data.confirmed, true);
  }],
  ['rename it', async () => {
    const { data } = await client.users.updateAuthenticationMethod(
      { id, authentication_method_id: emailId },
      { name: 'Home' },
    );
    assert.equal(data.name, 'Home');
  }],
  ['replace all with an email, a phone and a TOTP method', async () => {
    const { data, status } = await client.users.updateAuthenticationMethods({ id }, [
      { type: 'email', name: 'MyEmail', email: 'foo@example.com' },
      { type: 'phone', name: 'MyPhone', phone_number: '+44207183875044', preferred_authentication_method: 'sms' },
      { type: 'totp', name: 'MyTotp', totp_secret: '5HCWXIP2MJNSUBGYVUZFLRB2HWIGXR4SYJQXNBQ' },
    ]);
    assert.equal(status, 200);
    assert.deepEqual(data.map((m) => m.type), ['email', 'phone', 'totp']);
    assert.equal(data[1].authentication_methods[0].type, 'sms');
    phoneId = data[1].id;
  }],
  ['the list masks the phone number and has totals', async () => {
    const { data } = await client.users.getAuthenticationMethods({ id, include_totals: true, per_page: 50 });
    assert.equal(data.total, 3);
    const phone = data.authenticators.find((m) => m.id === phoneId);
    assert.equal(phone.phone_number, 'XXXXXXXXXXX5044');
  }],
  ['a PUT with a duplicate is refused and changes nothing', async () => {
    await rejectsWith(client.users.updateAuthenticationMethods({ id }, [
      { type: 'totp', totp_secret: 'JBSWY3DPEHPK3PXP' },
      { type: 'totp', totp_secret: 'JBSWY3DPEHPK3PXQ' },
    ]), 409);
    const { data } = await client.users.getAuthenticationMethods({ id });
    assert.equal(data.length, 3);
  }],
  ['enrollments follow the factors', async () => {
    const { data } = await client.users.getEnrollments({ id });
    assert.deepEqual(data.map((e) => e.auth_method).sort(), ['authenticator', 'sms']);
  }],
  ['delete one method, then 404 for it', async () => {
    const { status } = await client.users.deleteAuthenticationMethod({ id, authentication_method_id: phoneId });
    assert.equal(status, 204);
    await rejectsWith(client.users.getAuthenticationMethod({ id, authentication_method_id: phoneId }), 404);
  }],
  ['recovery codes: two regenerations, two codes', async () => {
    const first = await client.users.regenerateRecoveryCode({ id });
    const second = await client.users.regenerateRecoveryCode({ id });
    assert.match(first.data.recovery_code, /^[A-Z0-9]{24}$/);
    assert.notEqual(first.data.recovery_code, second.data.recovery_code);
  }],
  ['invalidate remembered browsers: 204', async () => {
    const { status } = await client.users.invalidateRememberBrowser({ id });
    assert.equal(status, 204);
  }],
  ['delete the google-authenticator provider: 204, TOTP gone', async () => {
    await client.users.deleteMultifactorProvider({ id, provider: 'google-authenticator' });
    const { data } = await client.users.getAuthenticationMethods({ id });
    assert.ok(!data.some((m) => m.type === 'totp'));
  }],
  ['delete all authenticators: no enrollments left', async () => {
    await client.users.createAuthenticationMethod({ id }, { type: 'totp', totp_secret: 'JBSWY3DPEHPK3PXP' });
    const { status } = await client.users.deleteAllAuthenticators({ id });
    assert.equal(status, 204);
    assert.deepEqual((await client.users.getEnrollments({ id })).data, []);
  }],
  ['delete all methods: 204, empty list', async () => {
    await client.users.createAuthenticationMethod({ id }, { type: 'email', email: 'again@example.com' });
    const { status } = await client.users.deleteAuthenticationMethods({ id });
    assert.equal(status, 204);
    assert.deepEqual((await client.users.getAuthenticationMethods({ id })).data, []);
  }],
  ['a missing user is a 404', () => rejectsWith(client.users.getAuthenticationMethods({ id: 'auth0|missing' }), 404)],
]);
