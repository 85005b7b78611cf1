import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { AlertEndpoint, Directory } from '../domain';
import { listEntriesQuery, type AlertIds } from '../workflows/alert-messages';

/**
 * A read this young is used as it is: a change to the endpoints or the directory reaches every
 * alert that fires a second after it. (Answering from an older read while a fresh one is made was
 * measured, and bought no lateness: bench/README.md.)
 */
const FRESH_MS = 1_000;

type Entries = Record<string, unknown>;

/**
 * The alert endpoints and the people directory as the worker's activities read them: from their
 * registry workflows, at most a second old, one read at a time however many alerts fire
 * together. No registry yet (nothing created): empty.
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
    if (last && this.now() - last.at < FRESH_MS) return last.entries;
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
