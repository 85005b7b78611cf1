// Deals, SOPs, analytics and migrations as the API sees them: workflow names, message definitions,
// search attributes. The API also imports `alert-messages.ts` (alert endpoints and people),
// `deal-listing.ts` (what a deal's visibility row holds) and a migration's input type; nothing else
// of workflows/.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  Action,
  Actor,
  AnalyticsFigures,
  DealEvent,
  DealFact,
  DealView,
  MigrationRow,
  Problem,
  Rejection,
  Sop,
  TimelineEntry,
  TimelineTail,
} from '../domain';

export const DEFAULT_TASK_QUEUE = 'sales-sop';
export const DEAL_WORKFLOW = 'dealWorkflow';
export const SOP_REGISTRY_WORKFLOW = 'sopRegistryWorkflow';
export const SOP_REGISTRY_ID = 'sop-registry';
export const SOP_ANALYTICS_WORKFLOW = 'sopAnalyticsWorkflow';
export const TIMELINE_PAGE_WORKFLOW = 'timelinePageWorkflow';
export const SOP_MIGRATION_WORKFLOW = 'sopMigrationWorkflow';

/** One workflow per migration; the API derives the id from the request, so the same request again finds it running. */
export function migrationWorkflowId(migrationId: string): string {
  return `migration:${migrationId}`;
}

/**
 * The most deals one migration lists: its report (a row per deal) travels across continue-as-new,
 * and 20,000 rows stay well inside Temporal's 2 MB payload limit. Past it the migration stops
 * listing, finishes the deals it has and says `truncated`; running the same request again goes on.
 */
export const MAX_MIGRATION_DEALS = 20_000;

/** `GET /v1/migrations/:migrationId` (`CONTRACT.md` v2.1). */
export interface MigrationStatus {
  readonly migrationId: string;
  readonly sopId: string;
  readonly toVersion: number;
  readonly status: 'running' | 'completed' | 'cancelled';
  readonly counts: { total: number; migrated: number; refused: number; skipped: number; pending: number };
  readonly deals: ReadonlyArray<{ dealId: string; outcome: 'migrated' | 'refused' | 'skipped' | 'pending'; reason: string | null }>;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  /** The SOP had more open deals than one migration lists (`MAX_DEALS`): run the same request again for the rest. */
  readonly truncated?: boolean;
}
export const migrationStatusQuery = defineQuery<MigrationStatus>('migrationStatus');
/** Stops a migration: deals in flight finish, migrated ones stay migrated, pending ones are left alone. */
export const cancelMigrationUpdate = defineUpdate<MigrationStatus>('cancelMigration');

/** One analytics workflow per SOP (all its versions), fed by its deals. */
export function analyticsWorkflowId(sopId: string): string {
  return `analytics:${sopId}`;
}

const DEAL_ID_PREFIX = 'deal:';

/** The workflow id of a deal: the dealId itself, so a dealId can only run once at a time. */
export function dealWorkflowId(dealId: string): string {
  return `${DEAL_ID_PREFIX}${dealId}`;
}

/** The dealId of a deal's workflow id; null for any other workflow. */
export function dealIdOf(workflowId: string): string | null {
  return workflowId.startsWith(DEAL_ID_PREFIX) ? workflowId.slice(DEAL_ID_PREFIX.length) : null;
}

/**
 * The workflow holding the timeline page that begins at index `from` of the deal whose first run
 * was `firstRunId`: a later deal under the same dealId never meets an earlier one's pages.
 */
export function timelinePageWorkflowId(dealId: string, firstRunId: string, from: number): string {
  return `timeline:${dealId}:${firstRunId}:${from}`;
}

/** A page of a deal's older events, in the input of its own workflow (`timelinePageWorkflow`). */
export interface TimelinePageInput {
  readonly dealId: string;
  readonly from: number;
  readonly events: DealEvent[];
}
/** The deal closed: its pages close too, and are kept as long as the deal (the namespace's retention). */
export const closeTimelinePageSignal = defineSignal('closeTimelinePage');

/** An action as the deal receives it, with who sent it and, optionally, an idempotency key. */
export interface ActRequest {
  readonly action: Action;
  readonly actor: Actor;
  readonly idempotencyKey?: string;
  /** A hash of the request body, so a key reused with another body is refused. */
  readonly bodyHash?: string;
}
export interface ActResult {
  readonly accepted: true;
  readonly deal: DealView;
}

export const actUpdate = defineUpdate<ActResult, [ActRequest]>('act');
/** The same action for fire-and-forget senders; a refused one is recorded on the timeline. */
export const actSignal = defineSignal<[ActRequest]>('act');
/** A refused action that carried an `Idempotency-Key`: its retry gets the same refusal. */
export interface RefusedRequest {
  readonly actor: Actor;
  readonly idempotencyKey: string;
  readonly bodyHash: string;
  readonly rejection: Rejection;
}
/** Sent by the API after the deal refused a keyed update: a refusal never enters history on its own. */
export const rememberRefusalSignal = defineSignal<[RefusedRequest]>('rememberRefusal');
export const stateQuery = defineQuery<DealView>('state');

/** Sends a failed or skipped alert again, under its own webhook id. */
export interface RedeliverRequest {
  readonly alertId: string;
  readonly actor: Actor;
}
export const redeliverUpdate = defineUpdate<{ alertId: string; delivery: 'pending' }, [RedeliverRequest]>('redeliver');

/** Moves an open deal to a newer published version of its SOP (`CONTRACT.md` v2.1). */
export interface MigrateRequest {
  readonly migrationId: string;
  /** The version to move to, whole: the deal runs on it from then on, also across continue-as-new. */
  readonly sop: Sop;
  /** Old stage id → new stage id; a stage whose id exists in `sop` maps to itself. */
  readonly stageMap: Record<string, string>;
  /** Only deals on these versions; absent: every version below `sop.version`. */
  readonly fromVersions?: number[];
  readonly actor: Actor;
}
/** Applies a migration and answers the deal's row; a refused or skipped deal is left as it was. */
export const migrateUpdate = defineUpdate<MigrationRow, [MigrateRequest]>('migrate');
/**
 * What `migrateUpdate` would do at the instant given (an ISO time; a query runs on the workflow's
 * clock, which stands at its last task), for a dry run: the same code, and nothing changes.
 */
export const migrationPreviewQuery = defineQuery<MigrationRow, [MigrateRequest, string]>('migrationPreview');
/** The events the deal holds now (the whole timeline unless it moved older ones to pages). Kept for API processes from before pages. */
export const timelineQuery = defineQuery<TimelineEntry[]>('timeline');
/** Where the deal's timeline pages are, and the events it holds after them. */
export const timelineTailQuery = defineQuery<TimelineTail>('timelineTail');

export interface PublishResult {
  readonly id: string;
  readonly version: number;
  /** false when the same content was already published: an idempotent republish. */
  readonly created: boolean;
}
/** Facts one deal reports to its SOP's analytics, in the order the deal produced them. */
export interface DealFactBatch {
  readonly sopId: string;
  readonly facts: readonly DealFact[];
}
export const dealFactsSignal = defineSignal<[DealFactBatch]>('dealFacts');
export const analyticsQuery = defineQuery<AnalyticsFigures>('analytics');
/** The figures of a period of whole weeks: `from` and `to` are ISO instants. */
export const analyticsPeriodQuery = defineQuery<AnalyticsFigures, [string, string]>('analyticsPeriod');

export const publishSopUpdate = defineUpdate<PublishResult, [unknown]>('publish');
export const getSopQuery = defineQuery<Sop | null, [string, number?]>('getSop');
export const listSopsQuery = defineQuery<Sop[]>('listSops');
/** The published versions of one SOP, ascending; none for an unknown id. */
export const listSopVersionsQuery = defineQuery<number[], [string]>('listSopVersions');

/** The failure `type` of an update the deal refused after validation; `details` carries the rejection. */
export const REJECTED_FAILURE = 'ActionRejected';
export type SopProblems = { readonly code: 'validation_failed' | 'sop_version_conflict'; readonly problems: Problem[] };

export const searchAttributes = {
  sopId: defineSearchAttributeKey('SopId', SearchAttributeType.KEYWORD),
  stage: defineSearchAttributeKey('SopStage', SearchAttributeType.KEYWORD),
  health: defineSearchAttributeKey('DealHealth', SearchAttributeType.KEYWORD),
  owner: defineSearchAttributeKey('DealOwner', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('DealStatus', SearchAttributeType.KEYWORD),
  tier: defineSearchAttributeKey('CustomerTier', SearchAttributeType.KEYWORD),
  amount: defineSearchAttributeKey('DealAmount', SearchAttributeType.DOUBLE),
  stageDeadline: defineSearchAttributeKey('StageDeadline', SearchAttributeType.DATETIME),
} as const;

/** `name=Type` pairs, for `temporal server start-dev --search-attribute` and the README. */
export const SEARCH_ATTRIBUTE_DECLARATIONS: ReadonlyArray<{ name: string; type: 'Keyword' | 'Double' | 'Datetime' }> = Object.values(
  searchAttributes,
).map((key) => ({
  name: key.name,
  type: key.type === SearchAttributeType.DOUBLE ? 'Double' : key.type === SearchAttributeType.DATETIME ? 'Datetime' : 'Keyword',
}));
