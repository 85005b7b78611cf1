import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, parseConfig, tokenSha256 } from '../config';
import { WEBHOOK_SECRET } from './helpers/deal-harness';

test('defaults: the embedded dev server, task queue sales-sop, alerts recorded only', () => {
  expect(parseConfig({})).toMatchObject({
    temporalAddress: null,
    http: { host: '127.0.0.1', port: 3000 },
    embedded: { port: 7233, uiPort: 8233, retention: '90d' },
    dataDir: '.data',
    sopDir: 'sops',
    apiKeys: null,
    namespace: 'default',
    taskQueue: 'sales-sop',
    webhook: null,
    metricsAddress: '127.0.0.1:9464',
    maxCachedWorkflows: 2_000,
    logLevel: 'info',
    sso: null,
    rateLimit: 50,
  });
});

test('reads every variable, LOG_LEVEL in any case', () => {
  const config = parseConfig({
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'sales',
    TASK_QUEUE: 'q',
    ALERT_WEBHOOK_URL: 'https://alerts.example/hook',
    ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    WORKER_METRICS_PORT: '9500',
    WORKER_MAX_CACHED_WORKFLOWS: '12000',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'WARN',
  });
  expect(config).toMatchObject({
    temporalAddress: 'temporal:7233',
    namespace: 'sales',
    taskQueue: 'q',
    metricsAddress: '0.0.0.0:9500',
    maxCachedWorkflows: 12_000,
    logLevel: 'warn',
  });
  expect(config.webhook?.url).toBe('https://alerts.example/hook');
});

test('every bad variable is named at once', () => {
  let error: unknown;
  try {
    parseConfig({
      TEMPORAL_ADDRESS: 'no-port',
      ALERT_WEBHOOK_URL: 'ftp://x',
      WORKER_METRICS_PORT: '70000',
      WORKER_MAX_CACHED_WORKFLOWS: 'lots',
      LOG_LEVEL: 'loud',
    });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
  expect(variables).toEqual([
    'ALERT_WEBHOOK_SECRET',
    'ALERT_WEBHOOK_URL',
    'LOG_LEVEL',
    'TEMPORAL_ADDRESS',
    'WORKER_MAX_CACHED_WORKFLOWS',
    'WORKER_METRICS_PORT',
  ]);
  expect((error as ConfigError).message).toMatch(/ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set/);
});

test('API_KEYS: token:role:subject entries, every bad entry named without its token', () => {
  expect(parseConfig({ API_KEYS: 'k1:ops:ops-team, k2:rep:alice' }).apiKeys).toEqual([
    { sha256: tokenSha256('k1'), role: 'ops', subject: 'ops-team' },
    { sha256: tokenSha256('k2'), role: 'rep', subject: 'alice' },
  ]);
  expect(() => parseConfig({ API_KEYS: 'secret1:ops:alice,secret2:rep,secret3:rep:al ice,secret1:rep:bob,secret5:boss:x' })).toThrow(
    /entry 2 is not token:role:subject.*\n.*entry 3 has subject.*\n.*entry 4 repeats a key.*\n.*entry 5 has role "boss"/s,
  );
  try {
    parseConfig({ API_KEYS: 'secret1:boss:alice' });
  } catch (error) {
    expect((error as Error).message).not.toContain('secret1');
  }
});

test('a malformed secret is bad configuration', () => {
  expect(() => parseConfig({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/x', ALERT_WEBHOOK_SECRET: 'whsec_short' })).toThrow(
    /ALERT_WEBHOOK_SECRET/,
  );
});

describe('API_KEYS_FILE', () => {
  const file = (text: string): string => {
    const name = path.join(mkdtempSync(path.join(tmpdir(), 'keys-')), 'api-keys');
    writeFileSync(name, text);
    return name;
  };
  const digest = tokenSha256('s3cret-token');

  test('sha256:<hex>:role:subject lines (any case of hex), plain lines, comments and blank lines; added to API_KEYS', () => {
    const keys = file(`# ops keys\n\nsha256:${digest.toUpperCase()}:ops:ops-team\r\nplain-token:viewer:victor\n`);
    expect(parseConfig({ API_KEYS_FILE: keys, API_KEYS: 'k1:admin:root' }).apiKeys).toEqual([
      { sha256: tokenSha256('k1'), role: 'admin', subject: 'root' },
      { sha256: digest, role: 'ops', subject: 'ops-team' },
      { sha256: tokenSha256('plain-token'), role: 'viewer', subject: 'victor' },
    ]);
  });

  test('every bad line named by its number and file, never by its token or hash', () => {
    const keys = file(
      [
        `sha256:${digest}:ops:ops-team`,
        'sha256:abc123:ops:x',
        `sha256:${digest}:rep:alice`,
        'tok:boss:x',
        'tok2:rep',
        'tok3:rep:al ice',
      ].join('\n'),
    );
    let message = '';
    try {
      parseConfig({ API_KEYS_FILE: keys });
    } catch (error) {
      message = (error as ConfigError).message;
    }
    expect(message).toMatch(new RegExp(`line 2 of ${keys} has a sha256 that is not 64 hex digits`));
    expect(message).toMatch(/line 3 of .* repeats a key/);
    expect(message).toMatch(/line 4 of .* has role "boss"/);
    expect(message).toMatch(/line 5 of .* is not token:role:subject or sha256:<hex>:role:subject/);
    expect(message).toMatch(/line 6 of .* has subject "al ice"/);
    expect(message).not.toMatch(/tok2|tok3|abc123/);
    expect(message).not.toContain(digest);
  });

  test('a file that cannot be read is bad configuration naming the file', () => {
    expect(() => parseConfig({ API_KEYS_FILE: '/nonexistent/keys' })).toThrow(/API_KEYS_FILE: cannot read "\/nonexistent\/keys"/);
  });

  test('a key repeated between API_KEYS and the file is refused', () => {
    expect(() => parseConfig({ API_KEYS: 's3cret-token:ops:ops-team', API_KEYS_FILE: file(`sha256:${digest}:ops:ops-team`) })).toThrow(
      /line 1 of .* repeats a key/,
    );
  });
});

describe('SSO and RATE_LIMIT', () => {
  const sso = {
    AUTH_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
    AUTH_ISSUER: 'https://idp.example/',
    AUTH_AUDIENCE: 'sales-sop',
  };

  test('the three AUTH_* variables make SSO, with sub and role as the default claims; no development keys then', () => {
    const config = parseConfig(sso);
    expect(config.sso).toEqual({
      jwksUrl: sso.AUTH_JWKS_URL,
      issuer: sso.AUTH_ISSUER,
      audience: sso.AUTH_AUDIENCE,
      subjectClaim: 'sub',
      roleClaim: 'role',
    });
    expect(config.apiKeys).toEqual([]);
    expect(parseConfig({ ...sso, AUTH_SUBJECT_CLAIM: 'email', AUTH_ROLE_CLAIM: 'realm_access.roles' }).sso).toMatchObject({
      subjectClaim: 'email',
      roleClaim: 'realm_access.roles',
    });
  });

  test('one AUTH_* variable without the others names the missing ones', () => {
    expect(() => parseConfig({ AUTH_JWKS_URL: sso.AUTH_JWKS_URL })).toThrow(/AUTH_ISSUER: required with AUTH_JWKS_URL.*\n.*AUTH_AUDIENCE/s);
    expect(() => parseConfig({ ...sso, AUTH_JWKS_URL: 'file:///etc/keys' })).toThrow(/AUTH_JWKS_URL: expected an http\(s\) URL/);
    // Plain http lets anyone on the way swap the keys: only on this machine.
    expect(() => parseConfig({ ...sso, AUTH_JWKS_URL: 'http://idp.example/jwks' })).toThrow(/AUTH_JWKS_URL: expected an https URL/);
    for (const local of ['http://127.0.0.1:8080/jwks', 'http://localhost/jwks', 'http://[::1]:9/jwks']) {
      expect(parseConfig({ ...sso, AUTH_JWKS_URL: local }).sso?.jwksUrl).toBe(local);
    }
  });

  test('RATE_LIMIT is a whole number of requests a second', () => {
    expect(parseConfig({ RATE_LIMIT: '200' }).rateLimit).toBe(200);
    for (const bad of ['0', '-5', '2.5', 'fast']) expect(() => parseConfig({ RATE_LIMIT: bad })).toThrow(/RATE_LIMIT/);
  });
});

describe("the Temporal connection, as Temporal's environment configuration has it", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'envconfig-'));
  const write = (name: string, text: string): string => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const toml = write(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "default.example:7233"',
      '',
      '[profile.cloud]',
      'address = "sales.a1b2c.tmprl.cloud:7233"',
      'namespace = "sales.a1b2c"',
      'api_key = "cloud-key"',
      '',
    ].join('\n'),
  );

  test('a profile from TEMPORAL_CONFIG_FILE chosen by TEMPORAL_PROFILE: address, namespace, API key (TLS on)', () => {
    const config = parseConfig({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'cloud' });
    expect(config.temporalAddress).toBe('sales.a1b2c.tmprl.cloud:7233');
    expect(config.namespace).toBe('sales.a1b2c');
    expect(config.temporalConnection).toEqual({ apiKey: 'cloud-key', tls: true });
    expect(parseConfig({ TEMPORAL_CONFIG_FILE: toml }).temporalAddress).toBe('default.example:7233');
  });

  test('environment variables override the profile', () => {
    const config = parseConfig({
      TEMPORAL_CONFIG_FILE: toml,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_ADDRESS: 'other:7233',
      TEMPORAL_NAMESPACE: 'ns',
    });
    expect([config.temporalAddress, config.namespace]).toEqual(['other:7233', 'ns']);
  });

  test('mTLS files are read at start: the certificates, the key and the CA go into the connection', () => {
    const [cert, key, ca] = [write('client.pem', 'CERT'), write('client.key', 'KEY'), write('ca.pem', 'CA')];
    const config = parseConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const tls = config.temporalConnection.tls as {
      serverNameOverride: string;
      serverRootCACertificate: Buffer;
      clientCertPair: { crt: Buffer; key: Buffer };
    };
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect([tls.serverRootCACertificate, tls.clientCertPair.crt, tls.clientCertPair.key].map(String)).toEqual(['CA', 'CERT', 'KEY']);
  });

  test('a wrong certificate path, half a client pair, an unknown profile or a missing config file: bad configuration naming the variable', () => {
    const failure = (env: Record<string, string>): string => {
      try {
        parseConfig(env);
      } catch (error) {
        return (error as ConfigError).message;
      }
      return 'no error';
    };
    expect(failure({ TEMPORAL_TLS_CLIENT_CERT_PATH: '/nope/client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: '/nope/client.key' })).toMatch(
      /TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read "\/nope\/client.pem": ENOENT\n.*TEMPORAL_TLS_CLIENT_KEY_PATH: cannot read/,
    );
    expect(failure({ TEMPORAL_TLS_CLIENT_CERT_PATH: write('only.pem', 'CERT') })).toMatch(
      /TEMPORAL_TLS_CLIENT_KEY_PATH: a client certificate and its key go together/,
    );
    expect(failure({ TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' })).toMatch(/TEMPORAL_PROFILE: Profile 'staging' not found/);
    expect(failure({ TEMPORAL_CONFIG_FILE: '/nope/temporal.toml' })).toMatch(/TEMPORAL_CONFIG_FILE: cannot read "\/nope\/temporal.toml"/);
    expect(failure({ TEMPORAL_CONFIG_FILE: write('broken.toml', '[profile.default\naddress = 1') })).toMatch(/TEMPORAL_CONFIG_FILE: /);
  });
});
