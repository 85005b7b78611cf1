// `npm run verify-replay [-- --query='…'] [-- --sample=500]`: before rolling out a new worker, replay
// a sample of the histories running on a Temporal server against this checkout's workflow code.
// Exits 1 if any does not replay (the new worker would fail those workflows' tasks), 2 on bad usage
// or configuration. See the README, "Rolling out a new worker".
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ConfigError, parseConfig, temporalAddressOf } from '../config';
import { dealWorkflowBundle } from '../worker/create-worker';
import { verifyReplay } from '../worker/verify-replay';

const DEFAULT_SAMPLE = 500;

class UsageError extends Error {}

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    if (args[i] === `--${name}`) return args[i + 1];
    if (args[i].startsWith(`--${name}=`)) return args[i].slice(name.length + 3);
  }
  return undefined;
}

function usage(): { query: string | undefined; sample: number } {
  const known = /^--(query|sample)(=|$)/;
  const args = process.argv.slice(2);
  const unknown = args.filter((arg, i) => arg.startsWith('--') && !known.test(arg) && !(i > 0 && /^--(query|sample)$/.test(args[i - 1])));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(', ')}; options are --query and --sample`);
  const sampleText = option('sample') ?? String(DEFAULT_SAMPLE);
  const sample = Number(sampleText);
  if (!Number.isInteger(sample) || sample < 1) throw new UsageError(`--sample must be a whole number of at least 1, not "${sampleText}"`);
  const query = option('query');
  if (query !== undefined && query.trim() === '') throw new UsageError('--query must not be empty');
  return { query, sample };
}

const quiet = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: console.warn,
  error: console.error,
};

async function run(): Promise<number> {
  const { query: asked, sample } = usage();
  // The replay worker's own lines (lifecycle, the failing tasks this report names) are noise here.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const config = parseConfig(process.env);
  const address = temporalAddressOf(config);
  // Every workflow this service's workers run, still running (closed ones never run code again).
  const query = asked ?? `TaskQueue = "${config.taskQueue}" AND ExecutionStatus = "Running"`;
  const connection = await Connection.connect({ address, ...config.temporalConnection });
  try {
    const client = new Client({ connection, namespace: config.namespace });
    console.log(`verify-replay: ${address}, namespace ${config.namespace}, query: ${query}`);
    const bundle = await dealWorkflowBundle({ production: config.production, bundleCacheDir: config.dataDir }, quiet);
    const report = await verifyReplay({ client, query, sampleSize: sample, bundle });
    const types = new Map<string, number>();
    for (const run of report.sampled) types.set(run.type, (types.get(run.type) ?? 0) + 1);
    console.log(
      `${report.matched} workflow runs match; replaying ${report.sampled.length}` +
        (types.size > 0 ? ` (${[...types].map(([type, n]) => `${type} ${n}`).join(', ')})` : ''),
    );
    for (const run of report.unread) console.log(`  not read: ${run.workflowId} (run ${run.runId}): ${run.error}`);
    for (const run of report.failed) console.log(`  DOES NOT REPLAY: ${run.workflowId} (run ${run.runId}, ${run.type}): ${run.error}`);
    if (report.failed.length > 0) {
      console.log(
        `${report.replayed - report.failed.length} of ${report.replayed} replayed; ${report.failed.length} did not: ` +
          'do not roll out this code; guard the change with patched() (README, "Rolling out a new worker").',
      );
      return 1;
    }
    console.log(
      report.replayed === 0
        ? 'nothing to replay.'
        : `all ${report.replayed} replayed against this code${report.unread.length > 0 ? ` (${report.unread.length} could not be read)` : ''}.`,
    );
    return 0;
  } finally {
    await connection.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usageProblem = error instanceof UsageError || error instanceof ConfigError;
    process.stderr.write(`verify-replay: ${usageProblem ? error.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(usageProblem ? 2 : 1);
  },
);
