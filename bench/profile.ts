// `npm run bench:profile [-- N]`: N deals started raw while the worker runs under --cpu-prof. See bench/README.md.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { settle } from './cpu';
import { plainSop, publish, rawStart, sopSnapshot, PLAIN_SOP } from './deal-ops';
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
    log(`started ${deals} deals in ${Date.now() - t0} ms; settling`);
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
