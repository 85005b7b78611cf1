import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { WebhookTarget } from '../activities';
import { bundleDealWorkflows, cachedWorkflowBundle } from './workflow-bundle';

/**
 * A workflow bundle prebuilt by `npm run build`. Production workers (NODE_ENV=production, as in the
 * Docker image) load it instead of bundling at start; elsewhere it is ignored so it can never be stale.
 */
export const PREBUILT_BUNDLE = path.resolve(__dirname, '..', 'dist', 'workflow-bundle.js');

export interface DealWorkerOptions {
  readonly production: boolean;
  /** Where to cache the workflow bundle between starts (npm start: DATA_DIR). */
  readonly bundleCacheDir?: string;
  readonly connection: NativeConnection;
  /** For activities that signal other workflows (deal facts to the SOP's analytics). */
  readonly client: Client;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly webhook: WebhookTarget | null;
  /** WORKER_MAX_CACHED_WORKFLOWS. */
  readonly maxCachedWorkflows: number;
}

/** The worker that runs deal, SOP registry and analytics workflows and delivers escalation webhooks. */
export async function createDealWorker(options: DealWorkerOptions): Promise<Worker> {
  const workflows =
    options.production && existsSync(PREBUILT_BUNDLE)
      ? { workflowBundle: { codePath: PREBUILT_BUNDLE } }
      : options.bundleCacheDir
        ? { workflowBundle: await cachedWorkflowBundle(options.bundleCacheDir) }
        : { workflowBundle: await bundleDealWorkflows() };
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflows,
    activities: createActivities({ target: options.webhook, fetch, now: Date.now, requestTimeoutMs: 10_000, client: options.client }),
    // Waiting deals cost a cache slot each (see bench/README.md for the memory); evicted ones replay on demand.
    maxCachedWorkflows: options.maxCachedWorkflows,
    shutdownGraceTime: '10s',
  });
}
