import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { AlertEndpoint, Directory } from '../domain';
import { listEntriesQuery, type AlertIds } from '../workflows/alert-messages';

/** How old a read of the endpoints or the directory may be when an alert is sent. */
const FRESH_MS = 1_000;

/**
 * The alert endpoints and the people directory as the worker's activities read them: from their
 * registry workflows, at most a second old, one read at a time however many alerts fire together.
 * No registry yet (nothing created): empty.
 */
export class AlertSettings {
  private readonly reads = new Map<string, { at: number; value: Promise<Record<string, unknown>> }>();

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

  private read(workflowId: string): Promise<Record<string, unknown>> {
    const last = this.reads.get(workflowId);
    if (last && this.now() - last.at < FRESH_MS) return last.value;
    const value = this.client.workflow
      .getHandle(workflowId)
      .query(listEntriesQuery)
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return {};
        this.reads.delete(workflowId);
        throw error;
      });
    this.reads.set(workflowId, { at: this.now(), value });
    return value;
  }
}
