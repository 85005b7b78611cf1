import {
  checkSop,
  explainDeal,
  recordedDeal,
  reproduces,
  simulateDeal,
  visitNow,
  type AlertPayload,
  type DealEvent,
  type Sop,
} from '../../domain';
import { makeOpening, makeSop } from '../helpers/fixtures';
import { PureDeal } from '../helpers/pure-deal';

// T0 is Monday 2026-01-05 09:00 UTC.
const sopIn = (timezone = 'UTC', per: '1w' | '1d' = '1w', atLeast = 2): Sop =>
  makeSop({
    calendar: { timezone, workdays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '18:00' }, holidays: [] },
    stages: [
      { id: 'solution', name: 'Solution', cadence: [{ kinds: ['meeting', 'demo'], atLeast, per }] },
      { id: 'close', name: 'Close' },
    ],
  });
const weekly = sopIn();
const missed = (events: readonly DealEvent[]) =>
  events.filter((event) => event.type === 'cadence_missed').map((event) => (event.data as { alert: AlertPayload }).alert);
const meet = (deal: PureDeal, at: string, kind: 'meeting' | 'demo' | 'call' = 'meeting') => deal.act({ type: 'log_activity', kind }, at);

describe('cadence', () => {
  test('a calendar week short of its target fires deal.cadence.missed at its end, with what was counted; a week met fires nothing', () => {
    const deal = new PureDeal(weekly);
    meet(deal, '2026-01-06T10:00:00.000Z');
    meet(deal, '2026-01-08T10:00:00.000Z', 'demo');
    // Week one (from the entry to Sunday night) met: nothing at its end.
    expect(missed(deal.tick('2026-01-12T00:00:00.000Z'))).toEqual([]);
    meet(deal, '2026-01-13T10:00:00.000Z');
    // A call is not a meeting or a demo.
    meet(deal, '2026-01-14T10:00:00.000Z', 'call');
    const [short] = missed(deal.tick('2026-01-19T00:00:00.000Z'));
    expect(short).toMatchObject({
      type: 'deal.cadence.missed',
      deadline: '2026-01-19T00:00:00.000Z',
      stage: { id: 'solution' },
      cadence: {
        kinds: ['meeting', 'demo'],
        atLeast: 2,
        counted: 1,
        periodStart: '2026-01-12T00:00:00.000Z',
        periodEnd: '2026-01-19T00:00:00.000Z',
      },
      notify: ['owner', 'manager'],
    });
    // Nothing at all the week after: missed again, counted 0, under its own webhook id.
    const [again] = missed(deal.tick('2026-01-26T00:00:00.000Z'));
    expect(again.cadence).toMatchObject({ counted: 0, periodStart: '2026-01-19T00:00:00.000Z' });
    expect(again.id).not.toBe(short.id);
  });

  test("a stage entered late in the week gets the rest of it and the next week as its first period; weeks follow the SOP's time zone", () => {
    const friday = new PureDeal(weekly, '2026-01-09T15:00:00.000Z', makeOpening());
    expect(missed(friday.tick('2026-01-12T00:00:00.000Z'))).toEqual([]);
    expect(missed(friday.tick('2026-01-19T00:00:00.000Z')).map((alert) => alert.cadence?.periodStart)).toEqual([
      '2026-01-09T15:00:00.000Z',
    ]);
    // In Shanghai a week ends at Monday 00:00 local, Sunday 16:00 UTC.
    const shanghai = new PureDeal(sopIn('Asia/Shanghai'));
    expect(missed(shanghai.tick('2026-01-12T00:00:00.000Z')).map((alert) => alert.deadline)).toEqual(['2026-01-11T16:00:00.000Z']);
  });

  test('a daily cadence judges each calendar day', () => {
    const deal = new PureDeal(sopIn('UTC', '1d', 1));
    // Entered Monday 09:00: the first day is long enough (15 h), so it ends at midnight.
    meet(deal, '2026-01-05T12:00:00.000Z');
    expect(missed(deal.tick('2026-01-07T00:00:00.000Z')).map((alert) => alert.cadence?.periodStart)).toEqual(['2026-01-06T00:00:00.000Z']);
  });

  test('a period that ends while the deal is paused is not judged: the clock stands still', () => {
    const deal = new PureDeal(weekly);
    meet(deal, '2026-01-06T10:00:00.000Z');
    meet(deal, '2026-01-07T10:00:00.000Z');
    deal.act({ type: 'pause', reason: 'buyer on leave' }, '2026-01-13T10:00:00.000Z');
    expect(deal.tick('2026-01-21T00:00:00.000Z')).toEqual([]);
    deal.act({ type: 'resume' }, '2026-01-21T09:00:00.000Z');
    // The week of the 12th ended while paused: the next judged is the week of the resume.
    expect(missed(deal.tick('2026-01-26T00:00:00.000Z')).map((alert) => alert.cadence?.periodStart)).toEqual(['2026-01-19T00:00:00.000Z']);
  });

  test('explain says how far the current period is; the simulator reproduces missed weeks', () => {
    const deal = new PureDeal(weekly);
    meet(deal, '2026-01-06T10:00:00.000Z');
    const [deadline] = explainDeal(deal.state, weekly, visitNow(deal.visits), []).deadlines.filter((d) => d.kind === 'cadence');
    expect(deadline).toMatchObject({
      at: '2026-01-12T00:00:00.000Z',
      rule: 'stages[0].cadence[0] = at least 2 of meeting, demo per calendar week',
    });
    expect(deadline.steps[1]).toBe('1 of 2 meeting / demo logged so far: 1 more before the period ends, or it is reported as missed.');
    deal.tick('2026-02-02T00:00:00.000Z');
    const recorded = recordedDeal(deal.events);
    expect(recorded.alerts.length).toBe(4);
    expect(reproduces(recorded, simulateDeal(recorded, { own: () => weekly }, '2026-02-02T00:00:00.000Z'))).toBe(true);
  });

  test('lint: per other than 1d / 1w, atLeast below 1, an unknown activity kind', () => {
    const checked = checkSop({
      ...makeSop(),
      stages: [{ id: 'a', name: 'A', cadence: [{ kinds: ['meeting', 'lunch'], atLeast: 0, per: '2w' }] }],
    });
    expect(checked.ok ? [] : checked.problems.map((problem) => problem.path).sort()).toEqual([
      'stages.0.cadence.0.atLeast',
      'stages.0.cadence.0.kinds.1',
      'stages.0.cadence.0.per',
    ]);
  });
});
