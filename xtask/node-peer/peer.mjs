// Shared set-up of the node-peer checks: the official node-auth0 v4 SDK, unchanged, pointed at
// the served emulator. See README.md for why the `fetch` option is all it takes.
import assert from 'node:assert/strict';
import { AuthenticationClient, ManagementClient } from 'auth0';

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; run the checks with \`cargo xtask node-peer\``);
  }
  return value;
};

export const EMULATOR_URL = required('EMULATOR_URL');
export const AUTH0_DOMAIN = required('AUTH0_DOMAIN');
export const CLIENT_ID = required('CLIENT_ID');
export const CLIENT_SECRET = required('CLIENT_SECRET');

const origin = `https://${AUTH0_DOMAIN}`;

// The SDK builds every URL as `https://${domain}/...` (management and authentication alike) and
// sends it through the `fetch` it is given: this one sends it to the emulator instead, so no
// request ever leaves the loopback interface.
export async function emulatorFetch(input, init) {
  const url = typeof input === 'string' ? input : input.url;
  if (!url.startsWith(origin)) {
    throw new Error(`refusing a request outside the emulator: ${url}`);
  }
  return fetch(EMULATOR_URL + url.slice(origin.length), init);
}

/** A ManagementClient with client credentials: it gets its token from the emulator. */
export function management(options = {}) {
  return new ManagementClient({
    domain: AUTH0_DOMAIN,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    fetch: emulatorFetch,
    retry: { enabled: false },
    ...options,
  });
}

/** An AuthenticationClient for the emulator's /oauth/token. */
export function authentication(options = {}) {
  return new AuthenticationClient({
    domain: AUTH0_DOMAIN,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    fetch: emulatorFetch,
    ...options,
  });
}

/** A password unlikely to collide across checks. */
export const PASSWORD = 'Node-peer-check-1!';

/** Runs named steps in order; the process fails at the first failing one, naming it. */
export async function steps(group, list) {
  for (const [name, run] of list) {
    try {
      await run();
      console.log(`ok   ${group}: ${name}`);
    } catch (error) {
      console.error(`FAIL ${group}: ${name}`);
      console.error(error);
      process.exit(1);
    }
  }
}

/** Awaits `promise` and asserts it rejects with this HTTP status. */
export async function rejectsWith(promise, statusCode) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.statusCode, statusCode, `${error}`);
    return true;
  });
}

export { assert };
