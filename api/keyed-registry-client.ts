import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  deleteEntryUpdate,
  getEntryQuery,
  KEYED_REGISTRY_WORKFLOW,
  listEntriesQuery,
  putEntriesUpdate,
  putEntryUpdate,
} from '../workflows/alert-messages';
import { withinDeadline } from './temporal-connection';
import { resendingLostUpdates } from './temporal-errors';

/** One keyed registry workflow (alert endpoints, people) as the API reads and writes it; started by its first write. */
export class KeyedRegistryClient<T> {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
    readonly workflowId: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async list(): Promise<Record<string, T>> {
    return this.reading(() => this.client.workflow.getHandle(this.workflowId).query(listEntriesQuery), {}) as Promise<Record<string, T>>;
  }

  async get(key: string): Promise<T | null> {
    return this.reading(() => this.client.workflow.getHandle(this.workflowId).query(getEntryQuery, key), null) as Promise<T | null>;
  }

  async put(key: string, value: T): Promise<void> {
    await this.writing(putEntryUpdate, { key, value });
  }

  /** Writes every entry; answers how many changed. */
  async putAll(entries: Record<string, T>): Promise<number> {
    return this.writing(putEntriesUpdate, entries);
  }

  /** Whether there was such an entry. */
  async delete(key: string): Promise<boolean> {
    const exists = await this.get(key);
    if (exists === null) return false;
    return this.writing(deleteEntryUpdate, key);
  }

  private reading<R>(call: () => Promise<R>, empty: R): Promise<R> {
    return withinDeadline(this.client, this.timeoutMs, () =>
      call().catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return empty;
        throw error;
      }),
    );
  }

  private writing<R, A>(update: UpdateDefinition<R, [A]>, arg: A): Promise<R> {
    // A start operation runs once, so an update sent again gets a new one.
    const start = () =>
      new WithStartWorkflowOperation(KEYED_REGISTRY_WORKFLOW, {
        workflowId: this.workflowId,
        taskQueue: this.taskQueue,
        args: [{}],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    return withinDeadline(this.client, this.timeoutMs, () =>
      resendingLostUpdates(() => this.client.workflow.executeUpdateWithStart(update, { args: [arg], startWorkflowOperation: start() })),
    );
  }
}
