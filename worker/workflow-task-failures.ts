import type { Client } from '@temporalio/client';
import type { LogMetadata, MetricCounter, MetricMeter } from '@temporalio/common';
import type pino from 'pino';
import { dealIdOf } from '../workflows/messages';

/** A workflow task the worker failed, as the SDK's core reports it: the run, the cause, the message. */
export interface FailedWorkflowTask {
  readonly runId: string;
  /** `nondeterminism` (the code no longer replays the history) or `workflow_error` (it threw, or ran too long). */
  readonly cause: 'nondeterminism' | 'workflow_error';
  readonly message: string;
}

/** The workflow a run belongs to, from visibility. */
export interface RunOwner {
  readonly workflowId: string;
  readonly workflowType: string;
}

// The SDK core's own words (sdk-core, worker/workflow/mod.rs); test/worker/worker-process.test.ts fails
// if an SDK upgrade changes them.
const FAILING_TASK = 'Failing workflow task';

/**
 * Reads core's "Failing workflow task" log record (forwarded to the runtime logger): which run, and
 * the failure as Rust debug text, `Failure { failure: Some(Failure { message: "…", … }), force_cause: … }`.
 */
export function failedWorkflowTask(message: string, meta: LogMetadata | undefined): FailedWorkflowTask | null {
  if (message !== FAILING_TASK || meta?.sdkComponent !== 'core' || typeof meta.runId !== 'string') return null;
  const failure = typeof meta.failure === 'string' ? meta.failure : '';
  const text = /message: "((?:[^"\\]|\\.)*)"/.exec(failure)?.[1];
  return {
    runId: meta.runId,
    cause: /force_cause: NonDeterministicError/.test(failure) ? 'nondeterminism' : 'workflow_error',
    message: (text === undefined ? failure : unescapeRust(text)).slice(0, 500),
  };
}

/** Undoes Rust's `{:?}` string escapes: `\"`, `\\`, `\n`, `\t`, `\r`, `\'`, `\u{1f4a5}`. */
function unescapeRust(text: string): string {
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
  return text.replace(/\\(u\{([0-9a-fA-F]{1,6})\}|.)/g, (_match, escape: string, hex: string | undefined) =>
    hex ? String.fromCodePoint(Number.parseInt(hex, 16)) : (simple[escape] ?? escape),
  );
}

/** Finds a run's workflow through visibility (core names only the run). */
export function visibilityRunOwner(client: Client, namespace: string): (runId: string) => Promise<RunOwner | null> {
  return async (runId) => {
    if (!/^[0-9a-f-]{1,64}$/i.test(runId)) return null;
    const { executions } = await client.workflowService.listWorkflowExecutions({ namespace, pageSize: 1, query: `RunId = '${runId}'` });
    const execution = executions?.[0];
    const workflowId = execution?.execution?.workflowId;
    return workflowId ? { workflowId, workflowType: execution?.type?.name ?? 'unknown' } : null;
  };
}

const OWNERS_KEPT = 1_000;

/**
 * A deal whose workflow task fails makes no progress and answers no query until the code is fixed:
 * each failed attempt is logged at error level with the deal id and counted in
 * `deal_workflow_task_failures_total` (labels `workflow_type`, `cause`), on the worker's metrics.
 */
export class WorkflowTaskFailures {
  private readonly counter: MetricCounter;
  private readonly owners = new Map<string, RunOwner | null>();
  private findOwner: ((runId: string) => Promise<RunOwner | null>) | null = null;

  constructor(
    private readonly logger: pino.Logger,
    meter: MetricMeter,
  ) {
    this.counter = meter.createCounter(
      'deal_workflow_task_failures_total',
      'failures',
      'Workflow tasks the worker failed (an error in workflow code, a task over its time limit, non-determinism); such a workflow is stuck until fixed',
    );
  }

  /** Lookups of a failed run's workflow go through `find` from now on (the client exists after the runtime). */
  lookUpOwnersWith(find: (runId: string) => Promise<RunOwner | null>): void {
    this.findOwner = find;
  }

  /** Sees every record the runtime logs; acts on core's failed workflow tasks. */
  observe(message: string, meta: LogMetadata | undefined): void {
    const task = failedWorkflowTask(message, meta);
    if (task) void this.report(task);
  }

  async report(task: FailedWorkflowTask): Promise<void> {
    const owner = await this.ownerOf(task.runId);
    const workflowType = owner?.workflowType ?? 'unknown';
    this.counter.add(1, { workflow_type: workflowType, cause: task.cause });
    const dealId = owner ? dealIdOf(owner.workflowId) : null;
    this.logger.error(
      { dealId, workflowId: owner?.workflowId ?? null, workflowType, runId: task.runId, cause: task.cause, failure: task.message },
      dealId
        ? `Deal ${dealId}: its workflow task failed (${task.cause}); the deal is stuck until this is fixed`
        : `Workflow task failed (${task.cause}); the workflow is stuck until this is fixed`,
    );
  }

  private async ownerOf(runId: string): Promise<RunOwner | null> {
    if (this.owners.has(runId)) return this.owners.get(runId) ?? null;
    // A new run may not be in visibility the moment its first task fails: ask a few times.
    let owner: RunOwner | null = null;
    for (let attempt = 0; attempt < 3 && !owner && this.findOwner; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      owner = await this.findOwner(runId).catch(() => null);
    }
    if (this.owners.size >= OWNERS_KEPT) this.owners.clear();
    if (owner) this.owners.set(runId, owner);
    return owner;
  }
}
