import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..');
/** What the workflow bundle is made of: the workflow code, the domain it imports, the locked dependencies. */
const SOURCES = ['workflows', 'domain'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...SOURCES.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).sort(), path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, file)).update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The workflow bundle, cached in `cacheDir` under a hash of its sources: a warm start skips webpack,
 * and any change to the code makes a new bundle, so a stale one is never loaded.
 */
export async function cachedWorkflowBundle(cacheDir: string): Promise<{ codePath: string }> {
  const codePath = path.join(path.resolve(cacheDir), `workflow-bundle-${sourceHash()}.js`);
  if (!existsSync(codePath)) {
    const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows') });
    mkdirSync(path.dirname(codePath), { recursive: true });
    writeFileSync(codePath, code);
  }
  return { codePath };
}
