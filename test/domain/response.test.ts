import {
  checkSop,
  dealView,
  explainDeal,
  isRejection,
  recordedDeal,
  reproduces,
  simulateDeal,
  visitNow,
  type AlertPayload,
  type DealEvent,
  type Sop,
} from '../../domain';
import { makeSop } from '../helpers/fixtures';
import { PureDeal, at, HOUR, DAY } from '../helpers/pure-deal';

// T0 is Monday 2026-01-05 09:00 UTC; Mon–Fri 09:00–18:00 UTC.
const sop: Sop = makeSop({
  stages: [
    {
      id: 'solution',
      name: 'Solution',
      sla: { warnAfter: '1d', breachAfter: '3d' },
      onYellow: { require: 'cause', within: '1d' },
      onRed: { require: 'plan', within: '4h', notify: ['director'] },
    },
    { id: 'close', name: 'Close' },
  ],
});
const code = (outcome: unknown) => (isRejection(outcome as never) ? (outcome as { code: string }).code : 'accepted');
const alerts = (events: readonly DealEvent[], type: string) =>
  events.flatMap((event) => ('alert' in event.data && event.data.alert.type === type ? [event.data.alert as AlertPayload] : []));

describe('the response protocol', () => {
  test('yellow asks for a cause within its time; explain_delay answers it and nothing more fires', () => {
    const deal = new PureDeal(sop);
    expect(code(deal.attempt({ type: 'explain_delay', cause: 'waiting for IT' }, at(HOUR)))).toBe('no_response_due');
    deal.tick(at(DAY));
    expect(dealView(deal.state, sop).response).toEqual({
      require: 'cause',
      within: '1d',
      dueBy: at(2 * DAY),
      answeredAt: null,
      overdue: false,
    });
    expect(code(deal.attempt({ type: 'submit_plan', summary: 'x' }, at(DAY + HOUR)))).toBe('no_response_due');
    deal.act({ type: 'explain_delay', cause: 'The buyer is waiting for IT sign-off' }, at(DAY + HOUR));
    expect(dealView(deal.state, sop).response).toMatchObject({ answeredAt: at(DAY + HOUR) });
    expect(code(deal.attempt({ type: 'explain_delay', cause: 'again' }, at(DAY + 2 * HOUR)))).toBe('no_response_due');
    expect(alerts(deal.tick(at(2 * DAY + HOUR)), 'deal.response.overdue')).toEqual([]);
  });

  test('a cause not given in time fires deal.response.overdue, naming what was asked', () => {
    const deal = new PureDeal(sop);
    const [overdue] = alerts(deal.tick(at(2 * DAY)), 'deal.response.overdue');
    expect(overdue).toMatchObject({
      deadline: at(2 * DAY),
      stage: { id: 'solution' },
      response: { require: 'cause', within: '1d' },
      notify: ['manager'],
    });
    expect(dealView(deal.state, sop).response).toMatchObject({ overdue: true, answeredAt: null });
  });

  test('red asks for a plan, replacing the cause; submit_plan answers it', () => {
    const deal = new PureDeal(sop);
    deal.tick(at(3 * DAY));
    expect(dealView(deal.state, sop).response).toEqual({
      require: 'plan',
      within: '4h',
      dueBy: at(3 * DAY + 4 * HOUR),
      answeredAt: null,
      overdue: false,
    });
    expect(code(deal.attempt({ type: 'explain_delay', cause: 'late' }, at(3 * DAY)))).toBe('no_response_due');
    deal.act({ type: 'submit_plan', summary: 'Exec sponsor call on Thursday', owner: 'dora', dueBy: at(4 * DAY) }, at(3 * DAY + HOUR));
    expect(deal.events.at(-1)).toMatchObject({ type: 'plan_submitted', data: { stage: 'solution', owner: 'dora', dueBy: at(4 * DAY) } });
    expect(alerts(deal.tick(at(5 * DAY)), 'deal.response.overdue')).toEqual([]);
  });

  test('a pause stops its clock; on a business clock it counts working hours across the weekend', () => {
    const deal = new PureDeal(sop);
    deal.tick(at(DAY));
    deal.act({ type: 'pause', reason: 'x' }, at(DAY + HOUR));
    deal.act({ type: 'resume' }, at(DAY + 5 * HOUR));
    expect(dealView(deal.state, sop).response?.dueBy).toBe(at(2 * DAY + 4 * HOUR));

    const business = makeSop({
      stages: [
        { id: 'solution', name: 'Solution', sla: { breachAfter: '5d', clock: 'business' }, onRed: { require: 'plan', within: '4h' } },
        { id: 'close', name: 'Close' },
      ],
    });
    // Entered Monday 09:00, 45 working hours: breached Friday 18:00; 4 working hours later is Monday 13:00.
    const late = new PureDeal(business);
    late.tick(at(10 * DAY));
    const [overdue] = alerts(late.events, 'deal.response.overdue');
    expect(overdue.deadline).toBe('2026-01-12T13:00:00.000Z');
  });

  test('explain walks the response from the warning that asked; the simulator reproduces it', () => {
    const deal = new PureDeal(sop);
    deal.tick(at(DAY + HOUR));
    const explained = explainDeal(deal.state, sop, visitNow(deal.visits), []).deadlines.find(
      (deadline) => deadline.kind === 'response.due',
    );
    expect(explained).toMatchObject({
      stage: 'solution',
      rule: 'stages[0].onYellow.within = 1d continuous',
      from: at(DAY),
      at: at(2 * DAY),
    });
    deal.act({ type: 'explain_delay', cause: 'IT' }, at(DAY + 2 * HOUR));
    deal.tick(at(3 * DAY + 5 * HOUR));
    const recorded = recordedDeal(deal.events);
    expect(recorded.alerts.map((alert) => alert.type)).toEqual(['deal.sla.warning', 'deal.sla.breached', 'deal.response.overdue']);
    expect(reproduces(recorded, simulateDeal(recorded, { own: () => sop }, at(3 * DAY + 5 * HOUR)))).toBe(true);
  });

  test('lint: a response on a clock the stage does not have, and a within of zero', () => {
    const checked = checkSop({
      ...makeSop(),
      stages: [
        { id: 'a', name: 'A', sla: { breachAfter: '1d' }, onYellow: { require: 'cause', within: '1d' } },
        { id: 'b', name: 'B', onRed: { require: 'plan', within: '0h' } },
      ],
    });
    expect(checked.ok ? [] : checked.problems.map((problem) => problem.path).sort()).toEqual([
      'stages.0.onYellow.within',
      'stages.1.onRed.within',
      'stages.1.onRed.within',
    ]);
  });
});

test('a response may name its own clock: a cause within a working day of a warning on a wall-clock SLA', () => {
  const sop: Sop = makeSop({
    stages: [
      {
        id: 'solution',
        name: 'Solution',
        sla: { warnAfter: '4d', breachAfter: '30d' },
        onYellow: { require: 'cause', within: '1d', clock: 'business' },
      },
      { id: 'close', name: 'Close' },
    ],
  });
  const deal = new PureDeal(sop);
  // Warned Friday 09:00 (4 days of wall time): a working day later is Friday 18:00.
  deal.tick(at(4 * DAY));
  expect(dealView(deal.state, sop).response?.dueBy).toBe('2026-01-09T18:00:00.000Z');
  const explained = explainDeal(deal.state, sop, visitNow(deal.visits), []).deadlines.find((d) => d.kind === 'response.due');
  expect(explained).toMatchObject({ rule: 'stages[0].onYellow.within = 1d business', clock: 'business' });
});
