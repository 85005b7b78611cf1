// OIDC / JWT bearer tokens against a local identity provider's JWKS, through the real app on a real
// dev server: the token's signature, iss, aud, exp and nbf are checked; the subject and role come
// from their claims; key rotation needs no restart; a key set that fails later keeps the old keys.
import { createHmac, KeyObject, sign } from 'node:crypto';
import { JwksCache } from '../../api/jwks-cache';
import { SsoVerifier } from '../../api/sso';
import { AUDIENCE, IdentityProvider, ISSUER, signingKey, type SigningKey } from '../helpers/identity-provider';
import { freePort } from '../helpers/ports';
import { dealBody, quickSop, TestService } from '../helpers/service';

let idp: IdentityProvider;
let jwks: JwksCache;
let service: TestService;
let key: SigningKey;
let stranger: SigningKey;
const stale: string[] = [];

beforeAll(async () => {
  [key, stranger] = await Promise.all([signingKey('key-1'), signingKey('key-1')]);
  idp = await IdentityProvider.start([key]);
  jwks = await JwksCache.load(idp.jwksUrl, { onStale: (error) => stale.push(error), cooldownMs: 0 });
  const sso = new SsoVerifier({ jwksUrl: idp.jwksUrl, issuer: ISSUER, audience: AUDIENCE, subjectClaim: 'sub', roleClaim: 'role' }, jwks);
  service = await TestService.start({ sso });
  expect((await service.call('POST', '/v1/sops', { body: quickSop() })).status).toBe(201);
});
afterAll(async () => {
  jwks?.close();
  await service?.stop();
  await idp?.stop();
});

const as = (token: string) => ({ as: null, headers: { authorization: `Bearer ${token}` } });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

test('a token from the identity provider works like an API key: its sub is the caller, its role the role', async () => {
  const token = await idp.token(key, { sub: 'carol', role: 'rep' });
  const created = await service.call('POST', '/v1/deals', { ...as(token), body: dealBody('sso-carol-1') });
  expect(created.status).toBe(201);
  expect(created.body.owner).toBe('carol');
  // A rep: another owner is refused, as for a rep's API key.
  const other = await service.call('POST', '/v1/deals', { ...as(token), body: dealBody('sso-carol-2', { owner: 'alice' }) });
  expect(other.status).toBe(403);
  // And API keys keep working beside tokens.
  expect((await service.call('GET', '/v1/deals/sso-carol-1', { as: 'manager' })).status).toBe(200);
});

test('a role claim may be a list (the most powerful known role counts) or a dotted path', async () => {
  const listed = await idp.token(key, { sub: 'olga', role: ['Everyone', 'viewer', 'ops'] });
  expect((await service.call('POST', '/v1/sops', { ...as(listed), body: quickSop('olga-sop') })).status).toBe(201);
  const keycloak = new SsoVerifier(
    { jwksUrl: idp.jwksUrl, issuer: ISSUER, audience: AUDIENCE, subjectClaim: 'preferred_username', roleClaim: 'realm_access.roles' },
    jwks,
  );
  const nested = await idp.token(key, { sub: 'f81d4fae-7dec', preferred_username: 'olga@corp.test', realm_access: { roles: ['manager'] } });
  await expect(keycloak.verify(nested)).resolves.toEqual({ subject: 'olga@corp.test', role: 'manager' });
});

test.each([
  ['expired', { exp: now() - 3600 }, /expired/],
  ['not valid yet', { nbf: now() + 3600 }, /not valid yet/],
  ['another audience', { aud: 'some-other-api' }, /not meant for this API/],
  ['another issuer', { iss: 'https://evil.test/' }, /not issued by the identity provider/],
  ['no sub', { sub: undefined }, /no "sub" claim/],
  ['a sub that is no subject', { sub: 'auth0|123' }, /not a usable subject/],
  ['no exp', { exp: undefined }, /no "exp" claim/],
])('a token %s is 401 problem+json', async (_name, claims, detail) => {
  const token = await idp.token(key, { sub: 'carol', role: 'rep', ...claims });
  const reply = await service.call('GET', '/v1/deals', as(token));
  expect(reply.status).toBe(401);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(reply.body.detail).toMatch(detail);
});

test('a token signed with the right key id but another key is 401', async () => {
  const forged = await idp.token(stranger, { sub: 'mallory', role: 'admin' });
  const reply = await service.call('GET', '/v1/deals', as(forged));
  expect(reply.status).toBe(401);
  expect(reply.body.detail).toMatch(/signature does not verify/);
});

test('alg "none", HS256 keyed with the public key, and an algorithm the key does not allow are each 401', async () => {
  const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'mallory', role: 'admin', exp: now() + 600 };
  const unsigned = `${b64({ alg: 'none', kid: key.kid })}.${b64(claims)}.`;
  const hsHead = `${b64({ alg: 'HS256', kid: key.kid })}.${b64(claims)}`;
  const hs = `${hsHead}.${createHmac('sha256', JSON.stringify(key.jwk)).update(hsHead).digest('base64url')}`;
  // The JWKS key says alg RS256; the same private key signing RS384 is not allowed.
  const rsHead = `${b64({ alg: 'RS384', kid: key.kid })}.${b64(claims)}`;
  const otherAlg = `${rsHead}.${sign('sha384', Buffer.from(rsHead), KeyObject.from(key.privateKey)).toString('base64url')}`;
  for (const token of [unsigned, hs, otherAlg]) {
    const reply = await service.call('GET', '/v1/deals', as(token));
    expect({ token: token.slice(0, 20), status: reply.status, type: reply.headers.get('content-type') }).toEqual({
      token: token.slice(0, 20),
      status: 401,
      type: expect.stringMatching(/problem\+json/),
    });
  }
});

test('malformed and oversized tokens are 401, never 500', async () => {
  const valid = await idp.token(key, { sub: 'carol', role: 'rep' });
  const tokens = [
    'a.b.c',
    'eyJ.eyJ.',
    `${valid}x`,
    `${b64('not an object')}.${b64({})}.sig`,
    'x'.repeat(9_000),
    `${valid.split('.')[0]}.${'A'.repeat(8_200)}.x`,
  ];
  for (const token of tokens) {
    const reply = await service.call('GET', '/v1/deals', as(token));
    expect({ token: token.slice(0, 16), status: reply.status }).toEqual({ token: token.slice(0, 16), status: 401 });
  }
});

test('a missing or unknown role is 403', async () => {
  for (const role of [undefined, 'superuser', 42, ['sales']]) {
    const token = await idp.token(key, { sub: 'carol', role });
    const reply = await service.call('GET', '/v1/deals', as(token));
    expect(reply.status).toBe(403);
    expect(reply.body.detail).toMatch(/"role" claim names none of the roles/);
  }
});

test('a key the provider rotates in works at once, without a restart', async () => {
  const rotated = await signingKey('key-2', 'ES256');
  const token = await idp.token(rotated, { sub: 'carol', role: 'rep' });
  idp.published = [key, rotated];
  expect((await service.call('GET', '/v1/deals', as(token))).status).toBe(200);
});

test('a key the provider publishes broken is a 401 for the token that names it, not a 500', async () => {
  const broken = { kty: 'RSA', kid: 'broken', alg: 'RS256', use: 'sig', n: 'AQAB', e: 'AQAB' };
  const before = idp.published;
  idp.published = [...before, { ...key, kid: 'broken', jwk: broken }];
  const token = await idp.token({ ...key, kid: 'broken' }, { sub: 'carol', role: 'rep' });
  const reply = await service.call('GET', '/v1/deals', as(token));
  expect(reply.status).toBe(401);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.detail).toBe("The token could not be verified with the identity provider's keys.");
  idp.published = before;
  expect(await jwks.refresh()).toBe(true);
});

test('a key set that fails later keeps the cached keys, and says so in /readyz and the log; it recovers', async () => {
  const token = await idp.token(key, { sub: 'carol', role: 'rep' });
  idp.failWith = 503;
  expect(await jwks.refresh()).toBe(false);
  expect(stale).toEqual(['answered HTTP 503']);
  expect((await service.call('GET', '/v1/deals', as(token))).status).toBe(200);
  const ready = await service.call('GET', '/readyz', { as: null });
  expect(ready.body.sso).toMatchObject({ keys: 2, stale: { error: 'answered HTTP 503', since: expect.any(String) } });
  idp.failWith = null;
  expect(await jwks.refresh()).toBe(true);
  expect((await service.call('GET', '/readyz', { as: null })).body.sso.stale).toBeNull();
});

test('a key set that cannot be loaded at start is a clear error naming AUTH_JWKS_URL', async () => {
  const nowhere = `http://127.0.0.1:${await freePort()}/jwks`;
  await expect(JwksCache.load(nowhere)).rejects.toThrow(
    /^Bad configuration:\n {2}AUTH_JWKS_URL: the identity provider's keys at http:\/\/127\.0\.0\.1:\d+\/jwks could not be loaded: fetch failed: .*ECONNREFUSED/,
  );
  idp.failWith = 404;
  await expect(JwksCache.load(idp.jwksUrl)).rejects.toThrow(/could not be loaded: answered HTTP 404/);
  idp.failWith = null;
});
