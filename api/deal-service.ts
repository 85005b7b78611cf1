import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import {
  canRead,
  canReadAll,
  dealView,
  openDeal,
  PERMISSIONS,
  type Action,
  type Actor,
  type DealEvent,
  type DealView,
  type Explanation,
  type OpenDeal,
  type Rejection,
  type TimelineEntry,
  type StoredTimelinePage,
} from '../domain';
import type { dealWorkflow } from '../workflows';
import { startVisibility } from '../workflows/deal-listing';
import {
  actUpdate,
  DEAL_WORKFLOW,
  dealWorkflowId,
  REJECTED_FAILURE,
  rememberRefusalSignal,
  type ActResult,
  redeliverUpdate,
} from '../workflows/messages';
import { listDeals, type DealFilters, type DealListItem } from './deal-list';
import { explainTimeline } from './deal-explain';
import { DealReads } from './deal-reads';
import { timelineIndexOf, timelinePageToken, timelineRange } from './deal-timeline';
import { answerUnlessStuck, dealTrouble, dealUnavailable, StuckDeals } from './deal-trouble';
import type { Idempotency } from './idempotency';
import { OneAtATime } from './one-at-a-time';
import { ProblemError, problems } from './problem';
import { rejectionProblem } from './rejection-problem';
import type { SopService } from './sop-service';
import { TimelinePages } from './timeline-pages';
import { withinDeadline } from './temporal-connection';
import { isClosedBeforeItRan, isWaitingForWorker, resendingLostUpdates, temporalProblem } from './temporal-errors';

/** Events in a page of the timeline when the caller sends a pageToken but no pageSize. */
const DEFAULT_TIMELINE_PAGE = 100;

/** A healthy deal answers a read in milliseconds; one silent this long gets its health checked. */
const STUCK_CHECK_AFTER_MS = 1_000;

const notFound = (dealId: string) => problems.notFound(`No deal "${dealId}" that you may read.`);

/** Deals over the Temporal client: one workflow per deal, reads by query, actions by update. */
export class DealService {
  constructor(
    private readonly client: Client,
    private readonly sops: SopService,
    private readonly taskQueue: string,
    private readonly namespace: string,
    private readonly timeoutMs = 10_000,
    /** REOPEN_WINDOW, handed to each deal it opens; undefined: the deal's default (30 days). */
    private readonly reopenWindowMs?: number,
  ) {
    this.reads = new DealReads(client, namespace);
    this.pages = new TimelinePages(client, namespace);
  }

  /** One query or update per deal at a time from this process (see `OneAtATime`). */
  private readonly inTurn = new OneAtATime();
  private readonly stuckDeals = new StuckDeals();
  private readonly reads: DealReads;
  private readonly pages: TimelinePages;

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
          args: [
            { opening, sop, openedBy: actor, openedAt, ...(this.reopenWindowMs !== undefined && { reopenWindowMs: this.reopenWindowMs }) },
          ],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { ...visibility.memo, ...(creation && { creation }) },
          typedSearchAttributes: visibility.typedSearchAttributes,
        }),
      );
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      await this.replayCreation(input.dealId, actor, idempotency);
      return this.bounded(() => this.reads.state(handle.workflowId));
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
    const deal = await this.read(dealId, () => this.reads.state(dealWorkflowId(dealId)));
    if (!canRead(actor, deal.owner)) throw notFound(dealId);
    return deal;
  }

  /**
   * The deal's events, oldest first: all of them, or with `pageSize` a page from where `pageToken`
   * says (the timeline index it goes on from) and the token of the next page (null after the last).
   */
  async timeline(
    dealId: string,
    actor: Actor,
    paging: { pageSize?: number; pageToken?: string } = {},
  ): Promise<{ events: TimelineEntry[]; nextPageToken?: string | null }> {
    const start = paging.pageToken ? timelineIndexOf(dealId, paging.pageToken) : 0;
    // Only a rep may be refused a deal, which `get` finds out; every other role reads them all.
    if (!canReadAll(actor)) await this.get(dealId, actor);
    const tail = await this.read(dealId, () => this.reads.timeline(dealWorkflowId(dealId)));
    const length = tail.from + tail.events.length;
    const readPage = (page: StoredTimelinePage) =>
      this.bounded(() => this.pages.events(page)).catch((error: unknown) => {
        throw (
          temporalProblem(error) ??
          problems.unavailable(
            `Events ${page.from}–${page.from + page.count - 1} of deal "${dealId}" are in timeline page ${page.workflowId}, which cannot be read: ${error instanceof Error ? error.message : String(error)}`,
          )
        );
      });
    if (paging.pageSize === undefined && paging.pageToken === undefined) return { events: await timelineRange(tail, readPage, 0, length) };
    const end = Math.min(length, start + (paging.pageSize ?? DEFAULT_TIMELINE_PAGE));
    const events = await timelineRange(tail, readPage, start, end);
    return { events, nextPageToken: end < length ? timelinePageToken(dealId, end) : null };
  }

  async act(dealId: string, action: Action, actor: Actor, idempotency?: Idempotency): Promise<ActResult> {
    if (actor.role !== 'system' && !PERMISSIONS[actor.role].act) throw problems.forbidden(`A ${actor.role} may not act on deals.`);
    if (action.type === 'reassign' && actor.role !== 'system' && !PERMISSIONS[actor.role].reassign) {
      throw problems.forbidden(`A ${actor.role} may not reassign deals.`);
    }
    // A rep may act only on its own deals, and must not learn that another rep's deal exists.
    if (actor.role === 'rep') await this.get(dealId, actor);
    return this.update(
      dealId,
      () =>
        this.handle(dealId).executeUpdate(actUpdate, {
          args: [{ action, actor, ...(idempotency && { idempotencyKey: idempotency.key, bodyHash: idempotency.bodyHash }) }],
        }),
      'it takes no more actions',
      idempotency && ((rejection) => this.rememberRefusal(dealId, actor, idempotency, rejection)),
    );
  }

  /** Sends a failed or skipped alert again, under its own webhook id (admin, ops). */
  redeliver(dealId: string, alertId: string, actor: Actor): Promise<{ alertId: string; delivery: 'pending' }> {
    return this.update(
      dealId,
      () => this.handle(dealId).executeUpdate(redeliverUpdate, { args: [{ alertId, actor }] }),
      'its alerts can no longer be sent again',
    );
  }

  /**
   * An update of one deal: a refusal becomes the problem its code names (after `onRefused`), an
   * update of a deal that has closed is 409 `deal_closed` (`closed` says what it no longer does).
   * An update the server dropped with its workflow task is sent again, then answers 503.
   */
  private async update<T>(
    dealId: string,
    call: () => Promise<T>,
    closed: string,
    onRefused?: (rejection: Rejection) => Promise<void>,
  ): Promise<T> {
    try {
      return await this.read(dealId, () => resendingLostUpdates(call));
    } catch (error) {
      const cause = error instanceof WorkflowUpdateFailedError ? error.cause : null;
      if (cause instanceof ApplicationFailure && cause.type === REJECTED_FAILURE && cause.details?.[0]) {
        const rejection = cause.details[0] as Rejection;
        await onRefused?.(rejection);
        throw rejectionProblem(rejection);
      }
      if (await this.isClosed(dealId, error)) {
        throw new ProblemError(409, 'Conflict', `Deal "${dealId}" is closed; ${closed}.`, 'deal_closed');
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

  /**
   * A query or update of one deal. One that has no answer within `STUCK_CHECK_AFTER_MS`, or that the
   * server refuses while the deal's task is failing, asks why: a deal whose workflow task keeps
   * failing answers 503 `deal_unavailable` with the reason at once, not a generic 503 at the deadline.
   */
  private async read<T>(dealId: string, call: () => Promise<T>): Promise<T> {
    const known = this.stuckDeals.recall(dealId);
    if (known) throw known;
    // Waiting for the deal's earlier calls counts against the deadline; a call still waiting for
    // its turn when the request gave up never starts.
    const gaveUp = new AbortController();
    try {
      return await this.bounded(() =>
        this.inTurn.run(
          dealId,
          () =>
            answerUnlessStuck(
              (signal) => this.client.withAbortSignal(signal, call),
              () => this.stuck(dealId),
              STUCK_CHECK_AFTER_MS,
            ),
          gaveUp.signal,
        ),
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw notFound(dealId);
      if (isClosedBeforeItRan(error)) throw problems.notFound(`Deal "${dealId}" was ended before it ever ran; it has no state to read.`);
      if (isWaitingForWorker(error)) throw (await this.bounded(() => this.stuck(dealId)).catch(() => null)) ?? error;
      throw error;
    } finally {
      gaveUp.abort();
    }
  }

  private async stuck(dealId: string): Promise<ProblemError | null> {
    const trouble = await dealTrouble(this.client, this.namespace, dealWorkflowId(dealId));
    if (!trouble) return null;
    const problem = dealUnavailable(dealId, trouble);
    this.stuckDeals.remember(dealId, problem);
    return problem;
  }

  /** Every pending deadline of the deal and every alert it fired, each with its derivation (whoever may read the deal). */
  async explain(dealId: string, actor: Actor): Promise<Explanation> {
    const { events } = await this.timeline(dealId, actor);
    return explainTimeline(events as DealEvent[], (sopId, version) => this.bounded(() => this.sops.get(sopId, version)));
  }

  /** Deals from visibility: eventually consistent, filtered by search attributes. */
  list(filters: DealFilters, actor: Actor): Promise<{ deals: DealListItem[]; nextPageToken: string | null }> {
    return listDeals(this.client, this.namespace, filters, actor, (call) => this.bounded(call));
  }
}
