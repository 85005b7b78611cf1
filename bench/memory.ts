import { settle } from './cpu';
import { rawStart, sopSnapshot, PLAIN_SOP } from './deal-ops';
import { closedLoop } from './load';
import { sampleMemory, type MemorySample } from './memory-probe';
import type { Bench } from './setup';

export interface MemoryResult {
  readonly deals: number;
  readonly cachedBefore: number;
  readonly cachedAfter: number;
  readonly before: MemorySample;
  readonly after: MemorySample;
  readonly rssPerCachedDeal: number;
  readonly heapPerCachedDeal: number;
}

/** Workflows in the worker's sticky cache, from its Prometheus metrics. */
export async function cachedWorkflows(bench: Bench): Promise<number> {
  const text = await (await fetch(bench.metricsUrl)).text();
  const match = /^\S*sticky_cache_size(?:\{[^}]*\})?\s+([\d.e+]+)/m.exec(text);
  if (!match) throw new Error(`no sticky_cache_size in the worker's metrics at ${bench.metricsUrl}`);
  return Number(match[1]);
}

/** Worker RSS and heap (after a full GC) before and after `count` more deals sit in its cache. */
export async function runMemory(bench: Bench, count: number, log: (line: string) => void): Promise<MemoryResult> {
  const sop = await sopSnapshot(bench, PLAIN_SOP);
  await settle(bench);
  const cachedBefore = await cachedWorkflows(bench);
  const before = await sampleMemory(bench.pids.worker, bench.memDir);
  const run = await closedLoop(count, 32, (i) => rawStart(bench, sop, `mem-${i}`));
  if (run.errors > 0) throw new Error(`memory deals failed: ${run.firstError}`);
  await settle(bench);
  const cachedAfter = await cachedWorkflows(bench);
  const after = await sampleMemory(bench.pids.worker, bench.memDir);
  // Every deal started here stays cached (the cache holds 2,000): divide by the deals started.
  const added = count;
  log(
    `  memory: ${cachedBefore} → ${cachedAfter} cached; RSS ${(before.rss / 2 ** 20).toFixed(0)} → ${(after.rss / 2 ** 20).toFixed(0)} MiB`,
  );
  return {
    deals: count,
    cachedBefore,
    cachedAfter,
    before,
    after,
    rssPerCachedDeal: (after.rss - before.rss) / added,
    heapPerCachedDeal: (after.heapUsed - before.heapUsed) / added,
  };
}
