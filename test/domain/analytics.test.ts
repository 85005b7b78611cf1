import {
  addSample,
  analyticsFigures,
  analyticsReport,
  currentVisit,
  emptyAnalytics,
  foldFacts,
  noSamples,
  openDeal,
  paceOf,
  percentile,
  timelineFacts,
  visitTime,
  type DealFact,
} from '../../domain';
import { ALICE, makeOpening, makeSop } from '../helpers/fixtures';
import { analyticsSop, HOUR, lost, risk, seededTimelines, timelineOf } from '../helpers/seeded-deals';

const seededFacts = (): DealFact[] => seededTimelines().flatMap((events) => timelineFacts(events, analyticsSop));
const report = (facts: DealFact[]) => analyticsReport(analyticsFigures(foldFacts(emptyAnalytics('analytics-sop'), facts)), analyticsSop);

describe('SOP analytics over a seeded set of deals', () => {
  const result = report(seededFacts());
  const stage = (id: string) => result.stages.find((s) => s.stage === id);

  it('counts deals, outcomes and the win rate', () => {
    expect(result.deals).toEqual({ opened: 7, open: 2, won: 2, lost: 3, winRate: 0.4, escalationsPerDeal: 0.1429, tasksOverdue: 0 });
    expect(result.sopName).toBe('Test SOP');
  });

  it('gives p50 / p90 time in stage over completed visits, paused time left out, in wall and working time', () => {
    // Wall: 1, 2, 2 (4 h with 2 paused), 3, 3.5, 10 h. Working: the 10 h visit ends at 19:00, after the 18:00 close: 9 h.
    expect(stage('requirements')?.timeInStage).toEqual({
      samples: 6,
      exact: true,
      wallMs: { p50: 2 * HOUR, p90: 10 * HOUR },
      workingMs: { p50: 2 * HOUR, p90: 9 * HOUR },
      distribution: { wallMs: expect.any(Array), workingMs: expect.any(Array) },
    });
  });

  it('counts completed visits into ranges of time in stage, for the distribution', () => {
    const counts = (bins: Array<{ count: number }> | undefined) => bins?.map((bin) => bin.count);
    const { wallMs, workingMs } = stage('requirements')?.timeInStage.distribution ?? {};
    // Under 1 h, 1–4 h, 4 h–1 d, then nothing longer: 1, 2, 2, 3, 3.5 h in the second range, 10 h in the third.
    expect(counts(wallMs)).toEqual([0, 5, 1, 0, 0, 0, 0, 0, 0]);
    expect(counts(workingMs)).toEqual([0, 5, 1, 0, 0, 0, 0, 0, 0]);
    expect(wallMs?.[1]).toEqual({ fromMs: HOUR, toMs: 4 * HOUR, count: 5 });
    expect(wallMs?.at(-1)).toMatchObject({ fromMs: 720 * HOUR, toMs: null });
  });

  it('gives SLA warning and breach rates over ended visits, escalations per visit and losses per stage', () => {
    expect(stage('requirements')).toMatchObject({
      name: 'Requirements confirmed',
      visits: { entered: 7, ended: 7, open: 0, skipped: 0 },
      slaWarningRate: 0.7143, // 5 of 7: all but the 1 h visit and the deal lost at 30 min
      slaBreachRate: 0.4286, // 3 of 7: 3, 3.5 and 10 h; the paused deal worked only 2 h
      breachedNow: 0,
      escalationsPerVisit: 0.1429, // the 10 h visit, escalated at 4 h
      lostHere: 1,
    });
  });

  it('counts skipped stages and open visits, and shows a stage no deal reached with zeros', () => {
    expect(stage('pricing')).toMatchObject({ visits: { entered: 5, ended: 4, open: 1, skipped: 1 }, lostHere: 1 });
    expect(stage('contract')).toMatchObject({ visits: { entered: 4, ended: 3, open: 1, skipped: 0 }, lostHere: 1 });
    expect(stage('pricing')?.timeInStage.wallMs).toEqual({ p50: HOUR, p90: HOUR });
    expect(result.stages.map((s) => s.stage)).toEqual(['requirements', 'pricing', 'contract']);
  });

  it('sets revision counts against outcome, per stage', () => {
    const contract = result.revisions.find((r) => r.stage === 'contract');
    expect(contract?.outcomes).toEqual([
      { revisions: 0, orMore: false, won: 1, lost: 0, lossRate: 0 },
      { revisions: 1, orMore: false, won: 1, lost: 0, lossRate: 0 },
      { revisions: 4, orMore: false, won: 0, lost: 1, lossRate: 1 },
    ]);
    expect(result.revisions.find((r) => r.stage === 'requirements')?.outcomes).toEqual([
      { revisions: 0, orMore: false, won: 2, lost: 3, lossRate: 0.6 },
    ]);
  });

  it('names where deals stall: lost reasons and open risks normalised, breached stages', () => {
    expect(result.stalls).toEqual({
      lostReasons: [
        { reason: 'Price too high', deals: 2 },
        { reason: 'Budget frozen', deals: 1 },
      ],
      openRisks: [{ summary: 'Legal review slow', deals: 2 }],
      breachedStages: [{ stage: 'requirements', breaches: 3 }],
    });
  });

  it('counts a fact delivered twice once, and does not depend on the order facts arrive in', () => {
    const facts = seededFacts();
    const once = report(facts);
    expect(report([...facts, ...facts.slice(0, 20)])).toEqual(once);
    const shuffled = [...facts].sort((a, b) => (a.id < b.id ? 1 : -1));
    expect(report(shuffled)).toEqual(once);
  });

  it('stops counting an open risk when it is resolved or its deal closes', () => {
    const resolved = timelineOf(
      { dealId: 'r1' },
      [
        [1, risk('legal', 'Legal review slow')],
        [2, { type: 'resolve_risk', riskId: 'legal' }],
      ],
      3,
    );
    const closed = timelineOf(
      { dealId: 'r2' },
      [
        [1, risk('legal', 'Legal review slow')],
        [2, lost('No budget')],
      ],
      3,
    );
    const facts = [resolved, closed].flatMap((events) => timelineFacts(events, analyticsSop));
    expect(report(facts).stalls.openRisks).toEqual([]);
  });

  it('shows a breach still open as breachedNow', () => {
    const stuck = timelineOf({ dealId: 's1' }, [], 3);
    const figures = report(timelineFacts(stuck, analyticsSop));
    expect(figures.stages[0]).toMatchObject({ breachedNow: 1, slaBreachRate: null, visits: { entered: 1, ended: 0, open: 1 } });
  });
});

describe('stage visits', () => {
  it('leave paused time out of wall and working time, across a weekend', () => {
    const sop = makeSop({ stages: [{ id: 'only', name: 'Only' }] });
    // Friday 2026-01-09 17:00 to Monday 10:00, paused Friday 17:30 to Monday 09:30.
    const fri = '2026-01-09T17:00:00.000Z';
    const { events } = openDeal(makeOpening(), sop, ALICE, fri);
    const visit = currentVisit([
      ...events,
      { type: 'paused', at: '2026-01-09T17:30:00.000Z', actor: 'alice', data: { reason: 'away' } },
      {
        type: 'resumed',
        at: '2026-01-12T09:30:00.000Z',
        actor: 'alice',
        data: { pausedMs: 0, stage: null, requests: [] },
      },
    ]);
    expect(visit?.pauses).toHaveLength(1);
    const time = visitTime(visit!, '2026-01-12T10:00:00.000Z', sop.calendar);
    expect(time.wallMs).toBe(HOUR); // 30 min Friday + 30 min Monday
    expect(time.workingMs).toBe(HOUR);
  });
});

describe('samples and pace', () => {
  it('are exact up to 1,000 samples, then within 2.5% from the histogram', () => {
    let samples = noSamples;
    for (let i = 1; i <= 1_000; i++) samples = addSample(samples, i * 1_000);
    expect(percentile(samples, 0.5)).toBe(500_000);
    expect(percentile(samples, 0.9)).toBe(900_000);
    for (let i = 1_001; i <= 2_000; i++) samples = addSample(samples, i * 1_000);
    expect(samples.exact).toBeNull();
    expect(Math.abs((percentile(samples, 0.5) as number) / 1_000_000 - 1)).toBeLessThanOrEqual(0.025);
    expect(Math.abs((percentile(samples, 0.9) as number) / 1_800_000 - 1)).toBeLessThanOrEqual(0.025);
    expect(percentile(noSamples, 0.5)).toBeNull();
  });

  it('compare a deal with the p50 of its peers', () => {
    expect(paceOf(2.8 * HOUR, 2 * HOUR)).toBe(1.4);
    expect(paceOf(HOUR, null)).toBeNull();
    expect(paceOf(HOUR, 0)).toBeNull();
  });
});
