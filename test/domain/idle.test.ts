import {
  checkSop,
  dealView,
  explainDeal,
  recordedDeal,
  reproduces,
  simulateDeal,
  visitNow,
  type AlertPayload,
  type DealEvent,
  type Sop,
} from '../../domain';
import { makeSop } from '../helpers/fixtures';
import { PureDeal, T0, at, HOUR, DAY, HOLIDAY_CALENDAR } from '../helpers/pure-deal';

// T0 is Monday 2026-01-05 09:00 UTC; Mon–Fri 09:00–18:00 UTC, Wednesday 2026-01-07 a holiday.
const continuous: Sop = makeSop({
  stages: [
    { id: 'solution', name: 'Solution', idleAfter: '2d' },
    { id: 'close', name: 'Close' },
  ],
});
const business: Sop = makeSop({
  calendar: HOLIDAY_CALENDAR,
  stages: [
    { id: 'solution', name: 'Solution', idleAfter: '2d', sla: { breachAfter: '30d', clock: 'business' } },
    { id: 'close', name: 'Close' },
  ],
});
const idleAlerts = (events: readonly DealEvent[]) =>
  events.filter((event) => event.type === 'deal_idle').map((event) => (event.data as { alert: AlertPayload }).alert);

describe('idle deals', () => {
  test('no action by a person for idleAfter fires deal.idle, and again every idleAfter until one', () => {
    const deal = new PureDeal(continuous);
    expect(deal.tick(at(2 * DAY - 1))).toEqual([]);
    const first = idleAlerts(deal.tick(at(2 * DAY)));
    expect(first.map((alert) => [alert.type, alert.deadline, alert.occurrence, alert.notify])).toEqual([
      ['deal.idle', at(2 * DAY), 0, ['owner', 'manager']],
    ]);
    expect(dealView(deal.state, continuous).idleSince).toBe(T0);
    expect(idleAlerts(deal.tick(at(4 * DAY))).map((alert) => [alert.deadline, alert.occurrence])).toEqual([[at(4 * DAY), 1]]);
    expect(new Set(idleAlerts(deal.events).map((alert) => alert.id)).size).toBe(2);
  });

  test('an action by a person starts the clock again; what the system does does not', () => {
    const deal = new PureDeal(continuous);
    deal.tick(at(2 * DAY));
    deal.act({ type: 'log_activity', kind: 'call', note: 'spoke to the buyer' }, at(3 * DAY));
    expect(dealView(deal.state, continuous).idleSince).toBeNull();
    // Reassigning is not working the deal with the customer.
    deal.act({ type: 'reassign', owner: 'bob' }, at(4 * DAY));
    expect(idleAlerts(deal.tick(at(5 * DAY))).map((alert) => alert.deadline)).toEqual([at(5 * DAY)]);
    expect(dealView(deal.state, continuous).idleSince).toBe(at(3 * DAY));
  });

  test('on a business clock it counts working time: a holiday and a weekend pass without counting', () => {
    const deal = new PureDeal(business);
    // 2d = 18 working hours from Monday 09:00: Monday and Tuesday.
    const [first] = idleAlerts(deal.tick(at(10 * DAY)));
    expect(first.deadline).toBe('2026-01-06T18:00:00.000Z');
    // The next 18 working hours: Thursday and Friday (Wednesday is a holiday).
    expect(idleAlerts(deal.events)[1].deadline).toBe('2026-01-09T18:00:00.000Z');
    // Then Monday and Tuesday of the week after: the weekend does not count.
    expect(idleAlerts(deal.events)[2].deadline).toBe('2026-01-13T18:00:00.000Z');
  });

  test('a pause stops the idle clock: it falls due later by the pause', () => {
    const deal = new PureDeal(continuous);
    deal.act({ type: 'pause', reason: 'buyer on holiday' }, at(DAY));
    expect(deal.tick(at(5 * DAY))).toEqual([]);
    deal.act({ type: 'resume' }, at(6 * DAY));
    expect(idleAlerts(deal.tick(at(10 * DAY))).map((alert) => alert.deadline)).toEqual([at(7 * DAY), at(9 * DAY)]);
  });

  test('explain walks it from the last touch, and a repeat from the previous one; the simulator reproduces it', () => {
    const deal = new PureDeal(continuous);
    deal.act({ type: 'log_activity', kind: 'email' }, at(HOUR));
    deal.tick(at(3 * DAY));
    const explained = explainDeal(deal.state, continuous, visitNow(deal.visits), idleAlerts(deal.events)).deadlines.find(
      (deadline) => deadline.kind === 'idle',
    );
    expect(explained).toMatchObject({ rule: 'stages[0].idleAfter = 2d continuous', from: at(2 * DAY + HOUR), at: at(4 * DAY + HOUR) });
    expect(explained?.steps.at(-1)).toMatch(/; 2d of 2d\), due at 10:00\.$/);
    const recorded = recordedDeal(deal.events);
    expect(recorded.alerts).toHaveLength(1);
    expect(reproduces(recorded, simulateDeal(recorded, { own: () => continuous }, at(3 * DAY)))).toBe(true);
  });

  test('lint refuses an idleAfter of zero', () => {
    const checked = checkSop({ ...makeSop(), stages: [{ id: 'a', name: 'A', idleAfter: '0d' }] });
    expect(checked.ok ? [] : checked.problems.map((problem) => problem.path)).toEqual(['stages.0.idleAfter']);
  });
});
