// `npm run api` with SSO configured and the identity provider's keys out of reach: it stops at once
// with one line naming AUTH_JWKS_URL and why, not a stack, before it connects to anything.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/ports';

const ROOT = path.resolve(__dirname, '..', '..');

test('an unreachable JWKS at start is a clear start-up error', async () => {
  const jwks = `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`;
  const run = promisify(execFile)(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'api/main.ts'], {
    cwd: ROOT,
    timeout: 60_000,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: await freePort(),
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      AUTH_JWKS_URL: jwks,
      AUTH_ISSUER: 'https://idp.test/',
      AUTH_AUDIENCE: 'sales-sop-api',
    },
  });
  const failure = await run.then(
    () => null,
    (error: { code?: number; stderr?: string }) => error,
  );
  expect(failure?.code).toBe(1);
  expect(failure?.stderr).toBe(
    `Bad configuration:\n  AUTH_JWKS_URL: the identity provider's keys at ${jwks} could not be loaded: fetch failed: connect ECONNREFUSED 127.0.0.1:${new URL(jwks).port}\n`,
  );
});
