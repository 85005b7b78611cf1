import { analyticsFigures, emptyAnalytics, foldFacts, periodFigures, weekOf, type DealFact, type Sop } from '../../domain';
import { makeOpening, makeSop } from '../helpers/fixtures';
import { PureDeal } from '../helpers/pure-deal';

// Weeks start on Monday (UTC): 2026-01-05, 2026-01-12, 2026-01-19.
const sop: Sop = makeSop({
  stages: [
    { id: 'discovery', name: 'Discovery', sla: { warnAfter: '1d', breachAfter: '2d' } },
    { id: 'close', name: 'Close' },
  ],
});
const complete = (deal: PureDeal, at: string) => deal.act({ type: 'complete_stage', stage: 'discovery' }, at);

function facts(): DealFact[] {
  const a = new PureDeal(sop, '2026-01-05T09:00:00.000Z', makeOpening({ dealId: 'a' }));
  complete(a, '2026-01-06T08:00:00.000Z');
  const b = new PureDeal(sop, '2026-01-05T09:00:00.000Z', makeOpening({ dealId: 'b' }));
  complete(b, '2026-01-08T09:00:00.000Z');
  const c = new PureDeal(sop, '2026-01-07T09:00:00.000Z', makeOpening({ dealId: 'c' }));
  complete(c, '2026-01-13T09:00:00.000Z');
  const d = new PureDeal(sop, '2026-01-12T09:00:00.000Z', makeOpening({ dealId: 'd' }));
  d.act({ type: 'mark_lost', reason: 'no budget' }, '2026-01-13T08:00:00.000Z');
  d.act({ type: 'reopen', reason: 'budget found' }, '2026-01-19T10:00:00.000Z');
  const e = new PureDeal(sop, '2026-01-19T09:00:00.000Z', makeOpening({ dealId: 'e' }));
  return [a, b, c, d, e].flatMap((deal) => deal.facts.map((fact, i) => ({ ...fact, id: `${deal.state.dealId}-${i}` })));
}

const analytics = foldFacts(emptyAnalytics('test-sop'), facts());
const stage = (figures: ReturnType<typeof analyticsFigures>, id: string) => figures.stages.find((s) => s.stage === id);

test('weeks start on Monday, UTC', () => {
  expect(weekOf('2026-01-05T00:00:00.000Z')).toBe('2026-01-05');
  expect(weekOf('2026-01-11T23:59:59.999Z')).toBe('2026-01-05');
  expect(weekOf('2026-01-12T00:00:00.000Z')).toBe('2026-01-12');
});

test('a visit counts in the week it ended: rates and times over the visits that ended in the period', () => {
  const first = periodFigures(analytics, '2026-01-05T00:00:00.000Z', '2026-01-11T23:59:59.000Z');
  expect(first.period).toEqual({
    from: '2026-01-05T00:00:00.000Z',
    to: '2026-01-11T23:59:59.000Z',
    firstWeek: '2026-01-05',
    lastWeek: '2026-01-05',
  });
  expect(stage(first, 'discovery')).toMatchObject({
    visits: { entered: 3, ended: 2, open: 3 },
    slaWarningRate: 0.5,
    slaBreachRate: 0.5,
    timeInStage: { samples: 2, exact: false },
  });
  expect(first.deals).toMatchObject({ opened: 3, won: 0, lost: 0, open: 3 });
  expect(first.weekly).toEqual([{ week: '2026-01-05', stages: [{ stage: 'discovery', ended: 2, warningRate: 0.5, breachRate: 0.5 }] }]);
});

test('an open visit counts in every period it spans; a reopening undoes the loss in the week it was counted', () => {
  const second = periodFigures(analytics, '2026-01-12T00:00:00.000Z', '2026-01-18T00:00:00.000Z');
  // c completed (breached), d lost before its warning; d was reopened the week after, so no loss is left.
  expect(stage(second, 'discovery')).toMatchObject({ visits: { ended: 2, open: 2 }, slaBreachRate: 0.5, lostHere: 0 });
  expect(second.deals).toMatchObject({ opened: 1, lost: 0 });
  const third = periodFigures(analytics, '2026-01-19T00:00:00.000Z', '2026-01-25T00:00:00.000Z');
  // d again and e: entered, not ended.
  expect(stage(third, 'discovery')).toMatchObject({ visits: { entered: 2, ended: 0, open: 2 }, slaWarningRate: null });
});

test('the all-time figures are what they were, with the last weeks as a series', () => {
  const all = analyticsFigures(analytics);
  expect(stage(all, 'discovery')).toMatchObject({ visits: { entered: 6, ended: 4, open: 2 }, slaBreachRate: 0.5, lostHere: 0 });
  expect(all.period).toBeUndefined();
  expect(all.weekly.map((week) => week.week)).toEqual(['2026-01-05', '2026-01-12', '2026-01-19']);
  const whole = periodFigures(analytics, '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z');
  // Over the whole month every visit was open at some moment of it.
  expect(stage(whole, 'discovery')).toMatchObject({ visits: { entered: 6, ended: 4, open: 6 }, slaBreachRate: 0.5 });
});

test('totals carried from before weeks were kept still count all time, and weeks begin with the next fact', () => {
  const { weeks: _weeks, ...old } = foldFacts(emptyAnalytics('test-sop'), facts().slice(0, 6));
  const later = foldFacts(old, facts().slice(6));
  expect(analyticsFigures(later).deals).toEqual(analyticsFigures(analytics).deals);
  expect(Object.keys(later.weeks ?? {}).length).toBeGreaterThan(0);
});
