import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { AlertEndpoint, Directory } from '../domain';
import { listEntriesQuery, type AlertIds } from '../workflows/alert-messages';

/** A read this young is used as it is. */
const FRESH_MS = 1_000;
/**
 * A read up to this old is used while a fresh one is made, so an alert does not wait on the
 * registry: a change to the endpoints or the directory reaches every alert that fires 2 s after it.
 */
const STALE_MS = 2_000;

type Entries = Record<string, unknown>;

/**
 * The alert endpoints and the people directory as the worker's activities read them: from their
 * registry workflows, at most a second old (or two while a fresh read is under way, so alerts
 * never wait on it under load), one read at a time. No registry yet (nothing
 * created): empty.
 */
export class AlertSettings {
  private readonly reads = new Map<string, { at: number; entries: Entries }>();
  private readonly refreshing = new Map<string, Promise<Entries>>();

  constructor(
    private readonly client: Client,
    readonly ids: AlertIds,
    private readonly now: () => number = Date.now,
  ) {}

  async endpoints(): Promise<AlertEndpoint[]> {
    return Object.values(await this.read(this.ids.endpoints)) as AlertEndpoint[];
  }

  async endpoint(id: string): Promise<AlertEndpoint | null> {
    const all = await this.read(this.ids.endpoints);
    return Object.prototype.hasOwnProperty.call(all, id) ? (all[id] as AlertEndpoint) : null;
  }

  async directory(): Promise<Directory> {
    return (await this.read(this.ids.people)) as Directory;
  }

  private async read(workflowId: string): Promise<Entries> {
    const last = this.reads.get(workflowId);
    const age = last ? this.now() - last.at : Infinity;
    if (last && age < FRESH_MS) return last.entries;
    if (last && age < STALE_MS) {
      this.refresh(workflowId).catch(() => undefined);
      return last.entries;
    }
    return this.refresh(workflowId);
  }

  private refresh(workflowId: string): Promise<Entries> {
    const running = this.refreshing.get(workflowId);
    if (running) return running;
    const at = this.now();
    const read = this.client.workflow
      .getHandle(workflowId)
      .query(listEntriesQuery)
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return {};
        throw error;
      })
      .then((entries) => {
        this.reads.set(workflowId, { at, entries });
        return entries;
      })
      .finally(() => this.refreshing.delete(workflowId));
    this.refreshing.set(workflowId, read);
    return read;
  }
}
