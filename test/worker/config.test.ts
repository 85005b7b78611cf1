import { ConfigError, parseWorkerConfig } from '../../worker/config';
import { WEBHOOK_SECRET } from '../helpers/deal-harness';

test('defaults: the embedded dev server, task queue sales-sop, alerts recorded only', () => {
  expect(parseWorkerConfig({})).toMatchObject({
    temporalAddress: '127.0.0.1:7233',
    namespace: 'default',
    taskQueue: 'sales-sop',
    webhook: null,
    metricsAddress: '127.0.0.1:9464',
    logLevel: 'info',
  });
});

test('reads every variable, LOG_LEVEL in any case', () => {
  const config = parseWorkerConfig({
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'sales',
    TASK_QUEUE: 'q',
    ALERT_WEBHOOK_URL: 'https://alerts.example/hook',
    ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
    WORKER_METRICS_PORT: '9500',
    HOST: '0.0.0.0',
    LOG_LEVEL: 'WARN',
  });
  expect(config).toMatchObject({
    temporalAddress: 'temporal:7233',
    namespace: 'sales',
    taskQueue: 'q',
    metricsAddress: '0.0.0.0:9500',
    logLevel: 'warn',
  });
  expect(config.webhook?.url).toBe('https://alerts.example/hook');
});

test('every bad variable is named at once', () => {
  let error: unknown;
  try {
    parseWorkerConfig({ TEMPORAL_ADDRESS: 'no-port', ALERT_WEBHOOK_URL: 'ftp://x', WORKER_METRICS_PORT: '70000', LOG_LEVEL: 'loud' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
  expect(variables).toEqual(['ALERT_WEBHOOK_SECRET', 'ALERT_WEBHOOK_URL', 'LOG_LEVEL', 'TEMPORAL_ADDRESS', 'WORKER_METRICS_PORT']);
  expect((error as ConfigError).message).toMatch(/ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set/);
});

test('a malformed secret is bad configuration', () => {
  expect(() => parseWorkerConfig({ ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/x', ALERT_WEBHOOK_SECRET: 'whsec_short' })).toThrow(
    /ALERT_WEBHOOK_SECRET/,
  );
});
