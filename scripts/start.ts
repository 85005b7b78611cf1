// `npm start`: the whole service on one machine. Without TEMPORAL_ADDRESS it starts the embedded
// Temporal dev server (SQLite in DATA_DIR), then the worker and the API in this process.
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { developmentKeys } from '../api/dev-keys';
import { serveApi } from '../api/serve';
import { ConfigError, hashKey, parseConfig, type ApiKey } from '../config';
import { createDealWorker } from '../worker/create-worker';
import { createLogger } from '../logging/logger';
import { installWorkerRuntime } from '../worker/runtime';
import { visibilityRunOwner } from '../worker/workflow-task-failures';
import { startEmbeddedTemporal, type EmbeddedTemporal } from './embedded-temporal';

async function run(): Promise<void> {
  const config = parseConfig(process.env);
  const logger = createLogger(config.logLevel);
  const stopping = new Promise<string>((resolve) => {
    // `on`, not `once`: Ctrl-C reaches us twice (from the terminal and forwarded by npm / tsx), and a
    // second signal must not kill the process half-way through its orderly stop.
    process.on('SIGINT', () => resolve('SIGINT'));
    process.on('SIGTERM', () => resolve('SIGTERM'));
  });
  const started = Date.now();
  let embedded: EmbeddedTemporal | null = null;
  if (!config.temporalAddress) {
    embedded = await startEmbeddedTemporal({
      dataDir: config.dataDir,
      port: config.embedded.port,
      uiPort: config.embedded.uiPort,
      namespace: config.namespace,
      retention: config.embedded.retention,
      log: (line) => logger.info(line),
    });
  }
  const temporalAddress = embedded?.address ?? (config.temporalAddress as string);
  try {
    // We stop the worker ourselves, in order: API first, then the worker, then the server.
    const failures = installWorkerRuntime({ logger, metricsAddress: config.metricsAddress, shutdownSignals: [] });
    const connection = await NativeConnection.connect({ address: temporalAddress, ...config.temporalConnection });
    const clientConnection = await Connection.connect({ address: temporalAddress, ...config.temporalConnection });
    const client = new Client({ connection: clientConnection, namespace: config.namespace });
    failures.lookUpOwnersWith(visibilityRunOwner(client, config.namespace));
    const worker = await createDealWorker({ connection, client, ...config, bundleCacheDir: config.dataDir });
    const workerRun = worker.run();
    const devKeys = config.apiKeys ? null : developmentKeys(config.dataDir);
    const apiKeys = config.apiKeys ?? (devKeys ?? []).map(hashKey);
    const api = await serveApi({
      config,
      temporalAddress,
      apiKeys,
      logger,
      workerMetrics: () => fetch(`http://${config.metricsAddress}/metrics`).then((response) => response.text()),
    });
    await api.publishSops();
    printBanner(api.url, embedded?.uiUrl ?? null, temporalAddress, devKeys, Date.now() - started);

    logger.info({ signal: await Promise.race([stopping, workerRun.then(() => 'worker stopped')]) }, 'stopping');
    await api.close();
    worker.shutdown();
    await workerRun;
    await clientConnection.close();
    await connection.close();
  } finally {
    await embedded?.stop();
  }
  logger.info('stopped');
}

function printBanner(apiUrl: string, uiUrl: string | null, temporal: string, keys: readonly ApiKey[] | null, ms: number): void {
  const lines = [
    '',
    `Sales SOP orchestrator ready in ${(ms / 1000).toFixed(1)} s`,
    `  Board       ${apiUrl}/  (sign in with an API key below)`,
    `  API         ${apiUrl}/v1  (OpenAPI: ${apiUrl}/v1/openapi.json)`,
    `  Temporal    ${temporal}${uiUrl ? `  (UI: ${uiUrl})` : ''}`,
    ...(keys
      ? [
          '  API_KEYS unset: development keys (kept in DATA_DIR):',
          ...keys.map((k) => `    ${k.role.padEnd(8)} ${k.subject.padEnd(9)} ${k.token}`),
        ]
      : []),
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
