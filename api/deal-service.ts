import { createHash } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  defaultPayloadConverter,
} from '@temporalio/common';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import {
  canRead,
  canonicalJson,
  dealView,
  openDeal,
  PERMISSIONS,
  type Action,
  type Actor,
  type DealView,
  type OpenDeal,
  type Rejection,
  type TimelineEntry,
} from '../domain';
import type { dealWorkflow } from '../workflows';
import { startVisibility, type DealListing } from '../workflows/deal-listing';
import {
  actUpdate,
  DEAL_WORKFLOW,
  dealWorkflowId,
  REJECTED_FAILURE,
  rememberRefusalSignal,
  searchAttributes as keys,
  stateQuery,
  timelineQuery,
  type ActResult,
} from '../workflows/messages';
import { issuePageToken, readPageToken } from './page-token';
import { ProblemError, problems } from './problem';
import type { SopService } from './sop-service';
import { withinDeadline } from './temporal-connection';

/** A request's `Idempotency-Key` and a hash of its body. */
export interface Idempotency {
  readonly key: string;
  readonly bodyHash: string;
}

export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('base64url');
}

/** HTTP status of each rejection code (`CONTRACT.md`, Errors). */
const REJECTION_STATUS: Record<Rejection['code'], number> = {
  forbidden: 403,
  deal_closed: 409,
  wrong_stage: 409,
  missing_deliverables: 409,
  already_paused: 409,
  not_paused: 409,
  request_exists: 409,
  unknown_request: 409,
  risk_exists: 409,
  unknown_risk: 409,
  unknown_stage: 422,
  unknown_deliverable: 422,
  idempotency_key_reused: 422,
  validation_failed: 422,
};
const TITLES: Record<number, string> = { 403: 'Forbidden', 409: 'Conflict', 422: 'Unprocessable Content' };

export function rejectionProblem(rejection: Rejection): ProblemError {
  const status = REJECTION_STATUS[rejection.code] ?? 422;
  return new ProblemError(status, TITLES[status] ?? 'Rejected', rejection.message, rejection.code);
}

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
}

const notFound = (dealId: string) => problems.notFound(`No deal "${dealId}" that you may read.`);
const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Deals over the Temporal client: one workflow per deal, reads by query, actions by update. */
export class DealService {
  constructor(
    private readonly client: Client,
    private readonly sops: SopService,
    private readonly taskQueue: string,
    private readonly namespace: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private handle(dealId: string): WorkflowHandle<typeof dealWorkflow> {
    return this.client.workflow.getHandle(dealWorkflowId(dealId));
  }

  /** Bounds every call, so a slow Temporal becomes a 503 rather than a hung request. */
  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withinDeadline(this.client, this.timeoutMs, call);
  }

  async open(input: OpenDeal, actor: Actor, idempotency?: Idempotency): Promise<DealView> {
    if (actor.role !== 'system' && !PERMISSIONS[actor.role].createDeals) throw problems.forbidden(`A ${actor.role} may not create deals.`);
    const owner = input.owner ?? actor.subject;
    if (actor.role === 'rep' && owner !== actor.subject) throw problems.forbidden('A rep may only open deals it owns.');
    const sop = await this.bounded(() => this.sops.get(input.sopId, input.sopVersion));
    if (!sop) {
      const which = input.sopVersion ? `${input.sopId} v${input.sopVersion}` : input.sopId;
      throw new ProblemError(422, 'Unprocessable Content', `No published SOP ${which}.`, 'unknown_sop', [
        { path: input.sopVersion ? 'sopVersion' : 'sopId', message: `SOP ${which} is not published` },
      ]);
    }
    const { sopId: _sopId, sopVersion: _sopVersion, ...facts } = input;
    const opening = { ...facts, owner };
    const openedAt = new Date().toISOString();
    // The deal's first state is a pure function of what it is started with (the workflow opens it
    // with the same openDeal at the same instant): the answer, the list fields and the filters are
    // all known here, so neither the answer nor GET /v1/deals waits for the deal's first workflow task.
    const opened = openDeal(opening, sop, actor, openedAt);
    const visibility = startVisibility(opened.state, sop, opened.events);
    const creation = idempotency && { subject: actor.subject, key: idempotency.key, bodyHash: idempotency.bodyHash };
    const handle = this.handle(input.dealId);
    try {
      await this.bounded(() =>
        this.client.workflow.start(DEAL_WORKFLOW, {
          workflowId: handle.workflowId,
          taskQueue: this.taskQueue,
          args: [{ opening, sop, openedBy: actor, openedAt }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { ...visibility.memo, ...(creation && { creation }) },
          typedSearchAttributes: visibility.typedSearchAttributes,
        }),
      );
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      await this.replayCreation(input.dealId, actor, idempotency);
      return this.bounded(() => handle.query(stateQuery));
    }
    return dealView(opened.state, sop);
  }

  /** A dealId in use: the same caller's retry with the same key and body gets the deal again. */
  private async replayCreation(dealId: string, actor: Actor, idempotency?: Idempotency): Promise<void> {
    const conflict = new ProblemError(409, 'Conflict', `Deal "${dealId}" already exists.`, 'deal_exists');
    if (!idempotency) throw conflict;
    const { memo } = await this.bounded(() => this.handle(dealId).describe());
    const creation = memo?.creation as { subject?: string; key?: string; bodyHash?: string } | undefined;
    if (creation?.subject !== actor.subject || creation.key !== idempotency.key) throw conflict;
    if (creation.bodyHash !== idempotency.bodyHash) {
      throw new ProblemError(
        422,
        'Unprocessable Content',
        'This Idempotency-Key was already used with a different body.',
        'idempotency_key_reused',
      );
    }
  }

  async get(dealId: string, actor: Actor): Promise<DealView> {
    const deal = await this.read(dealId, () => this.handle(dealId).query(stateQuery));
    if (!canRead(actor, deal.owner)) throw notFound(dealId);
    return deal;
  }

  async timeline(dealId: string, actor: Actor): Promise<TimelineEntry[]> {
    await this.get(dealId, actor);
    return this.read(dealId, () => this.handle(dealId).query(timelineQuery));
  }

  async act(dealId: string, action: Action, actor: Actor, idempotency?: Idempotency): Promise<ActResult> {
    if (actor.role !== 'system' && !PERMISSIONS[actor.role].act) throw problems.forbidden(`A ${actor.role} may not act on deals.`);
    if (action.type === 'reassign' && actor.role !== 'system' && !PERMISSIONS[actor.role].reassign) {
      throw problems.forbidden(`A ${actor.role} may not reassign deals.`);
    }
    // A rep may act only on its own deals, and must not learn that another rep's deal exists.
    if (actor.role === 'rep') await this.get(dealId, actor);
    try {
      return await this.read(dealId, () =>
        this.handle(dealId).executeUpdate(actUpdate, {
          args: [{ action, actor, ...(idempotency && { idempotencyKey: idempotency.key, bodyHash: idempotency.bodyHash }) }],
        }),
      );
    } catch (error) {
      const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
      if (cause instanceof ApplicationFailure && cause.type === REJECTED_FAILURE && cause.details?.[0]) {
        const rejection = cause.details[0] as Rejection;
        if (idempotency) await this.rememberRefusal(dealId, actor, idempotency, rejection);
        throw rejectionProblem(rejection);
      }
      if (await this.isClosed(dealId, error)) {
        throw new ProblemError(409, 'Conflict', `Deal "${dealId}" is closed; it takes no more actions.`, 'deal_closed');
      }
      throw error;
    }
  }

  /**
   * A refused update leaves no trace in the deal, so the API tells the deal, and a retry with the
   * same key gets the same refusal. Best effort: if this fails, the retry is decided afresh.
   */
  private async rememberRefusal(dealId: string, actor: Actor, idempotency: Idempotency, rejection: Rejection): Promise<void> {
    if (rejection.code === 'idempotency_key_reused') return;
    await this.bounded(() =>
      this.handle(dealId).signal(rememberRefusalSignal, {
        actor,
        idempotencyKey: idempotency.key,
        bodyHash: idempotency.bodyHash,
        rejection,
      }),
    ).catch(() => undefined);
  }

  /** An update on a completed workflow fails at the server: tell that apart from a missing deal. */
  private async isClosed(dealId: string, error: unknown): Promise<boolean> {
    if (error instanceof ProblemError && error.status === 404) {
      try {
        const { status } = await this.bounded(() => this.handle(dealId).describe());
        return status.name !== 'RUNNING';
      } catch {
        return false;
      }
    }
    return false;
  }

  private async read<T>(dealId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await this.bounded(call);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notFound(dealId);
      throw error;
    }
  }

  /** Deals from visibility: eventually consistent, filtered by search attributes. */
  async list(filters: DealFilters, actor: Actor): Promise<{ deals: DealListItem[]; nextPageToken: string | null }> {
    // A rep lists only its own deals, whatever owner it asks for.
    const owner = actor.role === 'system' || PERMISSIONS[actor.role].readAll ? filters.owner : actor.subject;
    const clauses = [`WorkflowType = ${quote(DEAL_WORKFLOW)}`];
    const add = (name: string, value: string | undefined) => value !== undefined && clauses.push(`${name} = ${quote(value)}`);
    add(keys.stage.name, filters.stage);
    add(keys.health.name, filters.health);
    add(keys.owner.name, owner);
    add(keys.sopId.name, filters.sopId);
    add(keys.status.name, filters.status);
    add(keys.tier.name, filters.tier);
    const query = clauses.join(' AND ');
    // Checked before Temporal sees it: a token it did not issue is retried there until the deadline.
    const nextPageToken = filters.pageToken ? readPageToken(filters.pageToken, query) : undefined;
    const response = await this.bounded(() =>
      this.client.workflowService.listWorkflowExecutions({ namespace: this.namespace, pageSize: filters.pageSize, nextPageToken, query }),
    );
    const deals = (response.executions ?? []).map((execution) => {
      const attributes = decodeTypedSearchAttributes(execution.searchAttributes?.indexedFields);
      const memo = execution.memo?.fields?.listing;
      const listing = memo ? defaultPayloadConverter.fromPayload<DealListing>(memo) : null;
      const deadline = attributes.get(keys.stageDeadline);
      return {
        dealId: (execution.execution?.workflowId ?? '').replace(/^deal:/, ''),
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
      };
    });
    return { deals, nextPageToken: issuePageToken(response.nextPageToken, query) };
  }
}
