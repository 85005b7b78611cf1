import type { Client } from '@temporalio/client';
import { dealIdOf, DEAL_WORKFLOW, searchAttributes as keys } from '../workflows/messages';
import { visibilityLiteral } from '../workflows/deal-listing';

/** Which of an SOP's deals a what-if replays (`CONTRACT.md` v2.2, `deals`). */
export interface DealSelection {
  readonly status: 'open' | 'closed' | 'all';
  /** The deal's own opening instant; visibility narrows by it, the timeline decides. */
  readonly openedFrom?: string;
  readonly openedTo?: string;
}

/**
 * The visibility query for an SOP's deals, any version: each deal once, as its latest run (a run
 * that continued as new is listed too, and left out here). A deal opened at or after `openedFrom`
 * has every run started after it, so that bound narrows the list; `openedTo` cannot (a later run
 * starts later), and is left to the caller, which reads the deal's opening.
 */
export function sopDealsQuery(sopId: string, selection: DealSelection): string {
  return [
    `WorkflowType = ${visibilityLiteral(DEAL_WORKFLOW)}`,
    `${keys.sopId.name} = ${visibilityLiteral(sopId)}`,
    `ExecutionStatus != 'ContinuedAsNew'`,
    ...(selection.status === 'open' ? [`${keys.status.name} = 'open'`] : []),
    ...(selection.status === 'closed' ? [`${keys.status.name} IN ('won', 'lost')`] : []),
    ...(selection.openedFrom ? [`StartTime >= ${visibilityLiteral(selection.openedFrom)}`] : []),
  ].join(' AND ');
}

/** One page of deal ids from visibility; `nextPageToken` null after the last. */
export async function sopDealsPage(
  client: Client,
  namespace: string,
  query: string,
  pageToken: Uint8Array | null,
  pageSize = 1_000,
): Promise<{ dealIds: string[]; nextPageToken: Uint8Array | null }> {
  const response = await client.workflowService.listWorkflowExecutions({
    namespace,
    pageSize,
    query,
    ...(pageToken && { nextPageToken: pageToken }),
  });
  const dealIds = (response.executions ?? []).flatMap((execution) => dealIdOf(execution.execution?.workflowId ?? '') ?? []);
  const token = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : null;
  return { dealIds, nextPageToken: token };
}
