import { settle } from './cpu';
import { rawAct, rawStart, sopSnapshot, PLAIN_SOP } from './deal-ops';
import { closedLoop } from './load';
import { sampleMemory, type MemorySample } from './memory-probe';
import type { Bench } from './setup';

export interface MemoryStep {
  /** Deals started by the memory run so far (all still open and cached). */
  readonly deals: number;
  readonly cached: number;
  readonly sample: MemorySample;
  /** Growth since the run began, divided by the deals started. */
  readonly rssPerDeal: number;
  readonly heapPerDeal: number;
  /** Worker CPU per started deal over this step (its first workflow task, facts and their signal). */
  readonly workerCpuMsPerDeal: number;
}

/** The same waiting deals once some of them have each taken one action (their first message checked). */
export interface ActingStep {
  readonly deals: number;
  readonly sample: MemorySample;
  /** Growth since the last waiting step, divided by the deals that acted. */
  readonly rssPerDeal: number;
  readonly heapPerDeal: number;
  readonly workerCpuMsPerDeal: number;
}

export interface MemoryResult {
  readonly cacheSize: number;
  readonly cachedBefore: number;
  readonly before: MemorySample;
  readonly steps: MemoryStep[];
  /** Absent in results from before it was measured. */
  readonly acting?: ActingStep;
}

/** Workflows in the worker's sticky cache, from its Prometheus metrics. */
export async function cachedWorkflows(bench: Bench): Promise<number> {
  const text = await (await fetch(bench.metricsUrl)).text();
  const match = /^\S*sticky_cache_size(?:\{[^}]*\})?\s+([\d.e+]+)/m.exec(text);
  if (!match) throw new Error(`no sticky_cache_size in the worker's metrics at ${bench.metricsUrl}`);
  return Number(match[1]);
}

/**
 * Worker RSS and heap (after a full GC) as deals that wait (no SLA, so no timer) fill its cache:
 * sampled after each step of `steps` (cumulative deal counts, e.g. 1,000 then 10,000); then after
 * `acting` of them have each taken one action.
 */
export async function runMemory(
  bench: Bench,
  steps: readonly number[],
  acting: number,
  cacheSize: number,
  log: (line: string) => void,
): Promise<MemoryResult> {
  const sop = await sopSnapshot(bench, PLAIN_SOP);
  await settle(bench);
  const cachedBefore = await cachedWorkflows(bench);
  const before = await sampleMemory(bench.pids.worker, bench.memDir);
  const results: MemoryStep[] = [];
  let started = 0;
  for (const target of steps) {
    const cpuBefore = bench.workerCpuSeconds();
    const run = await closedLoop(target - started, 32, (i) => rawStart(bench, sop, `mem-${started + i}`));
    if (run.errors > 0) throw new Error(`memory deals failed: ${run.firstError}`);
    await settle(bench);
    const count = target - started;
    started = target;
    const sample = await sampleMemory(bench.pids.worker, bench.memDir);
    const step = {
      deals: target,
      cached: await cachedWorkflows(bench),
      sample,
      rssPerDeal: (sample.rss - before.rss) / target,
      heapPerDeal: (sample.heapUsed - before.heapUsed) / target,
      workerCpuMsPerDeal: ((bench.workerCpuSeconds() - cpuBefore) * 1000) / count,
    };
    results.push(step);
    log(
      `  memory: ${target} deals, ${step.cached} cached; RSS ${(before.rss / 2 ** 20).toFixed(0)} → ${(sample.rss / 2 ** 20).toFixed(0)} MiB (${(step.rssPerDeal / 1024).toFixed(0)} KiB/deal), worker CPU ${step.workerCpuMsPerDeal.toFixed(1)} ms/deal`,
    );
  }
  const waiting = results.at(-1)?.sample ?? before;
  const cpuBefore = bench.workerCpuSeconds();
  const acted = await closedLoop(acting, 32, (i) => rawAct(bench, `mem-${i}`));
  if (acted.errors > 0) throw new Error(`memory deals failed to act: ${acted.firstError}`);
  await settle(bench);
  const sample = await sampleMemory(bench.pids.worker, bench.memDir);
  const actingStep = {
    deals: acting,
    sample,
    rssPerDeal: (sample.rss - waiting.rss) / acting,
    heapPerDeal: (sample.heapUsed - waiting.heapUsed) / acting,
    workerCpuMsPerDeal: ((bench.workerCpuSeconds() - cpuBefore) * 1000) / acting,
  };
  log(
    `  memory: ${acting} of them took an action; RSS ${(waiting.rss / 2 ** 20).toFixed(0)} → ${(sample.rss / 2 ** 20).toFixed(0)} MiB (${(actingStep.rssPerDeal / 1024).toFixed(0)} KiB/deal), heap ${(actingStep.heapPerDeal / 1024).toFixed(0)} KiB/deal, worker CPU ${actingStep.workerCpuMsPerDeal.toFixed(1)} ms/deal`,
  );
  return { cacheSize, cachedBefore, before, steps: results, acting: actingStep };
}
