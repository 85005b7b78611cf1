import { workingTimeBetween } from './calendar';
import type { DealEvent } from './deal-events';
import type { Instant } from './deal-state';
import type { Calendar } from './sop-schema';

/** The deal's time in its current stage, read back from the timeline. */
export interface StageVisit {
  readonly stage: string;
  readonly enteredAt: Instant;
  /** Intervals the deal was paused during the visit; `to` is null while it still is. */
  readonly pauses: ReadonlyArray<{ readonly from: Instant; readonly to: Instant | null }>;
  readonly warned: boolean;
  readonly breached: boolean;
  readonly escalations: number;
}

const ENDS_VISIT = new Set<DealEvent['type']>(['stage_completed', 'stage_moved', 'deal_won', 'deal_lost']);

/** The visit in progress after the first `end` events, or null when the deal is between stages or closed. */
export function currentVisit(events: readonly DealEvent[], end = events.length): StageVisit | null {
  let start = end - 1;
  while (start >= 0 && events[start].type !== 'stage_entered') {
    if (ENDS_VISIT.has(events[start].type)) return null;
    start--;
  }
  const entered = events[start];
  if (entered?.type !== 'stage_entered') return null;
  // Work began paused if the deal was paused when it reached the stage.
  let pausedSince: Instant | null = pausedAt(events, start);
  if (pausedSince !== null) pausedSince = entered.at;
  const pauses: Array<{ from: Instant; to: Instant | null }> = [];
  let warned = false;
  let breached = false;
  let escalations = 0;
  let stage = entered.data.stage;
  for (const event of events.slice(start + 1, end)) {
    if (event.type === 'sop_migrated') stage = event.data.toStage;
    if (event.type === 'paused') pausedSince = event.at;
    if (event.type === 'resumed' && pausedSince !== null) {
      pauses.push({ from: pausedSince, to: event.at });
      pausedSince = null;
    }
    if (event.type === 'sla_warning') warned = true;
    if (event.type === 'sla_breached') warned = breached = true;
    if (event.type === 'escalation_fired') escalations++;
  }
  if (pausedSince !== null) pauses.push({ from: pausedSince, to: null });
  return { stage, enteredAt: entered.at, pauses, warned, breached, escalations };
}

/**
 * `currentVisit` kept up to date one event at a time, for a deal whose older events are no longer
 * at hand (moved to timeline pages): what the scan above finds, without the events before.
 */
export interface VisitTracker {
  /** When the deal was paused, or null while it runs: a visit that begins now begins paused. */
  readonly pausedSince: Instant | null;
  readonly visit: {
    readonly stage: string;
    readonly enteredAt: Instant;
    readonly pauses: ReadonlyArray<{ readonly from: Instant; readonly to: Instant }>;
    /** The pause the visit is in now, if any. */
    readonly pausedFrom: Instant | null;
    readonly warned: boolean;
    readonly breached: boolean;
    readonly escalations: number;
  } | null;
}

export const NO_VISIT: VisitTracker = { pausedSince: null, visit: null };

/** The tracker after one more event. */
export function trackVisit(tracker: VisitTracker, event: DealEvent): VisitTracker {
  const pausedSince = event.type === 'paused' ? event.at : event.type === 'resumed' ? null : tracker.pausedSince;
  if (event.type === 'stage_entered') {
    const visit = { stage: event.data.stage, enteredAt: event.at, pauses: [], warned: false, breached: false, escalations: 0 };
    return { pausedSince, visit: { ...visit, pausedFrom: tracker.pausedSince === null ? null : event.at } };
  }
  if (ENDS_VISIT.has(event.type)) return { pausedSince, visit: null };
  const visit = tracker.visit;
  if (!visit) return pausedSince === tracker.pausedSince ? tracker : { pausedSince, visit };
  switch (event.type) {
    case 'paused':
      return { pausedSince, visit: { ...visit, pausedFrom: event.at } };
    case 'resumed':
      return visit.pausedFrom === null
        ? { pausedSince, visit }
        : { pausedSince, visit: { ...visit, pauses: [...visit.pauses, { from: visit.pausedFrom, to: event.at }], pausedFrom: null } };
    case 'sla_warning':
      return { pausedSince, visit: { ...visit, warned: true } };
    case 'sla_breached':
      return { pausedSince, visit: { ...visit, warned: true, breached: true } };
    case 'escalation_fired':
      return { pausedSince, visit: { ...visit, escalations: visit.escalations + 1 } };
    case 'sop_migrated':
      return { pausedSince, visit: { ...visit, stage: event.data.toStage } };
    default:
      return tracker;
  }
}

/** The visit in progress as the tracker has it, in `currentVisit`'s terms. */
export function visitNow(tracker: VisitTracker): StageVisit | null {
  const visit = tracker.visit;
  if (!visit) return null;
  const { pausedFrom, ...rest } = visit;
  return { ...rest, pauses: pausedFrom === null ? visit.pauses : [...visit.pauses, { from: pausedFrom, to: null }] };
}

/** When the deal was paused as of `events[index]`, or null if it was running. */
function pausedAt(events: readonly DealEvent[], index: number): Instant | null {
  for (let i = index - 1; i >= 0; i--) {
    if (events[i].type === 'resumed') return null;
    if (events[i].type === 'paused') return events[i].at;
  }
  return null;
}

/** Time spent working the stage up to `until`: paused time does not count, as on the SLA clocks. */
export function visitTime(visit: StageVisit, until: Instant, calendar: Calendar): { wallMs: number; workingMs: number } {
  const from = Date.parse(visit.enteredAt);
  const to = Math.max(from, Date.parse(until));
  let wallMs = to - from;
  let workingMs = workingTimeBetween(from, to, calendar);
  for (const pause of visit.pauses) {
    const start = Math.max(from, Date.parse(pause.from));
    const end = Math.min(to, pause.to === null ? to : Date.parse(pause.to));
    if (end <= start) continue;
    wallMs -= end - start;
    workingMs -= workingTimeBetween(start, end, calendar);
  }
  return { wallMs: Math.max(0, wallMs), workingMs: Math.max(0, workingMs) };
}
