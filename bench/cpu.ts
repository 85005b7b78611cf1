import type { Bench } from './setup';
import { ownCpuSeconds, treeCpuSeconds } from './procs';

export const PROCESSES = ['server', 'database', 'worker', 'api', 'loadgen', 'baselineWorker', 'echo'] as const;
export type ProcessName = (typeof PROCESSES)[number];
export type Cpu = Record<ProcessName, number>;

let settleCapMs = 15_000;

/** The longest settle() waits for the server and workers to go idle. */
export function setSettleCap(ms: number): void {
  settleCapMs = ms;
}

export function cpuNow(bench: Bench): Cpu {
  return {
    server: treeCpuSeconds(bench.pids.server),
    database: bench.pids.database === null ? 0 : treeCpuSeconds(bench.pids.database),
    worker: bench.workerCpuSeconds(),
    api: treeCpuSeconds(bench.pids.api),
    loadgen: ownCpuSeconds(process.pid),
    baselineWorker: treeCpuSeconds(bench.pids.baselineWorker),
    echo: treeCpuSeconds(bench.pids.echo),
  };
}

export function cpuSince(before: Cpu, after: Cpu): Cpu & { total: number } {
  const delta = Object.fromEntries(PROCESSES.map((name) => [name, after[name] - before[name]])) as Cpu;
  return { ...delta, total: PROCESSES.reduce((sum, name) => sum + delta[name], 0) };
}

/**
 * Waits until the server and the workers have finished the work a run left behind (first workflow
 * tasks, fact signals), so that work is charged to the run that caused it: less than 5% of a core
 * over 500 ms, or `maxMs`.
 */
export async function settle(bench: Bench, maxMs = settleCapMs): Promise<number> {
  const started = Date.now();
  const busy = () => {
    const cpu = cpuNow(bench);
    return cpu.server + cpu.database + cpu.worker + cpu.baselineWorker;
  };
  let last = busy();
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = busy();
    if (now - last < 0.025 * 3) return Date.now() - started;
    last = now;
  }
  return Date.now() - started;
}
