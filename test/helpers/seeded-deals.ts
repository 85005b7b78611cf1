import {
  decide,
  dueEvents,
  evolve,
  isRejection,
  openDeal,
  type Action,
  type DealEvent,
  type DealOpening,
  type DealState,
  type Sop,
} from '../../domain';
import { ALICE, makeOpening, makeSop } from './fixtures';

// Monday 2026-01-05 09:00 UTC, the start of a working day on the SOP's calendar (Mon–Fri 09–18 UTC).
export const T0 = Date.parse('2026-01-05T09:00:00.000Z');
export const HOUR = 3_600_000;
export const at = (hours: number) => new Date(T0 + hours * HOUR).toISOString();

export const analyticsSop: Sop = makeSop({
  id: 'analytics-sop',
  stages: [
    {
      id: 'requirements',
      name: 'Requirements confirmed',
      sla: { warnAfter: '90m', breachAfter: '150m' },
      escalations: [{ after: '4h', notify: ['director'] }],
    },
    { id: 'pricing', name: 'Internal price comparison', skipWhen: { field: 'customer.tier', op: 'eq', value: 'A' } },
    { id: 'contract', name: 'Contract signed' },
  ],
});

/** A deal's whole timeline: each action at its hour, with what time produced in between. */
export function timelineOf(opening: Partial<DealOpening>, steps: Array<[number, Action]>, until: number, sop = analyticsSop): DealEvent[] {
  const opened = openDeal(makeOpening(opening), sop, ALICE, at(0));
  let state: DealState = opened.state;
  const events = [...opened.events];
  const apply = (event: DealEvent) => {
    state = evolve(state, event);
    events.push(event);
  };
  for (const [hour, action] of steps) {
    dueEvents(state, sop, at(hour)).forEach(apply);
    const decided = decide(state, action, { now: at(hour), actor: ALICE, sop });
    if (isRejection(decided)) throw new Error(`${action.type} at ${hour} h: ${decided.message}`);
    decided.forEach(apply);
  }
  dueEvents(state, sop, at(until)).forEach(apply);
  return events;
}

export const complete = (stage: string): Action => ({ type: 'complete_stage', stage });
export const lost = (reason: string): Action => ({ type: 'mark_lost', reason });
export const revise = (stage: string): Action => ({ type: 'request_revision', stage, reason: 'Terms changed' });
export const risk = (riskId: string, summary: string): Action => ({ type: 'raise_risk', riskId, summary });

/**
 * Seven deals with known answers. Requirements takes 1, 2, 3, 3.5 and 10 h, and 4 h with 2 h
 * paused (2 h of work); d5 is tier A and skips pricing; d7 is lost in requirements.
 */
export function seededTimelines(): DealEvent[][] {
  return [
    timelineOf(
      { dealId: 'd1' },
      [
        [1, complete('requirements')],
        [2, complete('pricing')],
        [3, complete('contract')],
      ],
      12,
    ),
    timelineOf(
      { dealId: 'd2' },
      [
        [2, complete('requirements')],
        [3, complete('pricing')],
        ...[4, 4.1, 4.2, 4.3].map((h): [number, Action] => [h, revise('contract')]),
        [5, lost('Price too high')],
      ],
      12,
    ),
    timelineOf(
      { dealId: 'd3' },
      [
        [3, complete('requirements')],
        [4, lost('  price TOO high ')],
      ],
      12,
    ),
    timelineOf(
      { dealId: 'd4' },
      [
        [3.5, complete('requirements')],
        [4, complete('pricing')],
        [5, revise('contract')],
        [6, complete('contract')],
      ],
      12,
    ),
    timelineOf(
      { dealId: 'd5', customer: { name: 'Big Co', tier: 'A' } },
      [
        [10, complete('requirements')],
        [10.5, risk('legal', 'Legal review slow')],
      ],
      12,
    ),
    timelineOf(
      { dealId: 'd6' },
      [
        [1, { type: 'pause', reason: 'Customer holiday' }],
        [3, { type: 'resume' }],
        [4, complete('requirements')],
        [5, risk('legal', 'legal review slow')],
      ],
      12,
    ),
    timelineOf({ dealId: 'd7' }, [[0.5, lost('Budget frozen')]], 12),
  ];
}
