import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..');
/** What the workflow bundle is made of: the workflow code, the domain it imports, the locked dependencies, how it is bundled. */
const SOURCES = ['workflows', 'domain'];

/**
 * Modules evaluated once per worker and shared by every workflow, not once per workflow. With a
 * reused V8 context the SDK still runs each workflow's module code afresh, and holds it for as long
 * as the workflow is cached (measured by `npm run bench:profile`):
 * - `@js-joda/timezone` unpacks the whole time-zone database when it loads: about 100 ms of CPU and
 *   several MB per deal;
 * - zod's own modules are about 3 MB of heap in every deal that ever checked a message (our schemas
 *   built on it are under 1 MB more, see workflows/lazy-validation.ts).
 *
 * Each is stateless once loaded (caches of pure data; zod's registry is a WeakMap we never add
 * to), so sharing cannot leak one deal's state into another. The SDK deep-freezes shared modules'
 * exports: never list a module that keeps per-workflow state, nor one that exports zod schemas
 * (they define properties on first use); schemas built from a shared zod are fine. zod comes in
 * through workflows/shared-zod.ts, not by name: the preload's `require('zod')` would load its
 * CommonJS build beside the ES build our `import`s use, and zod must settle its lazy defaults
 * before the SDK freezes it.
 */
export const SHARED_WORKFLOW_MODULES = ['@js-joda/core', '@js-joda/timezone', require.resolve('../workflows/shared-zod')];

/** Bundles the workflow code the way every worker, test and build runs it. */
export function bundleDealWorkflows(logger?: BundleOptions['logger']): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), preloadModules: SHARED_WORKFLOW_MODULES, logger });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(dir, entry.name)) : entry.name.endsWith('.ts') ? [path.join(dir, entry.name)] : [],
  );
}

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [
    ...SOURCES.flatMap((dir) => sourceFiles(path.join(ROOT, dir))).sort(),
    path.join(ROOT, 'package-lock.json'),
    __filename,
  ]) {
    hash.update(path.relative(ROOT, file)).update(existsSync(file) ? readFileSync(file) : '');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The workflow bundle, cached in `cacheDir` under a hash of its sources: a warm start skips webpack,
 * and any change to the code makes a new bundle, so a stale one is never loaded.
 */
export async function cachedWorkflowBundle(cacheDir: string, logger?: BundleOptions['logger']): Promise<{ codePath: string }> {
  const codePath = path.join(path.resolve(cacheDir), `workflow-bundle-${sourceHash()}.js`);
  if (!existsSync(codePath)) {
    const { code } = await bundleDealWorkflows(logger);
    mkdirSync(path.dirname(codePath), { recursive: true });
    writeFileSync(codePath, code);
  }
  return { codePath };
}
