import { analyticsFigures, emptyAnalytics, foldFacts, type DealFact, type Sop } from '../../domain';
import { makeOpening, makeSop } from '../helpers/fixtures';
import { PureDeal, T0, at, HOUR, DAY } from '../helpers/pure-deal';

// T0 is Monday 2026-01-05 09:00 UTC.
const sop: Sop = makeSop({
  riskPlaybooks: { p: { name: 'P', steps: [{ id: 's', summary: 'Step', owner: 'owner', dueIn: '1d' }] } },
  stages: [
    {
      id: 'solution',
      name: 'Solution',
      idleAfter: '2d',
      sla: { warnAfter: '1d', breachAfter: '3d' },
      onYellow: { require: 'cause', within: '1d' },
      onRed: { require: 'plan', within: '4h' },
      cadence: [{ kinds: ['meeting'], atLeast: 1, per: '1w' }],
    },
    { id: 'close', name: 'Close' },
  ],
});

function facts(): DealFact[] {
  // a: worked and done in a day; b: a cause after 2 h of yellow, then idle, a plan 3 h after red, done after two weeks (one missed);
  // c: idle now, and a playbook task overdue.
  const a = new PureDeal(sop, T0, makeOpening({ dealId: 'a' }));
  a.act({ type: 'log_activity', kind: 'meeting' }, at(HOUR));
  a.act({ type: 'complete_stage', stage: 'solution' }, at(20 * HOUR));
  const b = new PureDeal(sop, T0, makeOpening({ dealId: 'b' }));
  b.act({ type: 'log_activity', kind: 'meeting' }, at(HOUR));
  b.tick(at(DAY));
  b.act({ type: 'explain_delay', cause: 'IT review' }, at(DAY + 2 * HOUR));
  b.tick(at(3 * DAY));
  b.act({ type: 'submit_plan', summary: 'Sponsor call' }, at(3 * DAY + 3 * HOUR));
  b.tick(at(14 * DAY));
  b.act({ type: 'complete_stage', stage: 'solution' }, at(14 * DAY + HOUR));
  const c = new PureDeal(sop, T0, makeOpening({ dealId: 'c' }));
  c.act({ type: 'raise_risk', riskId: 'r', summary: 'R', playbook: 'p' }, at(HOUR));
  c.tick(at(5 * DAY));
  return [a, b, c].flatMap((deal) => deal.facts.map((fact, i) => ({ ...fact, id: `${deal.state.dealId}-${i}` })));
}

test('the protocol in the analytics: idle now and idle rate, cadence met, time to a cause and to a plan, tasks overdue', () => {
  const figures = analyticsFigures(foldFacts(emptyAnalytics('test-sop'), facts()));
  const solution = figures.stages.find((stage) => stage.stage === 'solution');
  expect(solution?.protocol).toEqual({
    // c is idle now; of the two ended visits, b went idle.
    idleNow: 1,
    idleRate: 0.5,
    // a ended within its first week; b's visit had two weeks ended, the second without a meeting.
    cadence: { periods: 2, missed: 1, metRate: 0.5 },
    causeMs: { p50: 2 * HOUR, p90: 2 * HOUR, samples: 1 },
    planMs: { p50: 3 * HOUR, p90: 3 * HOUR, samples: 1 },
  });
  expect(figures.deals.tasksOverdue).toBe(1);
});
