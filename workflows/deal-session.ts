import { redeliver } from '../domain/alerts';
import { decide, reopenableUntil } from '../domain/decide';
import { dueEvents } from '../domain/deadlines';
import type { DealEvent, AlertEvent } from '../domain/deal-events';
import { factsOf, timelineFacts } from '../domain/deal-facts';
import type { DealFact } from '../domain/deal-fact-schema';
import type { Actor } from '../domain/deal-schema';
import type { AlertPayload, DealState, Instant } from '../domain/deal-state';
import { evolve } from '../domain/evolve';
import { endedIncidents } from '../domain/incidents';
import { idempotencyScope, recall, remember, unexpired, type RememberedAnswer } from '../domain/idempotency';
import { openDeal, type DealOpening } from '../domain/open-deal';
import { migrateDeal, type MigrationDecision, type MigrationRow } from '../domain/migration';
import { canMigrate, canRedeliver } from '../domain/permissions';
import { isRejection, reject, type Rejection } from '../domain/rejection';
import { replayDeal } from '../domain/replay';
import type { Sop } from '../domain/sop-schema';
import { NO_VISIT, trackVisit, visitNow, type StageVisit, type VisitTracker } from '../domain/stage-visit';
import { pagesToArchive, type StoredTimelinePage, type TimelinePage, type TimelinePaging } from '../domain/timeline-pages';
import { dealView, timelineEntry, type DealView, type TimelineTail } from '../domain/view';
import { validation } from './lazy-validation';
import type { ActRequest, ActResult, MigrateRequest, RedeliverRequest, RefusedRequest } from './messages';

/** A message that does not parse, refused with every problem in one line. */
function invalid(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): Rejection {
  return reject('validation_failed', error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; '));
}

/** What a key is remembered with: the timeline length (all of it, pages too) the answer was given at, or the refusal. */
type Answer = number | Rejection;

/** Where a deal's timeline begins when its older events have moved to pages. */
export interface PagedTimeline {
  /** The timeline index of the first event the deal still holds: every event before it is in `pages`. */
  readonly offset: number;
  readonly pages: StoredTimelinePage[];
  /** The deal's state after the events before `offset`, to replay remembered answers from. */
  readonly base: DealState;
}

/** What a deal carries from one run to the next on continue-as-new. */
export interface CarriedDeal {
  readonly state: DealState;
  /** The timeline from `paged.offset` on (all of it without `paged`). */
  readonly events: DealEvent[];
  /** Absent until the deal first moved events to pages. */
  readonly paged?: PagedTimeline;
  /** The stage visit in progress; absent in runs from before pages, whose `events` are the whole timeline. */
  readonly visits?: VisitTracker;
  /** Idempotency keys of the last 24 h and the answer each got: a timeline length, or a refusal. */
  readonly memory: RememberedAnswer<Answer>[];
  /** Analytics facts not yet known to have arrived; absent in runs from before analytics. */
  readonly unreported?: DealFact[];
  /** Incidents ended whose end had not yet reached the on-call endpoints (`incidentKey`s); absent when none. */
  readonly unresolved?: string[];
}

/** What the deal hands on as it changes: alerts to deliver, facts for the SOP's analytics. */
export interface DealHooks {
  /** An alert fell due; `facts` are its event's analytics facts, which go with it rather than to `onFacts`. */
  readonly onAlert: (event: AlertEvent, facts: DealFact[]) => void;
  readonly onFacts: (facts: DealFact[]) => void;
  /** A stage visit or the deal ended with incidents its alerts may have opened on an on-call tool (`incidentKey`). */
  readonly onIncidentsEnded: (keys: string[]) => void;
}

/**
 * One deal inside its workflow: state, timeline and remembered answers, changed only through the
 * domain's `decide` / `evolve`. No Temporal calls here; the workflow wires it to messages and timers.
 */
export class DealSession {
  private constructor(
    private sopVersion: Sop,
    private state: DealState,
    private readonly events: DealEvent[],
    private memory: RememberedAnswer<Answer>[],
    private readonly hooks: DealHooks,
    private paged: PagedTimeline | null,
    private visits: VisitTracker,
    /** How long a lost deal may be reopened (`REOPEN_WINDOW`); undefined: the domain's default. */
    readonly reopenWindowMs: number | undefined,
  ) {}

  /** Bumped by every change, so the workflow's loop wakes up to sync visibility and timers. */
  version = 0;

  static open(opening: DealOpening, sop: Sop, actor: Actor, now: Instant, hooks: DealHooks, reopenWindowMs?: number): DealSession {
    const { state, events } = openDeal(opening, sop, actor, now);
    hooks.onFacts(timelineFacts(events, sop));
    return new DealSession(sop, state, events, [], hooks, null, events.reduce(trackVisit, NO_VISIT), reopenWindowMs);
  }

  /** A deal carried from an earlier run: its unreported facts go again, or all of them if that run kept none. */
  static resume(carried: CarriedDeal, sop: Sop, hooks: DealHooks, reopenWindowMs?: number): DealSession {
    hooks.onFacts(carried.unreported ?? timelineFacts(carried.events, sop));
    const visits = carried.visits ?? carried.events.reduce(trackVisit, NO_VISIT);
    return new DealSession(
      sop,
      carried.state,
      [...carried.events],
      [...carried.memory],
      hooks,
      carried.paged ?? null,
      visits,
      reopenWindowMs,
    );
  }

  /** Until when the deal, lost, may be reopened; null unless it is lost. */
  get reopenableUntil(): Instant | null {
    return reopenableUntil(this.state, this.reopenWindowMs);
  }

  get current(): DealState {
    return this.state;
  }

  /** The SOP version the deal runs on: the one it opened with, until a migration moves it. */
  get sop(): Sop {
    return this.sopVersion;
  }

  /** `unreported` undefined: this run reported no facts, so the next one reports the whole timeline. */
  carry(unreported: DealFact[] | undefined, unresolved: string[] = []): CarriedDeal {
    return {
      state: this.state,
      events: [...this.events],
      memory: [...this.memory],
      unreported,
      ...(unresolved.length > 0 && { unresolved }),
      ...(this.paged && { paged: this.paged }),
      visits: this.visits,
    };
  }

  /** The stage visit in progress, as `currentVisit` reads it from the whole timeline. */
  get visit(): StageVisit | null {
    return visitNow(this.visits);
  }

  view(): DealView {
    return dealView(this.state, this.sop);
  }

  /** Events in the whole timeline, pages included. */
  get timelineLength(): number {
    return this.offset + this.events.length;
  }

  timeline(): TimelineTail {
    return { from: this.offset, pages: this.paged?.pages ?? [], events: this.events.map(timelineEntry) };
  }

  /** The full pages of older events that may leave the deal at `now`: none reaching an answer it still has to replay. */
  pagesToArchive(now: Instant, paging?: TimelinePaging): Array<TimelinePage & { events: DealEvent[] }> {
    const replayed = unexpired(this.memory, now)
      .map((entry) => entry.answer)
      .filter((answer): answer is number => typeof answer === 'number');
    return pagesToArchive(this.events, this.offset, Math.min(this.timelineLength, ...replayed), paging);
  }

  /** `pages`, from `pagesToArchive`, are held elsewhere now: the deal lets go of their events, and of answers past their TTL. */
  archived(pages: readonly StoredTimelinePage[], now: Instant): void {
    const count = pages.reduce((sum, page) => sum + page.count, 0);
    if (count === 0) return;
    this.memory = unexpired(this.memory, now);
    if (pages[0].from !== this.offset) throw new Error(`Timeline pages must start at ${this.offset}, not ${pages[0].from}`);
    const base = this.stateAfter(this.offset + count);
    this.events.splice(0, count);
    this.paged = {
      offset: this.offset + count,
      pages: [...(this.paged?.pages ?? []), ...pages.map(({ from, count: n, workflowId }) => ({ from, count: n, workflowId }))],
      base,
    };
  }

  private get offset(): number {
    return this.paged?.offset ?? 0;
  }

  /** The deal's state after the first `count` events of its whole timeline; `count` is not before the events it holds. */
  private stateAfter(count: number): DealState {
    if (!this.paged) return replayDeal(this.events, this.sop, count);
    return this.events.slice(0, count - this.paged.offset).reduce(evolve, this.paged.base);
  }

  /** Applies every deadline that has come due by `now`; each alert is handed on for delivery. */
  catchUp(now: Instant): void {
    for (const event of dueEvents(this.state, this.sop, now)) this.hooks.onAlert(event, this.apply(event, false));
  }

  record(event: DealEvent): void {
    this.apply(event);
  }

  /**
   * The answer an action would get now: a rejection, a remembered answer, or the events it causes.
   * Pure, so the update validator can call it without changing anything.
   */
  evaluate(request: ActRequest, now: Instant): Rejection | { replay: number } | { events: DealEvent[] } {
    // Signals arrive unvalidated from any sender: check the whole request before reading it.
    const parsed = validation().actRequestSchema.safeParse(request);
    if (!parsed.success) return invalid(parsed.error);
    if (request.idempotencyKey) {
      const remembered = recall(this.memory, idempotencyScope(request.actor.subject, request.idempotencyKey), request.bodyHash ?? '');
      if (remembered.kind === 'replay') return isRejection(remembered.answer) ? remembered.answer : { replay: remembered.answer };
      if (remembered.kind === 'conflict') {
        return reject('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body.');
      }
    }
    const projected = dueEvents(this.state, this.sop, now).reduce(evolve, this.state);
    const decision = decide(projected, parsed.data.action, {
      now,
      actor: parsed.data.actor,
      sop: this.sop,
      reopenWindowMs: this.reopenWindowMs,
    });
    return isRejection(decision) ? decision : { events: decision };
  }

  /** Applies an accepted action and returns its answer; a retry with the same key gets the first one. */
  act(request: ActRequest, now: Instant): ActResult | Rejection {
    this.catchUp(now);
    const outcome = this.evaluate(request, now);
    if (isRejection(outcome)) return outcome;
    if ('replay' in outcome) return { accepted: true, deal: dealView(this.stateAfter(outcome.replay), this.sop) };
    outcome.events.forEach((event) => this.apply(event));
    if (request.idempotencyKey) {
      const scope = idempotencyScope(request.actor.subject, request.idempotencyKey);
      this.memory = remember(this.memory, { scope, bodyHash: request.bodyHash ?? '', at: now, answer: this.timelineLength }, now);
    }
    return { accepted: true, deal: this.view() };
  }

  /**
   * What the migration would do now: the deal's row and the event that moves it, or a rejection of
   * a request that is malformed or not allowed. Pure, for the update validator and the dry run.
   */
  previewMigration(request: MigrateRequest, now: Instant): Rejection | (MigrationDecision & { readonly to: Sop }) {
    const { migrateRequestSchema, checkSop } = validation();
    const parsed = migrateRequestSchema.safeParse(request);
    if (!parsed.success) return invalid(parsed.error);
    const { migrationId, stageMap, fromVersions, actor } = parsed.data;
    if (!canMigrate(actor)) return reject('forbidden', `A ${actor.role} may not move deals to another SOP version.`);
    const checked = checkSop(parsed.data.sop);
    if (!checked.ok) return reject('validation_failed', checked.problems.map((p) => `sop.${p.path}: ${p.message}`).join('; '));
    const projected = dueEvents(this.state, this.sop, now).reduce(evolve, this.state);
    const plan = { migrationId, stageMap, ...(fromVersions && { fromVersions }) };
    return { ...migrateDeal(projected, this.visit, this.sop, checked.sop, plan, now, actor.subject), to: checked.sop };
  }

  /** Applies a migration: the deal moves to the new version, or stays as it was when its row says refuse or skip. */
  migrate(request: MigrateRequest, now: Instant): MigrationRow | Rejection {
    this.catchUp(now);
    const decision = this.previewMigration(request, now);
    if (isRejection(decision)) return decision;
    decision.events.forEach((event) => this.apply(event));
    if (decision.events.length > 0) this.sopVersion = decision.to;
    return decision.row;
  }

  /** Whether an alert may be sent again now: the event that marks it pending again, or why not. */
  checkRedelivery(request: RedeliverRequest, now: Instant): Rejection | { events: DealEvent[]; payload: AlertPayload } {
    const parsed = validation().redeliverRequestSchema.safeParse(request);
    if (!parsed.success) return invalid(parsed.error);
    if (!canRedeliver(parsed.data.actor)) return reject('forbidden', `A ${parsed.data.actor.role} may not send alerts again.`);
    const event = redeliver(this.state, parsed.data.alertId, now, parsed.data.actor.subject);
    if (isRejection(event)) return event;
    const payload = this.state.alerts.find((alert) => alert.id === parsed.data.alertId)?.payload as AlertPayload;
    return { events: [event], payload };
  }

  /** Marks the alert pending again and returns its body, for the workflow to send under its own id. */
  redeliver(request: RedeliverRequest, now: Instant): Rejection | AlertPayload {
    const checked = this.checkRedelivery(request, now);
    if (isRejection(checked)) return checked;
    checked.events.forEach((event) => this.apply(event));
    return checked.payload;
  }

  /** Remembers a refusal the API saw for a keyed request, unless the key already has an answer. */
  rememberRefusal(request: RefusedRequest, now: Instant): void {
    const parsed = validation().refusedRequestSchema.safeParse(request);
    if (!parsed.success || parsed.data.rejection.code === 'idempotency_key_reused') return;
    const scope = idempotencyScope(parsed.data.actor.subject, parsed.data.idempotencyKey);
    if (recall(this.memory, scope, parsed.data.bodyHash).kind !== 'new') return;
    this.memory = remember(
      this.memory,
      { scope, bodyHash: parsed.data.bodyHash, at: now, answer: parsed.data.rejection as Rejection },
      now,
    );
  }

  /** Applies `event` and returns its facts, which are reported unless `report` is false. */
  private apply(event: DealEvent, report = true): DealFact[] {
    const before = this.state;
    const visit = this.visit;
    this.state = evolve(this.state, event);
    this.visits = trackVisit(this.visits, event);
    this.events.push(event);
    this.version++;
    const facts = factsOf(event, this.timelineLength - 1, before, visit, this.sop);
    if (report) this.hooks.onFacts(facts);
    const ended = endedIncidents(before, this.state);
    if (ended.length > 0) this.hooks.onIncidentsEnded(ended);
    return facts;
  }
}
