import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
// Not re-exported by @temporalio/common; the client's own list() decodes with it but hides page tokens.
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { PERMISSIONS, type Actor } from '../domain';
import { visibilityLiteral, type DealListing } from '../workflows/deal-listing';
import { DEAL_WORKFLOW, dealIdOf, searchAttributes as keys } from '../workflows/messages';
import { issuePageToken, readPageToken } from './page-token';

export interface DealFilters {
  readonly stage?: string;
  readonly health?: string;
  readonly owner?: string;
  readonly sopId?: string;
  readonly status?: string;
  readonly tier?: string;
  readonly pageSize: number;
  readonly pageToken?: string;
}

export interface DealListItem {
  dealId: string;
  sopId: string;
  sopVersion: number | null;
  status: string;
  stage: string | null;
  health: string | null;
  owner: string;
  customer: { name: string | null; tier: string };
  amount: number;
  currency: string | null;
  stageEnteredAt: string | null;
  nextDeadline: string | null;
  /** When a pause still running began, and the paused time in the current stage before it (for pace). */
  pausedSince: string | null;
  stagePausedMs: number;
  /** Since when nobody has worked the deal in its stage, once flagged idle; else null. */
  idleSince: string | null;
  /** The cause or plan its stage asks for and has not had yet; else null. */
  response: { require: 'cause' | 'plan'; dueBy: string; overdue: boolean } | null;
}

/** The visibility query for these filters; a rep's list is its own deals, whatever owner it asks for. */
function dealQuery(filters: DealFilters, actor: Actor): string {
  const owner = actor.role === 'system' || PERMISSIONS[actor.role].readAll ? filters.owner : actor.subject;
  const clauses = [`WorkflowType = ${visibilityLiteral(DEAL_WORKFLOW)}`];
  const add = (name: string, value: string | undefined) => value !== undefined && clauses.push(`${name} = ${visibilityLiteral(value)}`);
  add(keys.stage.name, filters.stage);
  add(keys.health.name, filters.health);
  add(keys.owner.name, owner);
  add(keys.sopId.name, filters.sopId);
  add(keys.status.name, filters.status);
  add(keys.tier.name, filters.tier);
  return clauses.join(' AND ');
}

/**
 * Deals from visibility: eventually consistent, filtered by search attributes, one page per call.
 * `bounded` puts the call under the API's deadline.
 */
export async function listDeals(
  client: Client,
  namespace: string,
  filters: DealFilters,
  actor: Actor,
  bounded: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<{ deals: DealListItem[]; nextPageToken: string | null }> {
  const query = dealQuery(filters, actor);
  // Checked before Temporal sees it: a token it did not issue is retried there until the deadline.
  const nextPageToken = filters.pageToken ? readPageToken(filters.pageToken, query) : undefined;
  const response = await bounded(() =>
    client.workflowService.listWorkflowExecutions({ namespace, pageSize: filters.pageSize, nextPageToken, query }),
  );
  const deals = (response.executions ?? []).map((execution) => {
    const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
    const memo = execution.memo?.fields?.listing;
    const listing = memo ? defaultPayloadConverter.fromPayload<DealListing>(memo) : null;
    const deadline = attributes.get(keys.stageDeadline);
    return {
      dealId: dealIdOf(execution.execution?.workflowId ?? '') ?? execution.execution?.workflowId ?? '',
      sopId: attributes.get(keys.sopId) ?? '',
      sopVersion: listing?.sopVersion ?? null,
      status: attributes.get(keys.status) ?? 'open',
      stage: attributes.get(keys.stage) ?? null,
      health: attributes.get(keys.health) ?? null,
      owner: attributes.get(keys.owner) ?? '',
      customer: { name: listing?.customerName ?? null, tier: attributes.get(keys.tier) ?? '' },
      amount: attributes.get(keys.amount) ?? 0,
      currency: listing?.currency ?? null,
      stageEnteredAt: listing?.stageEnteredAt ?? null,
      nextDeadline: listing?.nextDeadline ?? (deadline ? deadline.toISOString() : null),
      pausedSince: listing?.pausedSince ?? null,
      stagePausedMs: listing?.stagePausedMs ?? 0,
      idleSince: listing?.idleSince ?? null,
      response: listing?.response ?? null,
    };
  });
  return { deals, nextPageToken: issuePageToken(response.nextPageToken, query) };
}
