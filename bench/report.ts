import type { AddedLatency } from './actions';
import type { AlertCostRound, AlertCostSide } from './alert-cost';
import type { LadderRound, LadderStep } from './ladder';
import type { MemoryResult } from './memory';
import type { MigrationResult, MigrationSide } from './migration';
import type { WhatIfResult } from './what-if';
import type { Lateness, SlaResult } from './sla';
import { median } from './load';
import { topologyName, type Topology } from './setup';

export interface Results {
  readonly ladder: LadderStep[];
  readonly ladderRounds: LadderRound[];
  readonly actions: AddedLatency | null;
  readonly reads: AddedLatency | null;
  readonly sla: SlaResult[];
  readonly alertCost: AlertCostRound[];
  /** Absent in results from before the phase existed. */
  readonly migration?: MigrationResult | null;
  readonly whatIf?: WhatIfResult | null;
  readonly memory: MemoryResult | null;
  readonly memoryAtEnd: { cached: number; rss: number; heapUsed: number } | null;
}

const n = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const ms = (seconds: number) => n(seconds * 1000, 2);
const mib = (bytes: number) => n(bytes / 2 ** 20, 0);
const kib = (bytes: number) => n(bytes / 1024, 0);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export interface Target {
  readonly figure: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export function targets(results: Results): Target[] {
  const list: Target[] = [];
  for (const step of results.ladder) {
    const t = step.apiOverRawThroughput.median;
    list.push({ figure: `start throughput API/raw, c=${step.concurrency}`, target: '≥ 0.90', measured: n(t, 2), met: t >= 0.9 });
    const c = step.apiOverRawCpu.median;
    list.push({ figure: `CPU per started deal API/raw, c=${step.concurrency}`, target: '≤ 1.10', measured: n(c, 2), met: c <= 1.1 });
  }
  for (const added of [results.actions, results.reads]) {
    if (!added) continue;
    list.push({
      figure: `${added.what}: added p50`,
      target: '≤ 1 ms',
      measured: `${n(added.addedP50.median, 2)} ms`,
      met: added.addedP50.median <= 1,
    });
    list.push({
      figure: `${added.what}: added p99`,
      target: '≤ 5 ms',
      measured: `${n(added.addedP99.median, 2)} ms`,
      met: added.addedP99.median <= 5,
    });
  }
  if (results.alertCost.length > 0) {
    const ratio = median(results.alertCost.map((r) => r.serverRatio));
    list.push({ figure: 'server CPU per alert ours/baseline', target: '≤ 1.20', measured: n(ratio, 2), met: ratio <= 1.2 });
  }
  for (const run of results.sla) {
    const { ours, baseline } = run;
    const name = run.settings.name;
    const spread = run.settings.burstShare < 1;
    if (spread) {
      list.push({
        figure: `${name}: lateness p99 − baseline p99`,
        target: '≤ 100 ms',
        measured: `${n(ours.p99 - baseline.p99)} ms`,
        met: ours.p99 - baseline.p99 <= 100,
      });
      if (run.ours.deals >= 10_000)
        list.push({ figure: `${name}: lateness max`, target: '≤ 2000 ms', measured: `${n(ours.max)} ms`, met: ours.max <= 2_000 });
    }
    if (run.settings.burstShare > 0 && ours.burst.deals >= 10_000) {
      list.push({
        figure: `${name}: burst drained`,
        target: '≤ 30 s',
        measured: `${n(ours.burst.drainMs / 1000, 1)} s`,
        met: ours.burst.drainMs <= 30_000,
      });
    }
    list.push({ figure: `${name}: missed`, target: '0', measured: String(ours.missed), met: ours.missed === 0 });
    list.push({
      figure: `${name}: events under more than one id`,
      target: '0',
      measured: String(ours.idsPerEventAboveOne),
      met: ours.idsPerEventAboveOne === 0,
    });
  }
  return list;
}

function latenessRow(name: string, run: SlaResult, l: Lateness): string[] {
  return [
    name,
    String(l.deals),
    n(run.openRate),
    n(run.deadlineSpanSeconds),
    String(l.missed),
    String(l.repeats),
    n(l.p50),
    n(l.p99),
    n(l.max),
    String(l.burst.deals),
    n(l.burst.spanMs),
    n(l.burst.p99),
    n(l.burst.drainMs),
  ];
}

function alertCostRow(round: number, who: string, side: AlertCostSide, ratio: string): string[] {
  const { deadlines, delivered, serverMs, workerMs, historyEvents } = side;
  return [String(round), who, String(deadlines), String(delivered), n(serverMs, 2), n(workerMs, 2), String(historyEvents), ratio];
}

/** The tables the README carries, in Markdown. */
export function renderTables(results: Results): string {
  const out: string[] = [];
  if (results.ladder.length > 0) {
    out.push('### 1. Start ladder (closed loop; medians over rounds, spread min–max)\n');
    out.push(
      table(
        [
          'c',
          'echo ops/s',
          'gRPC ops/s',
          'raw start/s',
          'API start/s',
          'API/raw tput',
          'raw p50 ms',
          'API p50 ms',
          'CPU ms/deal raw',
          'CPU ms/deal API',
          'API/raw CPU',
        ],
        results.ladder.map((s) => [
          String(s.concurrency),
          n(s.kinds.echo.throughput.median),
          n(s.kinds.grpc.throughput.median),
          `${n(s.kinds.raw.throughput.median)} (${n(s.kinds.raw.throughput.min)}–${n(s.kinds.raw.throughput.max)})`,
          `${n(s.kinds.api.throughput.median)} (${n(s.kinds.api.throughput.min)}–${n(s.kinds.api.throughput.max)})`,
          `${n(s.apiOverRawThroughput.median, 2)} (${n(s.apiOverRawThroughput.min, 2)}–${n(s.apiOverRawThroughput.max, 2)})`,
          n(s.kinds.raw.p50, 2),
          n(s.kinds.api.p50, 2),
          ms(s.kinds.raw.cpuPerOp.total),
          ms(s.kinds.api.cpuPerOp.total),
          `${n(s.apiOverRawCpu.median, 2)} (${n(s.apiOverRawCpu.min, 2)}–${n(s.apiOverRawCpu.max, 2)})`,
        ]),
      ),
    );
    out.push('\nCPU ms per operation by process (medians):\n');
    out.push(
      table(
        ['c', 'kind', 'server', 'database', 'worker', 'API', 'load gen', 'echo', 'total'],
        results.ladder.flatMap((s) =>
          (['echo', 'grpc', 'raw', 'api'] as const).map((kind) => {
            const c = s.kinds[kind].cpuPerOp;
            return [
              String(s.concurrency),
              kind,
              ms(c.server),
              ms(c.database),
              ms(c.worker),
              ms(c.api),
              ms(c.loadgen),
              ms(c.echo),
              ms(c.total),
            ];
          }),
        ),
      ),
    );
  }
  const added = [results.actions, results.reads].filter((a): a is AddedLatency => a !== null);
  if (added.length > 0) {
    out.push('\n### 2. Actions and reads (open loop at half the API peak; ms)\n');
    out.push(
      table(
        ['what', 'API peak/s', 'rate/s', 'raw p50', 'raw p99', 'API p50', 'API p99', 'added p50 (spread)', 'added p99 (spread)'],
        added.map((a) => [
          a.what,
          n(a.peakApiThroughput),
          String(a.rate),
          n(a.raw.p50, 2),
          n(a.raw.p99, 2),
          n(a.api.p50, 2),
          n(a.api.p99, 2),
          `${n(a.addedP50.median, 2)} (${n(a.addedP50.min, 2)}–${n(a.addedP50.max, 2)})`,
          `${n(a.addedP99.median, 2)} (${n(a.addedP99.min, 2)}–${n(a.addedP99.max, 2)})`,
        ]),
      ),
    );
  }
  if (results.sla.length > 0) {
    out.push('\n### 3. SLA lateness (ms: first receipt at the local receiver − the deadline in the body)\n');
    out.push(
      table(
        [
          'run',
          'who',
          'deals',
          'opened/s',
          'deadlines over s',
          'missed',
          'repeats',
          'p50',
          'p99',
          'max',
          'burst deals',
          'burst span',
          'burst p99',
          'burst drain',
        ],
        results.sla.flatMap((s) => [
          [s.settings.name, ...latenessRow('ours (deal webhook)', s, s.ours)],
          [s.settings.name, ...latenessRow('baseline (sleep + POST)', s, s.baseline)],
        ]),
      ),
    );
    out.push('\nCPU seconds per SLA run by process:\n');
    out.push(
      table(
        ['run', 'server', 'database', 'worker', 'API', 'load gen', 'baseline worker', 'total'],
        results.sla.map((s) => [
          s.settings.name,
          n(s.cpuSeconds.server, 1),
          n(s.cpuSeconds.database, 1),
          n(s.cpuSeconds.worker, 1),
          n(s.cpuSeconds.api, 1),
          n(s.cpuSeconds.loadgen, 1),
          n(s.cpuSeconds.baselineWorker, 1),
          n(s.cpuSeconds.total, 1),
        ]),
      ),
    );
  }
  if (results.alertCost.length > 0) {
    out.push(
      '\n### 3b. Server work per alert (each side alone on the same server; CPU ms per deadline, from just before the first to idle after the last)\n',
    );
    out.push(
      table(
        ['round', 'who', 'deadlines', 'delivered', 'server ms', 'worker ms', 'history events', 'server ours/baseline'],
        results.alertCost.flatMap((r, i) => [
          alertCostRow(i, 'ours (deal alert)', r.ours, n(r.serverRatio, 2)),
          alertCostRow(i, 'baseline (timer + POST)', r.baseline, ''),
        ]),
      ),
    );
  }
  if (results.migration) {
    const m = results.migration;
    out.push(
      `\n### 3c. Migrating ${m.run.deals} open deals to a new SOP version (${m.migrated} migrated), beside one raw signal per deal; CPU ms per deal until idle\n`,
    );
    const row = (who: string, side: MigrationSide, ratio: string) => [
      who,
      n(side.seconds, 1),
      n(side.dealsPerSecond, 0),
      n(side.serverMs, 2),
      n(side.workerMs, 2),
      n(side.apiMs, 2),
      ratio,
    ];
    out.push(
      table(
        ['what', 'seconds', 'deals/s', 'server ms', 'worker ms', 'API ms', 'server / signal'],
        [
          row('dry run (API, a query per deal)', m.dryRun, n(m.dryRun.serverMs / m.signal.serverMs, 2)),
          row('migration (workflow, an update per deal)', m.run, n(m.serverRatio, 2)),
          row('baseline: one signal per deal (raw client)', m.signal, ''),
        ],
      ),
    );
  }
  if (results.whatIf) {
    const w = results.whatIf;
    out.push(
      `\n### 3d. What-if over ${w.deals} recorded deals (consistency ${w.consistency.reproduced}/${w.consistency.checked}), beside reading them with the raw client\n`,
    );
    out.push(
      table(
        ['what', 'seconds', 'deals/s', 'vs raw read'],
        [
          ['POST …/simulations, end to end', n(w.request.seconds, 2), n(w.request.dealsPerSecond, 0), ''],
          ['  of which reading timelines', n(w.request.readMs / 1000, 2), n(w.deals / (w.request.readMs / 1000), 0), n(w.readRatio, 2)],
          ['  of which replaying (baseline + draft)', n(w.request.simulateMs / 1000, 2), n(w.deals / (w.request.simulateMs / 1000), 0), ''],
          ['baseline: raw client reads, 16 at a time', n(w.rawRead.seconds, 2), n(w.rawRead.dealsPerSecond, 0), '1.00'],
          ['pure replay alone (both runs)', n(w.simulateOnly.seconds, 2), n(w.simulateOnly.dealsPerSecond, 0), ''],
        ],
      ),
    );
  }
  if (results.memory) {
    const m = results.memory;
    out.push(
      `\n### 4. Worker memory per cached deal (cache size ${m.cacheSize}; deals that wait, no timer; then some take one action each)\n`,
    );
    const rows = m.steps.map((step) => [
      String(step.deals),
      String(step.cached),
      `${mib(m.before.rss)} → ${mib(step.sample.rss)}`,
      `${mib(m.before.heapUsed)} → ${mib(step.sample.heapUsed)}`,
      kib(step.rssPerDeal),
      kib(step.heapPerDeal),
      n(step.workerCpuMsPerDeal, 1),
    ]);
    if (m.acting) {
      const a = m.acting;
      const last = m.steps.at(-1)?.sample ?? m.before;
      rows.push([
        `${a.deals} of them acted`,
        '-',
        `${mib(last.rss)} → ${mib(a.sample.rss)}`,
        `${mib(last.heapUsed)} → ${mib(a.sample.heapUsed)}`,
        kib(a.rssPerDeal),
        kib(a.heapPerDeal),
        n(a.workerCpuMsPerDeal, 1),
      ]);
    }
    if (results.memoryAtEnd) {
      const e = results.memoryAtEnd;
      rows.push([`end of run`, String(e.cached), mib(e.rss), mib(e.heapUsed), '-', '-', '-']);
    }
    out.push(table(['deals', 'cached (metric)', 'RSS MiB', 'heap MiB', 'RSS KiB/deal', 'heap KiB/deal', 'worker CPU ms/deal'], rows));
  }
  out.push('\n### Targets\n');
  out.push(
    table(
      ['figure', 'target', 'measured', 'met'],
      targets(results).map((t) => [t.figure, t.target, t.measured, t.met ? 'yes' : 'NO']),
    ),
  );
  return out.join('\n');
}

/**
 * `--cluster`: the same figures side by side for each topology. Server CPU is the Temporal server
 * and, on a cluster, PostgreSQL (the dev server's SQLite runs inside it).
 */
export function renderTopologies(runs: ReadonlyArray<{ topology: Topology; results: Results }>): string {
  const serverMs = (cpu: { server: number; database: number }) => n((cpu.server + cpu.database) * 1000, 1);
  const concurrencies = [...new Set(runs.flatMap(({ results }) => results.ladder.map((step) => step.concurrency)))];
  const out = ['## Topologies compared (same machine, same run)\n'];
  out.push(
    table(
      [
        'topology',
        ...concurrencies.map((c) => `raw start/s c=${c}`),
        ...concurrencies.map((c) => `API start/s c=${c}`),
        'server+db ms per raw start (top c)',
        'worker ms per start (top c)',
      ],
      runs.map(({ topology, results }) => {
        const step = (c: number) => results.ladder.find((s) => s.concurrency === c);
        const top = results.ladder.at(-1);
        return [
          topologyName(topology),
          ...concurrencies.map((c) => n(step(c)?.kinds.raw.throughput.median ?? Number.NaN)),
          ...concurrencies.map((c) => n(step(c)?.kinds.api.throughput.median ?? Number.NaN)),
          top ? serverMs(top.kinds.raw.cpuPerOp) : '-',
          top ? n(top.kinds.raw.cpuPerOp.worker * 1000, 1) : '-',
        ];
      }),
    ),
  );
  out.push('');
  out.push(
    table(
      [
        'topology',
        'SLA run',
        'opened/s',
        'ours p50',
        'ours p99',
        'baseline p99',
        'missed',
        'server+db ms per alert',
        'baseline',
        'ours/baseline',
      ],
      runs.flatMap(({ topology, results }) =>
        results.sla.map((run, i) => {
          const cost = results.alertCost[i] ?? results.alertCost[0];
          return [
            topologyName(topology),
            run.settings.name,
            n(run.openRate),
            n(run.ours.p50),
            n(run.ours.p99),
            n(run.baseline.p99),
            String(run.ours.missed),
            cost ? n(cost.ours.serverMs, 1) : '-',
            cost ? n(cost.baseline.serverMs, 1) : '-',
            cost ? n(cost.serverRatio, 2) : '-',
          ];
        }),
      ),
    ),
  );
  return out.join('\n');
}
