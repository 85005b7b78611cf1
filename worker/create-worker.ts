import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker, type BundleOptions, type NativeConnection, type WorkflowBundleOption } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { WebhookTarget } from '../activities';
import type { AlertConfig } from '../config';
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
  readonly alerts: Pick<AlertConfig, 'publicUrl' | 'retryForMs'>;
  /** WORKER_MAX_CACHED_WORKFLOWS. */
  readonly maxCachedWorkflows: number;
}

/** The workflow code a worker with these options runs (`npm run verify-replay` replays against the same). */
export async function dealWorkflowBundle(
  options: Pick<DealWorkerOptions, 'production' | 'bundleCacheDir'>,
  logger?: BundleOptions['logger'],
): Promise<WorkflowBundleOption> {
  if (options.production && existsSync(PREBUILT_BUNDLE)) return { codePath: PREBUILT_BUNDLE };
  return options.bundleCacheDir ? cachedWorkflowBundle(options.bundleCacheDir, logger) : bundleDealWorkflows(logger);
}

/** The worker that runs deal, SOP registry and analytics workflows and delivers escalation webhooks. */
export async function createDealWorker(options: DealWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: await dealWorkflowBundle(options),
    activities: createActivities({
      target: options.webhook,
      fetch,
      now: Date.now,
      requestTimeoutMs: 10_000,
      client: options.client,
      publicUrl: options.alerts.publicUrl,
      alertRetryForMs: options.alerts.retryForMs,
    }),
    // Waiting deals cost a cache slot each (see bench/README.md for the memory); evicted ones replay on demand.
    maxCachedWorkflows: options.maxCachedWorkflows,
    shutdownGraceTime: '10s',
  });
}
