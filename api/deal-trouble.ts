import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ProblemError } from './problem';

const { EventType, WorkflowTaskFailedCause } = temporal.api.enums.v1;

/** Why a deal cannot answer: its workflow task fails on every attempt. */
export interface DealTrouble {
  /** `nondeterminism`, `workflow_error`, or the server's cause in lower case (e.g. `bad_search_attributes`). */
  readonly cause: string;
  readonly message: string;
  /** The task's attempt now running or waiting: every one before it failed. */
  readonly attempt: number;
  /** When the first failing attempt failed. */
  readonly since: string | null;
}

/** Causes that are part of normal operation (a signal raced the task, a sticky queue was reset): retried and gone. */
const TRANSIENT = new Set<number>([
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_STICKY_TASK_QUEUE,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FAILOVER_CLOSE_COMMAND,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
  WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_UPDATE,
]);

function causeName(cause: number): string {
  if (cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR) return 'nondeterminism';
  if (cause === WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE) return 'workflow_error';
  return (WorkflowTaskFailedCause[cause] ?? String(cause)).replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '').toLowerCase();
}

const TASK_OUTCOMES = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);

/**
 * Whether the deal's workflow is stuck on a task that keeps failing: a task is pending on its second
 * attempt or later, and the last task outcome in history is a failure from the worker (an error in
 * workflow code, non-determinism, a command the server refused). Later attempts of a failing task
 * are not written to history, so that first failure names the reason. Null for a deal that is only
 * slow, or whose last attempt merely timed out (a worker stopped while holding it): those pass.
 */
export async function dealTrouble(client: Client, namespace: string, workflowId: string): Promise<DealTrouble | null> {
  const description = await client.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId } });
  const attempt = description.pendingWorkflowTask?.attempt ?? 0;
  if (attempt < 2) return null;
  const runId = description.workflowExecutionInfo?.execution?.runId ?? undefined;
  const { history } = await client.workflowService.getWorkflowExecutionHistoryReverse({
    namespace,
    execution: { workflowId, runId },
    maximumPageSize: 50,
  });
  const outcome = history?.events?.find((event) => TASK_OUTCOMES.has(event.eventType ?? 0));
  const failed = outcome?.workflowTaskFailedEventAttributes;
  if (!outcome || !failed || TRANSIENT.has(failed.cause ?? 0)) return null;
  const seconds = outcome.eventTime?.seconds;
  return {
    cause: causeName(failed.cause ?? 0),
    message: (failed.failure?.message ?? 'no message').slice(0, 500),
    attempt,
    since: seconds == null ? null : new Date(Number(seconds) * 1000 + Math.floor((outcome.eventTime?.nanos ?? 0) / 1e6)).toISOString(),
  };
}

const CAUSES: Record<string, string> = {
  nondeterminism: 'non-determinism: the workflow code no longer replays this deal as it ran',
  workflow_error: 'an error in the workflow code',
};

/** The 503 a stuck deal answers with, naming what fails. */
export function dealUnavailable(dealId: string, trouble: DealTrouble): ProblemError {
  const what = CAUSES[trouble.cause] ?? `the server refused its commands (${trouble.cause})`;
  return new ProblemError(
    503,
    'Service Unavailable',
    `Deal "${dealId}" cannot answer: its workflow task keeps failing (attempt ${trouble.attempt}` +
      `${trouble.since ? `, failing since ${trouble.since}` : ''}) with ${what}: ${trouble.message}. ` +
      'Its state and timers are kept; it goes on once a worker runs code that can handle it (the worker logs it with this dealId).',
    'deal_unavailable',
    undefined,
    { 'retry-after': '60' },
  );
}

/**
 * `call()`'s answer, unless it has not come within `afterMs` and `stuck()` then finds a reason it
 * never will: a query or update of a deal whose task keeps failing waits for a task that never
 * completes. The call is then cancelled through its abort signal, so it neither waits out its
 * deadline nor retries in the background (the server refuses queries past a small buffer per
 * workflow, and the SDK would retry those until the deadline).
 */
export async function answerUnlessStuck<T>(
  call: (signal: AbortSignal) => Promise<T>,
  stuck: () => Promise<ProblemError | null>,
  afterMs: number,
): Promise<T> {
  const abandon = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const verdict = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      stuck().then(
        (problem) => {
          if (!problem) return;
          reject(problem);
          abandon.abort(problem);
        },
        () => undefined,
      );
    }, afterMs);
  });
  const answer = call(abandon.signal);
  try {
    return await Promise.race([answer, verdict]);
  } finally {
    clearTimeout(timer);
    // The abandoned call's own rejection (cancelled) is expected and of no interest.
    answer.catch(() => undefined);
  }
}

/** How long a deal found stuck is answered from memory, without asking Temporal again. */
const REMEMBER_STUCK_MS = 5_000;
const STUCK_DEALS_KEPT = 1_000;

/**
 * Deals recently found stuck, so that a burst of reads of one (a board polling it, a client
 * retrying) is answered at once rather than each waiting its turn and its second of silence.
 */
export class StuckDeals {
  private readonly known = new Map<string, { problem: ProblemError; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  remember(dealId: string, problem: ProblemError): void {
    if (this.known.size >= STUCK_DEALS_KEPT) this.known.clear();
    this.known.set(dealId, { problem, until: this.now() + REMEMBER_STUCK_MS });
  }

  recall(dealId: string): ProblemError | null {
    const entry = this.known.get(dealId);
    if (!entry) return null;
    if (entry.until > this.now()) return entry.problem;
    this.known.delete(dealId);
    return null;
  }
}
