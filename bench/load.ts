import type { Bench } from './setup';

/** One operation of a load run; `i` numbers the operations of the run from 0. */
export type Operation = (i: number) => Promise<void>;

export interface RunResult {
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  /** Latency of each successful operation, in milliseconds. */
  readonly latencies: number[];
  readonly firstError: string | null;
}

function timed(operation: Operation, i: number, result: { latencies: number[]; errors: number; firstError: string | null }) {
  const started = performance.now();
  return operation(i).then(
    () => void result.latencies.push(performance.now() - started),
    (error: unknown) => {
      result.errors += 1;
      result.firstError ??= String((error as Error)?.message ?? error);
    },
  );
}

/**
 * `ops` operations, `concurrency` at a time, each worker starting the next as soon as one ends; no
 * new operation starts after `maxSeconds`, so a slow path ends with fewer operations, not later.
 */
export async function closedLoop(ops: number, concurrency: number, operation: Operation, maxSeconds = Infinity): Promise<RunResult> {
  const result = { latencies: [] as number[], errors: 0, firstError: null as string | null };
  let next = 0;
  const started = performance.now();
  const stopAt = started + maxSeconds * 1000;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, ops) }, async () => {
      while (next < ops && performance.now() < stopAt) await timed(operation, next++, result);
    }),
  );
  return { ops: next, seconds: (performance.now() - started) / 1000, ...result };
}

/**
 * Operations at a fixed rate for `seconds`, whatever the answers take (open loop), so latency is
 * measured at a known offered load; at most `maxInFlight` wait at once.
 */
export async function openLoop(rate: number, seconds: number, operation: Operation, maxInFlight = 512): Promise<RunResult> {
  const result = { latencies: [] as number[], errors: 0, firstError: null as string | null };
  const total = Math.max(1, Math.round(rate * seconds));
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    const op: Promise<void> = timed(operation, i, result).finally(() => inFlight.delete(op));
    inFlight.add(op);
  }
  await Promise.all(inFlight);
  return { ops: total, seconds: (performance.now() - started) / 1000, ...result };
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values: readonly number[]): number => percentile(values, 50);

/** Median and spread (min, max) of per-round figures. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly rounds: number[];
}

export function spread(rounds: readonly number[]): Spread {
  const finite = rounds.filter((value) => Number.isFinite(value));
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), rounds: [...rounds] };
}

/** Waits until visibility counts `count` deals for `query` (the migration's list, the what-if's). */
export async function listed(bench: Bench, query: string, count: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { count: n } = await bench.client.workflow.count(query);
    if (n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('visibility never listed every deal');
}
