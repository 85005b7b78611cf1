import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, parseConfig, temporalAddressOf } from '../config';
import { createDealWorker } from './create-worker';
import { createLogger } from '../logging/logger';
import { installWorkerRuntime } from './runtime';
import { visibilityRunOwner } from './workflow-task-failures';

/** `npm run worker`: a worker alone, against TEMPORAL_ADDRESS. SIGINT / SIGTERM drain it and exit. */
async function run(): Promise<void> {
  const config = parseConfig(process.env);
  const address = temporalAddressOf(config);
  const logger = createLogger(config.logLevel);
  const failures = installWorkerRuntime({ logger, metricsAddress: config.metricsAddress, shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const connection = await NativeConnection.connect({ address, ...config.temporalConnection });
  const clientConnection = await Connection.connect({ address, ...config.temporalConnection });
  try {
    const client = new Client({ connection: clientConnection, namespace: config.namespace });
    failures.lookUpOwnersWith(visibilityRunOwner(client, config.namespace));
    // Cached in DATA_DIR as `npm start` does: a worker restarted after a crash skips webpack.
    const worker = await createDealWorker({ connection, client, ...config, bundleCacheDir: config.dataDir });
    logger.info(
      {
        temporal: config.temporalAddress,
        namespace: config.namespace,
        taskQueue: config.taskQueue,
        metrics: `http://${config.metricsAddress}/metrics`,
      },
      'worker started',
    );
    await worker.run();
    logger.info('worker stopped');
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

run().catch((error: unknown) => {
  // The one place a worker process reports a fatal error before exiting.
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
