import { ConfigError, parseConfig } from '../config';
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
    { token: 'k1', role: 'ops', subject: 'ops-team' },
    { token: 'k2', role: 'rep', subject: 'alice' },
  ]);
  expect(() => parseConfig({ API_KEYS: 'secret1:ops:alice,secret2:rep,secret3:rep:al ice,secret1:rep:bob,secret5:boss:x' })).toThrow(
    /entry 2 is not token:role:subject.*\n.*entry 3 has subject.*\n.*entry 4 repeats a token.*\n.*entry 5 has role "boss"/s,
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
