import { Runtime } from '@temporalio/worker';
import type pino from 'pino';
import { temporalLogger } from './temporal-logger';
import { WorkflowTaskFailures } from './workflow-task-failures';

/**
 * The process's one Temporal runtime: its logs, the SDK core's included, as pino JSON lines; its
 * Prometheus metrics on `metricsAddress`; failed workflow tasks reported with their deal (connect
 * the returned reporter to a client to name the deal).
 */
export function installWorkerRuntime(options: {
  logger: pino.Logger;
  metricsAddress: string;
  shutdownSignals: NodeJS.Signals[];
}): WorkflowTaskFailures {
  // The reporter counts through the runtime's meter, which exists only once the runtime does.
  const reporter: { failures?: WorkflowTaskFailures } = {};
  Runtime.install({
    logger: temporalLogger(options.logger, (message, meta) => reporter.failures?.observe(message, meta)),
    telemetryOptions: {
      // Core's warnings (a failing workflow task among them) reach pino instead of raw stderr.
      logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
      metrics: { prometheus: { bindAddress: options.metricsAddress } },
    },
    shutdownSignals: options.shutdownSignals,
  });
  reporter.failures = new WorkflowTaskFailures(options.logger, Runtime.instance().metricMeter);
  return reporter.failures;
}
