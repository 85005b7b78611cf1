import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

const ROOT = path.resolve(__dirname, '..');
/** What the workflow bundle is made of: the workflow code, the domain it imports, the locked dependencies, how it is bundled. */
const SOURCES = ['workflows', 'domain'];

/**
 * Modules evaluated once per worker and shared by every workflow, not once per workflow. With a
 * reused V8 context the SDK still runs each workflow's module code afresh; `@js-joda/timezone`
 * unpacks the whole time-zone database when it loads (about 100 ms of CPU and several MB per
 * deal, measured by `npm run bench:profile`). Both are stateless once loaded (their caches hold
 * pure data), so sharing them cannot leak one deal's state into another. Shared modules' exports are
 * deep-frozen by the SDK: never list a module that keeps per-workflow state, nor one that exports
 * zod schemas (they define properties on first use). Not zod itself: the bundle's preload `require`
 * resolves zod's CommonJS build while our `import`s use its ES build, so it would load twice.
 */
export const SHARED_WORKFLOW_MODULES = ['@js-joda/core', '@js-joda/timezone'];

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
export async function cachedWorkflowBundle(cacheDir: string): Promise<{ codePath: string }> {
  const codePath = path.join(path.resolve(cacheDir), `workflow-bundle-${sourceHash()}.js`);
  if (!existsSync(codePath)) {
    const { code } = await bundleDealWorkflows();
    mkdirSync(path.dirname(codePath), { recursive: true });
    writeFileSync(codePath, code);
  }
  return { codePath };
}
