// `npm run bench:profile [-- N]`: N deals started raw, then N through the API, with the worker and the API under --cpu-prof. See bench/README.md.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { settle } from './cpu';
import { apiStart, plainSop, publish, rawStart, sopSnapshot, PLAIN_SOP } from './deal-ops';
import { startBench } from './setup';

async function run(): Promise<void> {
  const deals = Number(process.argv[2] ?? 300);
  const dir = path.resolve(__dirname, 'results', 'profiles');
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const bench = await startBench(log, { profileDir: dir });
  try {
    await publish(bench, plainSop);
    const sop = await sopSnapshot(bench, PLAIN_SOP);
    const t0 = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < deals) await rawStart(bench, sop, `prof-${next++}`);
      }),
    );
    log(`started ${deals} deals raw at concurrency 8 in ${Date.now() - t0} ms; settling`);
    log(`settled after ${await settle(bench, 60_000)} ms`);
    const t1 = Date.now();
    for (let i = 0; i < deals; i += 1) await apiStart(bench, `prof-api-${i}`);
    log(`started ${deals} deals through the API at concurrency 1 in ${Date.now() - t1} ms; settling`);
    log(`settled after ${await settle(bench, 60_000)} ms`);
  } finally {
    await bench.stop();
  }
  log(`profiles in ${path.relative(process.cwd(), dir)}`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
