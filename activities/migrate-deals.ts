import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/common';
import type { Rejection } from '../domain/rejection';
import { visibilityLiteral, type DealListing } from '../workflows/deal-listing';
import {
  DEAL_WORKFLOW,
  dealIdOf,
  dealWorkflowId,
  migrateUpdate,
  REJECTED_FAILURE,
  searchAttributes as keys,
  type MigrateRequest,
} from '../workflows/messages';

export interface MigrationDeps {
  readonly client: Client;
}

/** One deal's outcome in a migration run, as `GET /v1/migrations/:id` lists it. */
export interface MigratedDeal {
  readonly dealId: string;
  readonly outcome: 'migrated' | 'refused' | 'skipped';
  readonly reason: string | null;
  /** The migration had already moved this deal (a retry, or a second pass over the list). */
  readonly repeated?: true;
}

/** A page of the open deals of an SOP, with the version each runs on as its listing says. */
export interface OpenDealsPage {
  readonly deals: Array<{ dealId: string; sopVersion: number | null }>;
  /** base64; null on the last page. */
  readonly nextPageToken: string | null;
}

/** Open deals of `sopId` from visibility, one page: the migration's list, and the dry run's. */
export async function openDealsPage(client: Client, sopId: string, pageToken: string | null, pageSize = 500): Promise<OpenDealsPage> {
  const query = [
    `WorkflowType = ${visibilityLiteral(DEAL_WORKFLOW)}`,
    `${keys.sopId.name} = ${visibilityLiteral(sopId)}`,
    `${keys.status.name} = 'open'`,
  ].join(' AND ');
  const response = await client.workflowService.listWorkflowExecutions({
    namespace: client.options.namespace,
    pageSize,
    query,
    nextPageToken: pageToken ? Buffer.from(pageToken, 'base64') : undefined,
  });
  const deals = (response.executions ?? []).flatMap((execution) => {
    const dealId = dealIdOf(execution.execution?.workflowId ?? '');
    if (!dealId) return [];
    const memo = execution.memo?.fields?.listing;
    const listing = memo ? defaultPayloadConverter.fromPayload<DealListing>(memo) : null;
    return [{ dealId, sopVersion: listing?.sopVersion ?? null }];
  });
  const token = response.nextPageToken && response.nextPageToken.length > 0 ? Buffer.from(response.nextPageToken).toString('base64') : null;
  return { deals, nextPageToken: token };
}

/** The activities of a migration run (`sopMigrationWorkflow`). */
export function createMigrationSteps({ client }: MigrationDeps) {
  return {
    listOpenDeals: (input: { sopId: string; pageToken: string | null }): Promise<OpenDealsPage> =>
      openDealsPage(client, input.sopId, input.pageToken),

    /**
     * Sends one deal the migration, under the migration's id as the update id: a retry after a lost
     * answer gets the first answer back, and the deal itself remembers the migrations it applied.
     */
    async migrateDeal(input: { dealId: string; request: MigrateRequest }): Promise<MigratedDeal> {
      const { dealId, request } = input;
      const handle = client.workflow.getHandle(dealWorkflowId(dealId));
      try {
        const row = await handle.executeUpdate(migrateUpdate, { args: [request], updateId: `migrate:${request.migrationId}` });
        const outcome = row.outcome === 'migrate' ? 'migrated' : row.outcome === 'refuse' ? 'refused' : 'skipped';
        return { dealId, outcome, reason: row.reason, ...(row.alreadyApplied && { repeated: true as const }) };
      } catch (error) {
        const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
        if (cause instanceof ApplicationFailure && cause.type === REJECTED_FAILURE) {
          const rejection = cause.details?.[0] as Rejection | undefined;
          return { dealId, outcome: 'refused', reason: rejection?.code ?? 'rejected' };
        }
        if (error instanceof WorkflowNotFoundError) {
          // No run to update: a deal that has closed (and completed), or none of that id.
          const closed = await handle.describe().then(
            () => true,
            () => false,
          );
          return { dealId, outcome: 'skipped', reason: closed ? 'deal_closed' : 'unknown_deal' };
        }
        throw error;
      }
    },
  };
}
