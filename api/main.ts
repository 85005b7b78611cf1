import { ConfigError, hashKey, parseConfig, temporalAddressOf } from '../config';
import { createLogger } from '../logging/logger';
import { developmentKeys } from './dev-keys';
import { serveApi } from './serve';

/** `npm run api`: the API alone, against TEMPORAL_ADDRESS (default: the local dev server). */
async function run(): Promise<void> {
  const config = parseConfig(process.env);
  const logger = createLogger(config.logLevel);
  const devKeys = config.apiKeys ? null : developmentKeys(config.dataDir);
  const apiKeys = config.apiKeys ?? (devKeys ?? []).map(hashKey);
  const api = await serveApi({ config, temporalAddress: temporalAddressOf(config), apiKeys, logger });
  await api.publishSops();
  logger.info({ url: api.url }, 'API listening');
  if (devKeys) logger.warn({ keys: devKeys.map((k) => `${k.token}:${k.role}:${k.subject}`) }, 'API_KEYS unset: development keys');
  await new Promise<void>((resolve) => {
    // `on`, not `once`: a second Ctrl-C (forwarded by npm / tsx) must not cut the orderly stop short.
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await api.close();
  logger.info('API stopped');
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
