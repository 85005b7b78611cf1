import { randomBytes } from 'node:crypto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { createActivities, webhookKey, type WebhookTarget } from '../../activities';
import type { AlertIds } from '../../workflows/alert-messages';
import {
  recordedDeal,
  reproduces,
  simulateDeal,
  type Action,
  type Actor,
  type DealEvent,
  type DealOpening,
  type DealView,
  type Sop,
  type TimelineEntry,
  type TimelinePaging,
  type TimelineTail,
} from '../../domain';
import { dealWorkflow } from '../../workflows';
import { actSignal, analyticsWorkflowId, stateQuery, timelineQuery, timelineTailQuery } from '../../workflows/messages';
import { ALICE, makeOpening } from './fixtures';
import { uniqueId } from './temporal';

export const WEBHOOK_SECRET = `whsec_${randomBytes(32).toString('base64')}`;

export function webhookTarget(url: string): WebhookTarget {
  return { url, key: webhookKey(WEBHOOK_SECRET) };
}

/** A worker with the real activities, pointed at `target` (null: alerts are recorded, not sent). */
export function dealWorker(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  taskQueue: string,
  target: WebhookTarget | null,
  alerts: { ids?: AlertIds; publicUrl?: string; retryForMs?: number } = {},
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: createActivities({
      target,
      fetch,
      now: Date.now,
      requestTimeoutMs: 5_000,
      client: env.client,
      publicUrl: alerts.publicUrl ?? 'http://127.0.0.1:3000',
      alertRetryForMs: alerts.retryForMs ?? 25 * 60 * 60 * 1000,
      ...(alerts.ids && { alertIds: alerts.ids }),
    }),
  });
}

const startedByTest = new Set<string>();
/** The SOP versions the test's deals ran on, by `id@version`: what the consistency check replays them under. */
const sopsOfTest = new Map<string, Sop>();

const othersOfTest = new Set<string>();
/** A workflow other than a deal that the test started: `runWorker` ends it with the test's deals. */
export function endAfterTest(workflowId: string): void {
  othersOfTest.add(workflowId);
}

/** A version a deal of this test moves to (by a migration): the consistency check needs it to replay the deal. */
export function rememberSop(sop: Sop): void {
  sopsOfTest.set(`${sop.id}@${sop.version}`, sop);
}

/**
 * The what-if's key property on every deal the test started: replayed by the simulator under its
 * own SOP versions, it fires exactly the alerts it fired. A deal whose older events moved to
 * timeline pages, or that cannot be read, is not checked.
 */
async function checkConsistency(env: TestWorkflowEnvironment, workflowIds: readonly string[]): Promise<string[]> {
  const differences: string[] = [];
  for (const workflowId of workflowIds) {
    const tail = await new TestDeal(env.client.workflow.getHandle(workflowId), env.client).tail().catch(() => null);
    if (!tail || tail.from > 0 || tail.events.length === 0) continue;
    const recorded = recordedDeal(tail.events as DealEvent[]);
    const own = (version: number) => sopsOfTest.get(`${recorded.sop.id}@${version}`) ?? null;
    try {
      if (!reproduces(recorded, simulateDeal(recorded, { own }, recorded.lastEventAt))) differences.push(workflowId);
    } catch (error) {
      differences.push(`${workflowId} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return differences;
}

/**
 * Terminates a workflow once no task of its is pending (or at once, `waitMs` 0): the time-skipping
 * server keeps time still for a task that was pending when its workflow was terminated.
 */
async function endWorkflow(env: TestWorkflowEnvironment, workflowId: string, waitMs = 5_000): Promise<void> {
  const handle = env.client.workflow.getHandle(workflowId);
  const until = Date.now() + waitMs;
  try {
    for (;;) {
      const { raw, status } = await handle.describe();
      if (status.name !== 'RUNNING') return;
      // Scheduled activities too, not only started ones: one the worker has not picked up yet when
      // its workflow is terminated also keeps the time-skipping server's time still.
      const busy = (raw.pendingActivities ?? []).length > 0;
      if ((!busy && !raw.pendingWorkflowTask) || Date.now() > until) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await handle.terminate('test done');
  } catch {
    // Not started, or already gone.
  }
}

/**
 * Runs `body` on `worker`, then ends every deal it started and the SOP analytics they fed. Each test
 * has its own task queue, and the time-skipping server stops skipping time while a task waits on a
 * queue nobody polls any more, as a finished test's deal or analytics would leave one.
 */
export async function runWorker<T>(env: TestWorkflowEnvironment, worker: Worker, body: Promise<T>): Promise<T> {
  let analytics: string[] = [];
  try {
    // Ended while the worker still runs, so no activity of theirs is left in flight when it stops.
    return await worker.runUntil(async () => {
      try {
        const answer = await body;
        const differences = await checkConsistency(
          env,
          [...startedByTest].filter((id) => !id.startsWith('analytics:')),
        );
        if (differences.length > 0) {
          throw new Error(`Replayed by the simulator, these deals fire other alerts than they fired: ${differences.join(', ')}`);
        }
        return answer;
      } finally {
        // Deals first: a deal still running could start its SOP's analytics again on this queue.
        const ids = [...startedByTest];
        analytics = ids.filter((id) => id.startsWith('analytics:'));
        for (const workflowId of [...ids.filter((id) => !id.startsWith('analytics:')), ...analytics, ...othersOfTest]) {
          await endWorkflow(env, workflowId);
        }
        startedByTest.clear();
        othersOfTest.clear();
        sopsOfTest.clear();
      }
    });
  } finally {
    // An alert's activity still finishing when its deal was ended (a busy machine outlasts the wait
    // above) reports its facts by signal-with-start, which can start the SOP's analytics again, on
    // this queue that nobody polls now: SOPs are shared between tests, so every later test's facts
    // would go to that run and time would stop skipping. The worker has stopped: end it at once.
    for (const workflowId of analytics) await endWorkflow(env, workflowId, 0);
  }
}

/** A running deal and the calls tests make on it. */
export class TestDeal {
  constructor(
    readonly handle: WorkflowHandle<typeof dealWorkflow>,
    private readonly client: Client,
  ) {}

  static async start(
    env: TestWorkflowEnvironment,
    taskQueue: string,
    sop: Sop,
    opening: Partial<DealOpening> = {},
    extra: { maxHistoryEvents?: number; timelinePaging?: TimelinePaging; reopenWindowMs?: number } = {},
  ): Promise<TestDeal> {
    startedByTest.add(analyticsWorkflowId(sop.id));
    rememberSop(sop);
    const handle = await env.client.workflow.start(dealWorkflow, {
      taskQueue,
      workflowId: uniqueId('deal'),
      args: [{ opening: makeOpening(opening), sop, openedBy: ALICE, ...extra }],
    });
    startedByTest.add(handle.workflowId);
    return new TestDeal(handle, env.client);
  }

  /**
   * The current run. A query that reaches the time-skipping server while a run is completing with
   * continue-as-new is never answered there, so each query names the run and is retried briefly.
   */
  private async currentRun(): Promise<WorkflowHandle<typeof dealWorkflow>> {
    const { runId } = await this.handle.describe();
    return this.client.workflow.getHandle(this.handle.workflowId, runId);
  }

  private async query<T>(query: QueryDefinition<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const run = await this.currentRun();
      try {
        return await this.client.withDeadline(Date.now() + 3_000, () => run.query(query));
      } catch (error) {
        console.log('query retry', attempt, String(error));
        if (attempt >= 5) throw error;
      }
    }
  }

  /** Fire-and-forget, as the signal path is the one the time-skipping server handles reliably. */
  async act(action: Action, actor: Actor = ALICE): Promise<DealView> {
    await (await this.currentRun()).signal(actSignal, { action, actor });
    return this.view();
  }

  view(): Promise<DealView> {
    return this.query(stateQuery);
  }

  timeline(): Promise<TimelineEntry[]> {
    return this.query(timelineQuery);
  }

  /** The events the deal holds, and where they start in its whole timeline. */
  tail(): Promise<TimelineTail> {
    return this.query(timelineTailQuery);
  }
}

export const ms = (iso: string | null | undefined): number => Date.parse(String(iso));
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Waits, skipping time, until the deal has fired at least `count` alerts and each has a delivery outcome. */
export async function alertsSettled(env: TestWorkflowEnvironment, deal: TestDeal, count = 1): Promise<DealView> {
  for (let i = 0; i < 60; i++) {
    const view = await deal.view();
    if (view.escalations.length >= count && view.escalations.every((e) => e.delivery !== 'pending')) return view;
    await env.sleep(5_000);
  }
  throw new Error('the deliveries never settled');
}

/** Moves the time-skipping server's clock to `targetMs` (never backwards). */
export async function sleepUntil(env: TestWorkflowEnvironment, targetMs: number): Promise<void> {
  const now = await env.currentTimeMs();
  if (targetMs > now) await env.sleep(targetMs - now);
}
