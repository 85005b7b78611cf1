// `npm run bench [-- --quick]`: our code against a baseline on one embedded Temporal dev server. See bench/README.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cliPath } from '../scripts/temporal-binaries';
import { openActionDeals, runAddedLatency, type ActionSettings } from './actions';
import { runAlertCost, type AlertCostRound, type AlertCostSettings } from './alert-cost';
import { runMigration, type MigrationResult, type MigrationSettings } from './migration';
import { runWhatIf, type WhatIfResult, type WhatIfSettings } from './what-if';
import { plainSop, publish } from './deal-ops';
import { setSettleCap } from './cpu';
import { runLadder, type LadderSettings } from './ladder';
import { cachedWorkflows, runMemory } from './memory';
import { sampleMemory } from './memory-probe';
import { renderTables, renderTopologies, targets, type Results } from './report';
import { startBench, topologyName, type Bench, type Topology } from './setup';
import { runSla, type SlaResult, type SlaSettings } from './sla';

interface Settings {
  readonly mode: 'quick' | 'full' | 'cluster';
  /** Cumulative counts of waiting deals at which the worker's memory is sampled. */
  readonly memorySteps: readonly number[];
  /** How many of those deals then take one action each, before the last sample. */
  readonly memoryActing: number;
  /** The worker's WORKER_MAX_CACHED_WORKFLOWS: room for every deal of the run, so memory per cached deal is measured. */
  readonly cacheSize: number;
  readonly settleCapMs: number;
  readonly ladder: LadderSettings;
  readonly actions: ActionSettings;
  readonly sla: SlaSettings;
  readonly alerts: AlertCostSettings;
  readonly migration: MigrationSettings;
  readonly whatIf: WhatIfSettings;
}

const FULL: Settings = {
  mode: 'full',
  memorySteps: [1_000, 10_000],
  memoryActing: 1_000,
  cacheSize: 12_000,
  settleCapMs: 8_000,
  ladder: { concurrencies: [1, 8, 32, 128], ops: { 1: 40, 8: 150, 32: 300, 128: 500 }, rounds: 3, maxSeconds: 10 },
  actions: { deals: 1_000, peakOps: 1_000, seconds: 6, rounds: 2 },
  sla: {
    runs: [
      { name: 'spread-1k', deals: 1_000, burstShare: 0, burstAt: 0 },
      { name: 'spread-10k', deals: 10_000, burstShare: 0, burstAt: 0 },
      { name: 'burst-10k', deals: 10_000, burstShare: 1, burstAt: 'auto' },
    ],
    spreadFrom: 30,
    spreadTo: 180,
    spreadStep: 5,
    graceSeconds: 60,
    drainCapSeconds: 900,
    openConcurrency: 32,
  },
  alerts: { deals: 500, warnAfterSeconds: 45, rounds: 2, openConcurrency: 16 },
  migration: { deals: 1_000, openConcurrency: 16 },
  whatIf: { deals: 1_000, openConcurrency: 16 },
};

const QUICK: Settings = {
  mode: 'quick',
  memorySteps: [100],
  memoryActing: 50,
  cacheSize: 2_000,
  settleCapMs: 2_000,
  ladder: { concurrencies: [1, 8], ops: { 1: 15, 8: 40 }, rounds: 1, maxSeconds: 2 },
  actions: { deals: 50, peakOps: 100, seconds: 2, rounds: 2 },
  sla: {
    runs: [{ name: 'quick', deals: 100, burstShare: 0.3, burstAt: 15 }],
    spreadFrom: 10,
    spreadTo: 25,
    spreadStep: 3,
    graceSeconds: 10,
    drainCapSeconds: 60,
    openConcurrency: 16,
  },
  alerts: { deals: 50, warnAfterSeconds: 15, rounds: 1, openConcurrency: 8 },
  migration: { deals: 50, openConcurrency: 8 },
  whatIf: { deals: 50, openConcurrency: 8 },
};

/**
 * `--cluster`: the ladder, a 500-deal SLA run and the cost per alert on the dev server and on the
 * cluster topology with 1 and 2 workers, in one run (about 25 minutes on 2 cores).
 */
const CLUSTER: Settings = {
  ...FULL,
  mode: 'cluster',
  ladder: { concurrencies: [8, 32, 128], ops: { 8: 150, 32: 300, 128: 500 }, rounds: 1, maxSeconds: 8 },
  sla: {
    ...FULL.sla,
    runs: [{ name: 'spread-500', deals: 500, burstShare: 0, burstAt: 0 }],
    spreadFrom: 30,
    spreadTo: 90,
    graceSeconds: 30,
    drainCapSeconds: 300,
  },
  alerts: { deals: 300, warnAfterSeconds: 40, rounds: 1, openConcurrency: 16 },
};

function machine() {
  let temporal = 'unknown';
  try {
    temporal = execFileSync(cliPath({ install: false, log: () => undefined }), ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // reported as unknown
  }
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    ramGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    loadAverageAtStart: os.loadavg(),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    temporal,
    temporalSdk: (JSON.parse(readFileSync(require.resolve('@temporalio/client/package.json'), 'utf8')) as { version: string }).version,
  };
}

const PHASES = ['ladder', 'actions', 'memory', 'sla', 'alerts', 'migration', 'what-if'] as const;
type Phase = (typeof PHASES)[number];

/** `--only=memory,sla` runs those phases alone (results in results/partial-<phases>.json); default `all`. */
function phasesToRun(all: readonly Phase[]): Phase[] {
  const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  if (!only) return [...all];
  const asked = only.split(',');
  const unknown = asked.filter((phase) => !PHASES.includes(phase as Phase));
  if (unknown.length > 0) throw new Error(`unknown phase ${unknown.join(', ')}; phases are ${PHASES.join(', ')}`);
  return PHASES.filter((phase) => asked.includes(phase));
}

/** Every asked phase on one topology, each phase of a full run on a fresh environment (see below). */
async function runPhases(
  settings: Settings,
  phases: readonly Phase[],
  topology: Topology,
  log: (line: string) => void,
  onEnvironment: (bench: Bench | null) => void,
): Promise<Results> {
  let current: Bench | null = null;
  // Each phase of a full run on a fresh server, worker and API: a phase is not measured behind the
  // follow-on work of the one before (10k memory deals, 1k deals that took actions), nor in memory
  // it left behind. A quick run's phases are small and share one, to stay under two minutes.
  const reuse = settings.mode === 'quick';
  const inEnvironment = async <T>(work: (bench: Bench) => Promise<T>): Promise<T> => {
    const bench = reuse && current ? current : await startBench(log, { cacheSize: settings.cacheSize, topology });
    if (bench !== current) {
      current = bench;
      onEnvironment(bench);
      await publish(bench, plainSop);
      log(
        `  ${topologyName(bench.topology)} ${bench.temporalAddress} (pid ${bench.pids.server}), worker pids ${[bench.pids.worker, ...bench.pids.moreWorkers].join(', ')}, API ${bench.apiUrl} (pid ${bench.pids.api})`,
      );
    }
    try {
      return await work(bench);
    } finally {
      if (!reuse) await bench.stop();
    }
  };

  const ladder = { steps: [] as Results['ladder'], rounds: [] as Awaited<ReturnType<typeof runLadder>>['rounds'] };
  let actions: Results['actions'] = null;
  let reads: Results['reads'] = null;
  let openRate: number | null = null;
  if (phases.includes('ladder') || phases.includes('actions')) {
    await inEnvironment(async (bench) => {
      if (phases.includes('ladder')) {
        log('1. start ladder');
        Object.assign(ladder, await runLadder(bench, settings.ladder, log));
      }
      if (phases.includes('actions')) {
        log('2. actions and reads');
        const actionDeals = await openActionDeals(bench, settings.actions.deals);
        openRate = actionDeals.startRate;
        log(`  opened ${actionDeals.ids.length} deals at ${actionDeals.startRate.toFixed(0)}/s`);
        actions = await runAddedLatency(bench, 'action', actionDeals.ids, settings.actions, log);
        reads = await runAddedLatency(bench, 'read', actionDeals.ids, settings.actions, log);
      }
    });
  }
  let memory: Results['memory'] = null;
  let memoryAtEnd: Results['memoryAtEnd'] = null;
  if (phases.includes('memory')) {
    log('4. memory');
    await inEnvironment(async (bench) => {
      memory = await runMemory(bench, settings.memorySteps, settings.memoryActing, settings.cacheSize, log);
      const endSample = await sampleMemory(bench.pids.worker, bench.memDir);
      memoryAtEnd = { cached: await cachedWorkflows(bench), rss: endSample.rss, heapUsed: endSample.heapUsed };
    });
  }
  const sla: SlaResult[] = [];
  if (phases.includes('sla')) {
    log('3. SLA lateness');
    for (const slaRun of settings.sla.runs) {
      sla.push(await inEnvironment((bench) => runSla(bench, settings.sla, slaRun, sla.at(-1)?.openRate ?? openRate, log)));
    }
  }
  let alertCost: AlertCostRound[] = [];
  if (phases.includes('alerts')) {
    log('3b. server work per alert');
    alertCost = await inEnvironment((bench) => runAlertCost(bench, settings.alerts, log));
  }
  let migration: MigrationResult | null = null;
  if (phases.includes('migration')) {
    log('3c. migrating open deals');
    migration = await inEnvironment((bench) => runMigration(bench, settings.migration, log));
  }
  let whatIf: WhatIfResult | null = null;
  if (phases.includes('what-if')) {
    log('3d. what-if over recorded deals');
    whatIf = await inEnvironment((bench) => runWhatIf(bench, settings.whatIf, log));
  }
  await (current as Bench | null)?.stop();
  onEnvironment(null);
  return { ladder: ladder.steps, ladderRounds: ladder.rounds, actions, reads, sla, alertCost, migration, whatIf, memory, memoryAtEnd };
}

/** `--sla-runs=spread-1k` keeps only the SLA runs named (full: spread-1k, spread-10k, burst-10k). */
function slaRuns(settings: Settings): Settings {
  const names = process.argv.find((arg) => arg.startsWith('--sla-runs='))?.slice('--sla-runs='.length);
  if (!names) return settings;
  const runs = settings.sla.runs.filter((run) => names.split(',').includes(run.name));
  if (runs.length === 0) throw new Error(`no SLA run named ${names}; runs are ${settings.sla.runs.map((r) => r.name).join(', ')}`);
  return { ...settings, sla: { ...settings.sla, runs } };
}

async function run(): Promise<void> {
  const cluster = process.argv.includes('--cluster');
  const settings = slaRuns(cluster ? CLUSTER : process.argv.includes('--quick') ? QUICK : FULL);
  const phases = phasesToRun(cluster ? ['ladder', 'sla', 'alerts'] : PHASES);
  const topologies: Topology[] = cluster
    ? [{ kind: 'dev' }, { kind: 'cluster', workers: 1 }, { kind: 'cluster', workers: 2 }]
    : [{ kind: 'dev' }];
  const started = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const host = machine();
  log(`bench (${settings.mode}) on ${host.cpu}, ${host.cores} cores, load ${host.loadAverageAtStart.map((l) => l.toFixed(2)).join(' ')}`);
  setSettleCap(settings.settleCapMs);
  let current: Bench | null = null;
  const stop = () => {
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const byTopology: Array<{ topology: Topology; results: Results }> = [];
  for (const topology of topologies) {
    if (cluster) log(`== ${topologyName(topology)}`);
    const results = await runPhases(settings, phases, topology, log, (bench) => (current = bench));
    byTopology.push({ topology, results });
  }
  const tables = cluster
    ? [
        renderTopologies(byTopology),
        ...byTopology.map(({ topology, results }) => `\n## ${topologyName(topology)}\n${renderTables(results)}`),
      ].join('\n')
    : renderTables(byTopology[0].results);
  console.log(`\n${tables}\n`);
  const complete = !cluster && phases.length === PHASES.length;
  // A quick run never overwrites the full run's figures the README quotes.
  const name = cluster
    ? 'cluster-latest.json'
    : settings.mode === 'quick'
      ? 'quick-latest.json'
      : complete
        ? 'latest.json'
        : `partial-${phases.join('-')}.json`;
  const file = path.resolve(__dirname, 'results', name);
  mkdirSync(path.dirname(file), { recursive: true });
  const report = {
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: { ...host, loadAverageAtEnd: os.loadavg() },
    settings,
    phases,
    ...(cluster
      ? { topologies: byTopology.map(({ topology, results }) => ({ topology, targets: targets(results), results })) }
      : { targets: targets(byTopology[0].results), results: byTopology[0].results, ladderRounds: byTopology[0].results.ladderRounds }),
    tables,
  };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
