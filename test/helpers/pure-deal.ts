import {
  decide,
  dueEvents,
  evolve,
  factsOf,
  initialState,
  isRejection,
  migrateDeal,
  NO_VISIT,
  openDeal,
  trackVisit,
  visitNow,
  type Action,
  type Actor,
  type DealEvent,
  type DealFact,
  type DealState,
  type MigrationDecision,
  type Rejection,
  type Sop,
  type VisitTracker,
} from '../../domain';
import { ALICE, makeOpening, MIA } from './fixtures';

/** Monday 2026-01-05, 09:00 UTC: where the pure-core tests' deals open. */
export const T0 = '2026-01-05T09:00:00.000Z';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** The instant `ms` after T0. */
export const at = (ms: number): string => new Date(Date.parse(T0) + ms).toISOString();
/** Mon–Fri 09:00–18:00 UTC with Wednesday 2026-01-07 a holiday: the week after T0 meets a holiday and a weekend. */
export const HOLIDAY_CALENDAR = {
  timezone: 'UTC',
  workdays: [1, 2, 3, 4, 5],
  hours: { start: '09:00', end: '18:00' },
  holidays: ['2026-01-07'],
};

/**
 * A deal driven through the pure core the way `DealSession` drives it in its workflow: due alerts
 * first, then the action; every event's analytics facts collected as the deal reports them.
 */
export class PureDeal {
  state: DealState;
  visits: VisitTracker = NO_VISIT;
  readonly events: DealEvent[] = [];
  readonly facts: DealFact[] = [];
  constructor(
    public sop: Sop,
    at = T0,
    opening = makeOpening(),
    readonly reopenWindowMs?: number,
  ) {
    this.state = initialState(opening, sop, at);
    this.apply(openDeal(opening, sop, ALICE, at).events);
  }
  apply(events: readonly DealEvent[]): void {
    for (const event of events) {
      this.facts.push(...factsOf(event, this.events.length, this.state, visitNow(this.visits), this.sop));
      this.state = evolve(this.state, event);
      this.visits = trackVisit(this.visits, event);
      this.events.push(event);
    }
  }
  tick(at: string): DealEvent[] {
    const due = dueEvents(this.state, this.sop, at);
    this.apply(due);
    return due;
  }
  attempt(action: Action, at: string, actor: Actor = MIA): DealEvent[] | Rejection {
    this.tick(at);
    return decide(this.state, action, { now: at, actor, sop: this.sop, reopenWindowMs: this.reopenWindowMs });
  }
  act(action: Action, at: string, actor: Actor = MIA): DealEvent[] {
    const events = this.attempt(action, at, actor);
    if (isRejection(events)) throw new Error(events.message);
    this.apply(events);
    return events;
  }
  migrate(to: Sop, at: string, stageMap: Record<string, string> = {}): MigrationDecision {
    this.tick(at);
    const decision = migrateDeal(this.state, visitNow(this.visits), this.sop, to, { migrationId: 'mig-1', stageMap }, at, 'ops-team');
    this.apply(decision.events);
    if (decision.row.outcome === 'migrate') this.sop = to;
    return decision;
  }
  alerts(): string[] {
    return this.state.alerts.map((alert) => `${alert.type}@${alert.firedAt}`);
  }
}
