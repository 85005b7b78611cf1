import { decide } from '../domain/decide';
import { dueEvents } from '../domain/deadlines';
import type { DealEvent, AlertEvent } from '../domain/deal-events';
import { factsOf, timelineFacts } from '../domain/deal-facts';
import type { DealFact } from '../domain/deal-fact-schema';
import type { Actor } from '../domain/deal-schema';
import type { DealState, Instant } from '../domain/deal-state';
import { evolve } from '../domain/evolve';
import { idempotencyScope, recall, remember, type RememberedAnswer } from '../domain/idempotency';
import { openDeal, type DealOpening } from '../domain/open-deal';
import { isRejection, reject, type Rejection } from '../domain/rejection';
import { replayDeal } from '../domain/replay';
import type { Sop } from '../domain/sop-schema';
import { dealView, timelineEntry, type DealView, type TimelineEntry } from '../domain/view';
import { validation } from './lazy-validation';
import type { ActRequest, ActResult, RefusedRequest } from './messages';

/** What a key is remembered with: the timeline length the answer was given at, or the refusal. */
type Answer = number | Rejection;

/** What a deal carries from one run to the next on continue-as-new. */
export interface CarriedDeal {
  readonly state: DealState;
  readonly events: DealEvent[];
  /** Idempotency keys of the last 24 h and the answer each got: a timeline length, or a refusal. */
  readonly memory: RememberedAnswer<Answer>[];
  /** Analytics facts not yet known to have arrived; absent in runs from before analytics. */
  readonly unreported?: DealFact[];
}

/** What the deal hands on as it changes: alerts to deliver, facts for the SOP's analytics. */
export interface DealHooks {
  readonly onAlert: (event: AlertEvent) => void;
  readonly onFacts: (facts: DealFact[]) => void;
}

/**
 * One deal inside its workflow: state, timeline and remembered answers, changed only through the
 * domain's `decide` / `evolve`. No Temporal calls here; the workflow wires it to messages and timers.
 */
export class DealSession {
  private constructor(
    readonly sop: Sop,
    private state: DealState,
    private readonly events: DealEvent[],
    private memory: RememberedAnswer<Answer>[],
    private readonly hooks: DealHooks,
  ) {}

  /** Bumped by every change, so the workflow's loop wakes up to sync visibility and timers. */
  version = 0;

  static open(opening: DealOpening, sop: Sop, actor: Actor, now: Instant, hooks: DealHooks): DealSession {
    const { state, events } = openDeal(opening, sop, actor, now);
    hooks.onFacts(timelineFacts(events, sop));
    return new DealSession(sop, state, events, [], hooks);
  }

  /** A deal carried from an earlier run: its unreported facts go again, or all of them if that run kept none. */
  static resume(carried: CarriedDeal, sop: Sop, hooks: DealHooks): DealSession {
    hooks.onFacts(carried.unreported ?? timelineFacts(carried.events, sop));
    return new DealSession(sop, carried.state, [...carried.events], [...carried.memory], hooks);
  }

  get current(): DealState {
    return this.state;
  }

  /** `unreported` undefined: this run reported no facts, so the next one reports the whole timeline. */
  carry(unreported: DealFact[] | undefined): CarriedDeal {
    return { state: this.state, events: [...this.events], memory: [...this.memory], unreported };
  }

  get timelineEvents(): readonly DealEvent[] {
    return this.events;
  }

  view(): DealView {
    return dealView(this.state, this.sop);
  }

  timeline(): TimelineEntry[] {
    return this.events.map(timelineEntry);
  }

  /** Applies every deadline that has come due by `now`; each alert is handed on for delivery. */
  catchUp(now: Instant): void {
    for (const event of dueEvents(this.state, this.sop, now)) {
      this.apply(event);
      this.hooks.onAlert(event);
    }
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
    if (!parsed.success) return reject('validation_failed', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    if (request.idempotencyKey) {
      const remembered = recall(this.memory, idempotencyScope(request.actor.subject, request.idempotencyKey), request.bodyHash ?? '');
      if (remembered.kind === 'replay') return isRejection(remembered.answer) ? remembered.answer : { replay: remembered.answer };
      if (remembered.kind === 'conflict') {
        return reject('idempotency_key_reused', 'This Idempotency-Key was already used with a different request body.');
      }
    }
    const projected = dueEvents(this.state, this.sop, now).reduce(evolve, this.state);
    const decision = decide(projected, parsed.data.action, { now, actor: parsed.data.actor, sop: this.sop });
    return isRejection(decision) ? decision : { events: decision };
  }

  /** Applies an accepted action and returns its answer; a retry with the same key gets the first one. */
  act(request: ActRequest, now: Instant): ActResult | Rejection {
    this.catchUp(now);
    const outcome = this.evaluate(request, now);
    if (isRejection(outcome)) return outcome;
    if ('replay' in outcome) return { accepted: true, deal: dealView(replayDeal(this.events, this.sop, outcome.replay), this.sop) };
    outcome.events.forEach((event) => this.apply(event));
    if (request.idempotencyKey) {
      const scope = idempotencyScope(request.actor.subject, request.idempotencyKey);
      this.memory = remember(this.memory, { scope, bodyHash: request.bodyHash ?? '', at: now, answer: this.events.length }, now);
    }
    return { accepted: true, deal: this.view() };
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

  private apply(event: DealEvent): void {
    const before = this.state;
    this.state = evolve(this.state, event);
    this.events.push(event);
    this.version++;
    this.hooks.onFacts(factsOf(this.events, this.events.length - 1, before, this.sop));
  }
}
