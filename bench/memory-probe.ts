import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { leafPid, rssBytes } from './procs';

export const MEM_PROBE = path.resolve(__dirname, 'mem-probe.cjs');

export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

/** Asks the worker's node (preloaded with mem-probe.cjs) for its memory after a full GC. */
export async function sampleMemory(rootPid: number, dir: string): Promise<MemorySample> {
  const pid = leafPid(rootPid);
  const file = path.join(dir, `mem-${pid}.json`);
  const asked = Date.now();
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 200; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (!existsSync(file)) continue;
    const sample = JSON.parse(readFileSync(file, 'utf8')) as MemorySample & { at: number };
    if (sample.at >= asked)
      return { rss: rssBytes(pid), heapUsed: sample.heapUsed, heapTotal: sample.heapTotal, external: sample.external };
  }
  throw new Error(`the worker (pid ${pid}) wrote no memory sample; is bench/mem-probe.cjs preloaded?`);
}
