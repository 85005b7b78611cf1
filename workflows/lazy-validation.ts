import type * as Validation from './validation';

/**
 * The workflows' message schemas, loaded the first time a workflow checks a message.
 *
 * The SDK evaluates the bundle's modules afresh for every workflow it creates (a new deal, a replay
 * after eviction, every continue-as-new), even in a reused V8 context, and holds them for as long
 * as the workflow is cached. zod itself is loaded once per worker (worker/workflow-bundle.ts), but
 * the schemas built on it are this workflow's own: most of a workflow's creation cost and under
 * 1 MB of heap (`npm run bench:profile`). A deal that only waits for its timers never needs them, so
 * nothing a workflow imports at start may import a schema module; only this function reaches them,
 * through a `require` that webpack resolves lazily.
 */
export function validation(): typeof Validation {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose, see above
  return require('./validation') as typeof Validation;
}
