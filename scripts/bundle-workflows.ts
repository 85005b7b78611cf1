// `npm run build`: bundles the workflow code once, so production workers start without webpack.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PREBUILT_BUNDLE } from '../worker/create-worker';
import { bundleDealWorkflows } from '../worker/workflow-bundle';

async function run(): Promise<void> {
  const { code } = await bundleDealWorkflows();
  mkdirSync(path.dirname(PREBUILT_BUNDLE), { recursive: true });
  writeFileSync(PREBUILT_BUNDLE, code);
  console.log(`workflow bundle written to ${path.relative(process.cwd(), PREBUILT_BUNDLE)} (${Math.round(code.length / 1024)} KiB)`);
}

run().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
