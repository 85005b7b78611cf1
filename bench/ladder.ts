import { cpuNow, cpuSince, PROCESSES, settle, type ProcessName } from './cpu';
import { apiStart, rawStart, sopSnapshot, PLAIN_SOP } from './deal-ops';
import { closedLoop, median, percentile, spread, type Operation, type Spread } from './load';
import type { Bench } from './setup';

export const LADDER_KINDS = ['echo', 'grpc', 'raw', 'api'] as const;
export type LadderKind = (typeof LADDER_KINDS)[number];

export interface LadderRound {
  readonly kind: LadderKind;
  readonly concurrency: number;
  readonly round: number;
  readonly ops: number;
  readonly errors: number;
  readonly firstError: string | null;
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
  readonly settleMs: number;
  /** CPU seconds per operation, by process, from the start of the run until the server and worker were idle again. */
  readonly cpuPerOp: Record<ProcessName | 'total', number>;
}

export interface LadderStep {
  readonly concurrency: number;
  readonly kinds: Record<LadderKind, { throughput: Spread; p50: number; p99: number; cpuPerOp: Record<ProcessName | 'total', number> }>;
  /** Per round, API / raw; median and spread over the rounds. */
  readonly apiOverRawThroughput: Spread;
  readonly apiOverRawCpu: Spread;
}

export interface LadderSettings {
  readonly concurrencies: readonly number[];
  readonly ops: Record<number, number>;
  readonly rounds: number;
  /** No new operation starts after this many seconds of a run. */
  readonly maxSeconds: number;
}

/** Closed-loop start ladder: echo, null gRPC, raw start and API start, alternating raw / API each round after a warm-up. */
export async function runLadder(
  bench: Bench,
  settings: LadderSettings,
  log: (line: string) => void,
): Promise<{ steps: LadderStep[]; rounds: LadderRound[] }> {
  const sop = await sopSnapshot(bench, PLAIN_SOP);
  const operations: Record<LadderKind, (tag: string) => Operation> = {
    echo: () => () => bench.echo.call('POST', '/', { dealId: 'x'.repeat(20), amount: 1_200_000 }).then(() => undefined),
    grpc: () => () => bench.client.workflowService.getSystemInfo({}).then(() => undefined),
    raw: (tag) => (i) => rawStart(bench, sop, `${tag}-${i}`),
    api: (tag) => (i) => apiStart(bench, `${tag}-${i}`).then(() => undefined),
  };
  const rounds: LadderRound[] = [];
  const steps: LadderStep[] = [];
  for (const concurrency of settings.concurrencies) {
    const ops = settings.ops[concurrency];
    for (let round = -1; round < settings.rounds; round += 1) {
      // Round -1 warms up; then raw and API swap places every round.
      const order: LadderKind[] = ['echo', 'grpc', ...(round % 2 === 0 ? (['raw', 'api'] as const) : (['api', 'raw'] as const))];
      for (const kind of order) {
        const before = cpuNow(bench);
        const run = await closedLoop(
          round < 0 ? Math.ceil(ops / 2) : ops,
          concurrency,
          operations[kind](`${kind}-c${concurrency}-r${round}`),
          settings.maxSeconds,
        );
        const settleMs = await settle(bench);
        const cpu = cpuSince(before, cpuNow(bench));
        const done = run.ops - run.errors;
        const entry: LadderRound = {
          kind,
          concurrency,
          round,
          ops: run.ops,
          errors: run.errors,
          firstError: run.firstError,
          throughput: done / run.seconds,
          p50: percentile(run.latencies, 50),
          p99: percentile(run.latencies, 99),
          settleMs,
          cpuPerOp: Object.fromEntries(
            [...PROCESSES, 'total'].map((name) => [name, cpu[name as ProcessName | 'total'] / Math.max(done, 1)]),
          ) as LadderRound['cpuPerOp'],
        };
        if (run.errors > 0) log(`  ${kind} c=${concurrency}: ${run.errors} errors, first: ${run.firstError}`);
        log(
          `  ladder c=${concurrency} round ${round < 0 ? 'warm-up' : round} ${kind.padEnd(4)} ${entry.throughput.toFixed(0).padStart(6)} ops/s  p50 ${entry.p50.toFixed(2)} ms  cpu/op ${(entry.cpuPerOp.total * 1000).toFixed(2)} ms`,
        );
        if (round >= 0) rounds.push(entry);
      }
    }
    const of = (kind: LadderKind) => rounds.filter((r) => r.kind === kind && r.concurrency === concurrency);
    const kinds = Object.fromEntries(
      LADDER_KINDS.map((kind) => {
        const runs = of(kind);
        return [
          kind,
          {
            throughput: spread(runs.map((r) => r.throughput)),
            p50: median(runs.map((r) => r.p50)),
            p99: median(runs.map((r) => r.p99)),
            cpuPerOp: Object.fromEntries(
              [...PROCESSES, 'total'].map((name) => [name, median(runs.map((r) => r.cpuPerOp[name as ProcessName]))]),
            ),
          },
        ];
      }),
    ) as LadderStep['kinds'];
    const raw = of('raw');
    const api = of('api');
    steps.push({
      concurrency,
      kinds,
      apiOverRawThroughput: spread(api.map((r, i) => r.throughput / raw[i].throughput)),
      apiOverRawCpu: spread(api.map((r, i) => r.cpuPerOp.total / raw[i].cpuPerOp.total)),
    });
  }
  return { steps, rounds };
}
