import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { Sop } from '../domain';
import {
  getSopQuery,
  listSopsQuery,
  listSopVersionsQuery,
  publishSopUpdate,
  SOP_REGISTRY_ID,
  SOP_REGISTRY_WORKFLOW,
  type PublishResult,
  type SopProblems,
} from '../workflows/messages';
import { ProblemError, problems } from './problem';
import { SopCache } from './sop-cache';
import { withinDeadline } from './temporal-connection';
import { resendingLostUpdates } from './temporal-errors';

/** Thrown when a definition is refused: it does not lint, or it changes a published version. */
export class SopRejectedError extends Error {
  override readonly name = 'SopRejectedError';
  constructor(readonly rejection: SopProblems) {
    super(rejection.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  }
}

/** The SOP registry workflow, seen from the API. */
export class SopService {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    readonly registryId: string = SOP_REGISTRY_ID,
    private readonly timeoutMs = 10_000,
    private readonly cache = new SopCache(),
  ) {}

  private readonly refreshing = new Map<string, Promise<Sop | null>>();

  /** Bounds every call, so a slow or absent Temporal becomes a 503 rather than a hung request. */
  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withinDeadline(this.client, this.timeoutMs, call);
  }

  /** Publishes through update-with-start, so the first publish also starts the registry. */
  async publish(definition: unknown): Promise<PublishResult> {
    // A start operation runs once, so a publish sent again gets a new one.
    const startRegistry = () =>
      new WithStartWorkflowOperation(SOP_REGISTRY_WORKFLOW, {
        workflowId: this.registryId,
        taskQueue: this.taskQueue,
        args: [{}],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    try {
      const result = await resendingLostUpdates(() =>
        this.client.workflow.executeUpdateWithStart(publishSopUpdate, {
          args: [definition],
          startWorkflowOperation: startRegistry(),
        }),
      );
      this.cache.published(result.id);
      return result;
    } catch (error) {
      const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
      if (cause instanceof ApplicationFailure && cause.details?.[0]) throw new SopRejectedError(cause.details[0] as SopProblems);
      throw error;
    }
  }

  /**
   * The latest version, or one version; null when not published. Versions already read come from
   * the cache; a latest version due to be read again is read in the background while it answers,
   * so no request waits on the registry (whose queries queue behind a busy worker's tasks).
   */
  async get(id: string, version?: number): Promise<Sop | null> {
    const cached = this.cache.get(id, version);
    if (cached && !cached.fresh) void this.refresh(id).catch(() => undefined);
    return cached ? cached.sop : this.read(id, version);
  }

  private async read(id: string, version?: number): Promise<Sop | null> {
    const sop = await this.readRegistry((registry) => registry.query(getSopQuery, id, version), null);
    if (sop) this.cache.remember(sop, version === undefined);
    return sop;
  }

  /** One background read of the latest version per SOP at a time. */
  private refresh(id: string): Promise<Sop | null> {
    const running = this.refreshing.get(id);
    if (running) return running;
    const reading = this.read(id).finally(() => this.refreshing.delete(id));
    this.refreshing.set(id, reading);
    return reading;
  }

  /** The published versions of an SOP, ascending, read from the registry each time (a migration's check). */
  async versions(id: string): Promise<number[]> {
    return this.readRegistry((registry) => registry.query(listSopVersionsQuery, id), []);
  }

  async list(): Promise<Sop[]> {
    return this.readRegistry((registry) => registry.query(listSopsQuery), []);
  }

  private async readRegistry<T>(read: (registry: ReturnType<Client['workflow']['getHandle']>) => Promise<T>, empty: T): Promise<T> {
    try {
      return await this.bounded(() => read(this.client.workflow.getHandle(this.registryId)));
    } catch (error) {
      // Nothing has been published yet: the registry starts with the first publish.
      if (error instanceof WorkflowNotFoundError) return empty;
      throw error;
    }
  }
}

/** A refused definition as the API answers it. */
export function sopProblem(error: SopRejectedError): ProblemError {
  return error.rejection.code === 'sop_version_conflict'
    ? new ProblemError(
        409,
        'Conflict',
        error.rejection.problems[0]?.message ?? 'This version is already published with other content.',
        'sop_version_conflict',
        error.rejection.problems,
      )
    : problems.validation(error.rejection.problems, 'The SOP definition does not lint; see errors.');
}
