import { explainDeal, visitNow, type AlertPayload, type DealEvent, type Sop } from '../../domain';
import { makeSop } from '../helpers/fixtures';
import { PureDeal, T0, HOLIDAY_CALENDAR } from '../helpers/pure-deal';

// T0 is Monday 2026-01-05 09:00 UTC. Mon–Fri 09:00–18:00 UTC, Wednesday 2026-01-07 a holiday.
const sop: Sop = makeSop({
  calendar: HOLIDAY_CALENDAR,
  requestSla: { warnAfter: '24h', breachAfter: '48h', clock: 'continuous', notify: ['owner'] },
  stages: [
    {
      id: 'discovery',
      name: 'Discovery',
      sla: { warnAfter: '1d', breachAfter: '4d', clock: 'business' },
      escalations: [{ after: '1d', notify: ['manager'], repeatEvery: '4h' }],
    },
    { id: 'contract', name: 'Contract' },
  ],
});
const fired = (events: readonly DealEvent[]): AlertPayload[] =>
  events.flatMap((event) => ('alert' in event.data ? [event.data.alert] : []));
const explain = (deal: PureDeal) => explainDeal(deal.state, deal.sop, visitNow(deal.visits), fired(deal.events));

test('a business-clock breach across a holiday, a pause and a weekend, day by day, landing on the instant the deal computed', () => {
  const deal = new PureDeal(sop);
  deal.act({ type: 'pause', reason: 'customer at a trade fair' }, '2026-01-08T10:00:00.000Z');
  deal.act({ type: 'resume' }, '2026-01-08T14:00:00.000Z');
  const breach = explain(deal).deadlines.find((deadline) => deadline.kind === 'stage.breach');
  expect(breach).toEqual({
    kind: 'stage.breach',
    stage: 'discovery',
    requestId: null,
    riskId: null,
    level: null,
    at: deal.state.stage?.breachAt,
    rule: 'stages[0].sla.breachAfter = 4d business',
    clock: 'business',
    from: T0,
    pausedMs: 4 * 3_600_000,
    calendar: HOLIDAY_CALENDAR,
    steps: [
      '4d on the business clock is 36h of working time (Mon Tue Wed Thu Fri 09:00–18:00 UTC, holidays off), counted from Mon 2026-01-05 09:00.',
      'Mon 2026-01-05: counted 09:00–18:00 (9h; 9h of 36h).',
      'Tue 2026-01-06: counted 09:00–18:00 (9h; 18h of 36h).',
      'Wed 2026-01-07: a holiday, not counted.',
      'Thu 2026-01-08: counted 09:00–10:00, 14:00–18:00 (5h; 23h of 36h); paused 10:00–14:00, not counted.',
      'Fri 2026-01-09: counted 09:00–18:00 (9h; 32h of 36h).',
      'Sat 2026-01-10: not a working day, not counted.',
      'Sun 2026-01-11: not a working day, not counted.',
      'Mon 2026-01-12: counted 09:00–13:00 (4h; 36h of 36h), due at 13:00.',
    ],
  });
  expect(breach?.at).toBe('2026-01-12T13:00:00.000Z');
});

test('a repeating escalation counts from its previous firing, and the alerts fired name their rules', () => {
  const deal = new PureDeal(sop);
  deal.tick('2026-01-06T10:00:00.000Z');
  const { deadlines, alerts } = explain(deal);
  const escalation = deadlines.find((deadline) => deadline.kind === 'escalation');
  expect(escalation).toMatchObject({
    level: 0,
    at: '2026-01-06T13:00:00.000Z',
    rule: 'stages[0].escalations[0].repeatEvery = 4h business',
    from: '2026-01-05T18:00:00.000Z',
    pausedMs: 0,
    steps: [
      '4h on the business clock is 4h of working time (Mon Tue Wed Thu Fri 09:00–18:00 UTC, holidays off), counted from Mon 2026-01-05 18:00.',
      'Mon 2026-01-05: the clock starts after working hours, nothing counted.',
      'Tue 2026-01-06: counted 09:00–13:00 (4h; 4h of 4h), due at 13:00.',
    ],
  });
  expect(alerts).toEqual([
    expect.objectContaining({
      type: 'deal.sla.warning',
      deadline: '2026-01-05T18:00:00.000Z',
      rule: 'stages[0].sla.warnAfter = 1d business',
    }),
    expect.objectContaining({
      type: 'deal.escalated',
      deadline: '2026-01-05T18:00:00.000Z',
      rule: 'stages[0].escalations[0].after = 1d business',
      alertId: expect.stringMatching(/^msg_/),
    }),
  ]);
});

test("a request's SLA on the continuous clock counts every hour of every day, holidays too", () => {
  const deal = new PureDeal(sop);
  deal.act({ type: 'open_request', requestId: 'price-list' }, '2026-01-06T10:00:00.000Z');
  deal.tick('2026-01-07T11:00:00.000Z');
  const breach = explain(deal).deadlines.find((deadline) => deadline.kind === 'request.breach');
  expect(breach).toMatchObject({
    requestId: 'price-list',
    at: '2026-01-08T10:00:00.000Z',
    rule: 'requestSla.breachAfter = 48h continuous',
    clock: 'continuous',
    from: '2026-01-06T10:00:00.000Z',
    steps: [
      '48h on the continuous clock is 2d of wall time, counted from Tue 2026-01-06 10:00 (UTC).',
      'Tue 2026-01-06: counted 10:00–24:00 (14h; 14h of 2d).',
      'Wed 2026-01-07: counted 00:00–24:00 (1d; 1d 14h of 2d).',
      'Thu 2026-01-08: counted 00:00–10:00 (10h; 2d of 2d), due at 10:00.',
    ],
  });
});

test("a risk's due date follows no clock; a closed deal has no pending deadline but keeps its alerts", () => {
  const deal = new PureDeal(sop);
  deal.act({ type: 'raise_risk', riskId: 'budget', summary: 'budget cut', dueBy: '2026-01-20T12:00:00.000Z' }, '2026-01-05T10:00:00.000Z');
  const risk = explain(deal).deadlines.find((deadline) => deadline.kind === 'risk.due');
  expect(risk).toMatchObject({
    riskId: 'budget',
    clock: 'date',
    from: '2026-01-05T10:00:00.000Z',
    rule: 'raise_risk "budget" dueBy = 2026-01-20T12:00:00.000Z',
  });
  expect(risk?.steps).toHaveLength(1);
  deal.tick('2026-01-06T10:00:00.000Z');
  deal.act({ type: 'mark_lost', reason: 'no budget' }, '2026-01-06T11:00:00.000Z');
  const closed = explain(deal);
  expect(closed.deadlines).toEqual([]);
  expect(closed.alerts.length).toBeGreaterThan(0);
});

test('every pending deadline is explained, and each walk adds up to the SOP duration', () => {
  const deal = new PureDeal(sop);
  deal.act({ type: 'open_request', requestId: 'q' }, '2026-01-05T12:00:00.000Z');
  const { deadlines } = explain(deal);
  expect(deadlines.map((deadline) => deadline.kind).sort()).toEqual(
    ['escalation', 'request.warning', 'stage.breach', 'stage.warning'].sort(),
  );
  for (const deadline of deadlines)
    expect(deadline.steps[deadline.steps.length - 1]).toMatch(/; ([^;()]+) of \1\), due at \d\d:\d\d(; paused .+)?\.$/);
});
