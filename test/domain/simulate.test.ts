import { alertKey, recordedDeal, reproduces, simulateDeal, simulationReport, type Sop, type SopInput } from '../../domain';
import { makeOpening, makeSop } from '../helpers/fixtures';
import { PureDeal, T0, at, HOUR, DAY, HOLIDAY_CALENDAR } from '../helpers/pure-deal';

// T0 is Monday 2026-01-05 09:00 UTC; the calendar is Mon–Fri 09:00–18:00 UTC, 2026-01-07 a holiday.
const version = (n: number, stages: SopInput['stages'], rest: Partial<SopInput> = {}): Sop =>
  makeSop({
    version: n,
    stages,
    calendar: HOLIDAY_CALENDAR,
    requestSla: { warnAfter: '4h', breachAfter: '8h', clock: 'business' },
    ...rest,
  });

const v1 = version(1, [
  {
    id: 'discovery',
    name: 'Discovery',
    deliverables: ['notes'],
    sla: { warnAfter: '1d', breachAfter: '2d', clock: 'business' },
    escalations: [{ after: '1d', notify: ['manager'], repeatEvery: '4h' }],
  },
  { id: 'pricing', name: 'Pricing', skipWhen: { field: 'customer.tier', op: 'eq', value: 'A' }, sla: { breachAfter: '3d' } },
  { id: 'legal', name: 'Legal', deliverables: ['nda'], sla: { warnAfter: '2d', breachAfter: '4d' } },
  { id: 'contract', name: 'Contract' },
]);
const v2 = version(2, [
  { id: 'discovery', name: 'Discovery', deliverables: ['notes'], sla: { breachAfter: '1d', clock: 'business' } },
  { id: 'pricing', name: 'Pricing', sla: { breachAfter: '2d' } },
  { id: 'contract-review', name: 'Contract review', deliverables: ['nda'], sla: { warnAfter: '1d', breachAfter: '2d' } },
  { id: 'contract', name: 'Contract' },
]);
const versions = (n: number) => [v1, v2].find((sop) => sop.version === n) ?? null;

/** A deal that meets every kind of clock: business days over a holiday, a pause, a request, a risk, a repeating escalation, a move, a loss and a reopen, a migration. */
function busyDeal(): PureDeal {
  const deal = new PureDeal(v1);
  deal.act({ type: 'open_request', requestId: 'q-1', summary: 'price list' }, at(2 * HOUR));
  deal.act({ type: 'pause', reason: 'customer on leave' }, at(3 * HOUR));
  deal.act({ type: 'resume' }, at(DAY + 2 * HOUR));
  deal.act({ type: 'raise_risk', riskId: 'r-1', summary: 'budget cut', dueBy: at(4 * DAY) }, at(DAY + 3 * HOUR));
  deal.act({ type: 'log_activity', kind: 'call', note: 'follow-up' }, at(3 * DAY));
  deal.act({ type: 'answer_request', requestId: 'q-1' }, at(3 * DAY + HOUR));
  deal.act({ type: 'submit_deliverable', stage: 'discovery', deliverable: 'notes', ref: 'doc-1' }, at(4 * DAY + 5 * HOUR));
  deal.act({ type: 'complete_stage', stage: 'discovery', note: 'agreed' }, at(4 * DAY + 6 * HOUR));
  deal.act({ type: 'update_deal', amount: 900_000, customer: { tier: 'A' } }, at(5 * DAY));
  deal.act({ type: 'move_to_stage', stage: 'legal', reason: 'pricing agreed by phone' }, at(5 * DAY + HOUR));
  deal.act({ type: 'request_revision', stage: 'discovery', reason: 'scope changed' }, at(6 * DAY));
  deal.migrate(v2, at(8 * DAY), { legal: 'contract-review' });
  deal.act({ type: 'mark_lost', reason: 'went quiet' }, at(9 * DAY));
  deal.act({ type: 'reopen', reason: 'customer came back' }, at(10 * DAY));
  deal.act({ type: 'reassign', owner: 'bob' }, at(10 * DAY + HOUR));
  deal.act({ type: 'resolve_risk', riskId: 'r-1' }, at(10 * DAY + 2 * HOUR));
  deal.tick(at(15 * DAY));
  return deal;
}

describe('replaying a recorded deal under its own SOP versions', () => {
  test('gives exactly the alerts the deal fired, through every kind of clock', () => {
    const deal = busyDeal();
    const kinds = new Set(deal.state.alerts.map((alert) => alert.type));
    // The deal really met each kind of alert, so the replay has something to get right.
    expect([...kinds].sort()).toEqual([
      'deal.escalated',
      'deal.request.breached',
      'deal.request.warning',
      'deal.risk.overdue',
      'deal.sla.breached',
      'deal.sla.warning',
    ]);
    const recorded = recordedDeal(deal.events);
    const baseline = simulateDeal(recorded, { own: versions }, at(15 * DAY));
    expect(reproduces(recorded, baseline)).toBe(true);
    expect(baseline.alerts.map(alertKey)).toEqual(recorded.alerts.map((alert) => alertKey({ ...alert, stage: alert.stage?.id ?? null })));
    expect(baseline.state.sop).toEqual({ id: 'test-sop', version: 2 });
    expect(baseline.state.stage?.id).toBe('contract-review');
    expect(baseline.state.owner).toBe('bob');
    expect(baseline.blocked).toEqual([]);
  });

  test('reads back what people did, and leaves out what followed from it or what time did', () => {
    const recorded = recordedDeal(busyDeal().events);
    expect(recorded.steps.map((step) => (step.kind === 'action' ? step.action.type : step.kind))).toEqual([
      'open_request',
      'pause',
      'resume',
      'raise_risk',
      'log_activity',
      'answer_request',
      'submit_deliverable',
      'complete_stage',
      'update_deal',
      'move_to_stage',
      'request_revision',
      'migration',
      'mark_lost',
      'reopen',
      'reassign',
      'resolve_risk',
    ]);
    expect(recorded.opening).toEqual(makeOpening());
  });

  test('a deal whose alerts differ from the replay is told apart', () => {
    const deal = busyDeal();
    const recorded = recordedDeal(deal.events);
    const baseline = simulateDeal(recorded, { own: versions }, at(15 * DAY));
    const oneLess = { ...recorded, alerts: recorded.alerts.slice(1) };
    expect(reproduces(oneLess, baseline)).toBe(false);
    const moved = { ...recorded, alerts: recorded.alerts.map((alert, i) => (i === 0 ? { ...alert, deadline: at(1) } : alert)) };
    expect(reproduces(moved, baseline)).toBe(false);
  });

  test('an alert due after the deal last caught up with time is not expected to have fired', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'log_activity', kind: 'call' }, at(HOUR));
    const recorded = recordedDeal(deal.events);
    // Run to a week later: the replay fires the warning and more, which the deal had not reached.
    const baseline = simulateDeal(recorded, { own: versions }, at(7 * DAY));
    expect(baseline.alerts.length).toBeGreaterThan(0);
    expect(reproduces(recorded, baseline)).toBe(true);
  });
});

describe('replaying a recorded deal under a draft', () => {
  test('a tighter SLA breaches where the deal did not', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'submit_deliverable', stage: 'discovery', deliverable: 'notes' }, at(4 * HOUR));
    deal.act({ type: 'complete_stage', stage: 'discovery' }, at(8 * HOUR));
    const recorded = recordedDeal(deal.events);
    expect(recorded.alerts).toEqual([]);
    const tight = version(3, [
      { id: 'discovery', name: 'Discovery', deliverables: ['notes'], sla: { breachAfter: '6h' } },
      ...v1.stages.slice(1),
    ]);
    const proposed = simulateDeal(recorded, { draft: tight }, at(8 * HOUR));
    expect(proposed.alerts).toEqual([expect.objectContaining({ type: 'deal.sla.breached', stage: 'discovery', deadline: at(6 * HOUR) })]);
  });

  test('an action the draft refuses is blocked, and the replay goes on as if it had been accepted', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'submit_deliverable', stage: 'discovery', deliverable: 'notes' }, at(HOUR));
    deal.act({ type: 'complete_stage', stage: 'discovery' }, at(2 * HOUR));
    const stricter = version(3, [
      { id: 'discovery', name: 'Discovery', deliverables: ['notes', 'budget'] },
      { id: 'pricing', name: 'Pricing', skipWhen: { field: 'amount', op: 'gte', value: 1_000_000 } },
      ...v1.stages.slice(2),
    ]);
    const proposed = simulateDeal(recordedDeal(deal.events), { draft: stricter }, at(3 * HOUR));
    expect(proposed.blocked).toEqual([{ at: at(2 * HOUR), type: 'complete_stage', code: 'missing_deliverables', stage: 'discovery' }]);
    // Completed all the same, and the draft's fast lane skipped pricing for a deal this large.
    expect(proposed.skipped).toEqual(['pricing']);
    expect(proposed.state.stage?.id).toBe('legal');
  });

  test('ignores the migrations the deal went through: the draft runs throughout', () => {
    const recorded = recordedDeal(busyDeal().events);
    const proposed = simulateDeal(recorded, { draft: v1 }, at(15 * DAY));
    expect(proposed.state.sop.version).toBe(1);
    // Under v1 the deal was moved to legal and stays there; v2's stage never existed.
    expect(proposed.state.stage?.id).toBe('legal');
  });

  test('the same deal, draft and instant give the same answer', () => {
    const recorded = recordedDeal(busyDeal().events);
    expect(simulateDeal(recorded, { draft: v2 }, at(15 * DAY))).toEqual(simulateDeal(recorded, { draft: v2 }, at(15 * DAY)));
  });
});

describe('the what-if report', () => {
  // Two deals on v1: one finishes discovery in 4 hours, one takes two working days.
  const quick = new PureDeal(v1, T0, makeOpening({ dealId: 'quick' }));
  quick.act({ type: 'submit_deliverable', stage: 'discovery', deliverable: 'notes' }, at(3 * HOUR));
  quick.act({ type: 'complete_stage', stage: 'discovery' }, at(4 * HOUR));
  const slow = new PureDeal(v1, T0, makeOpening({ dealId: 'slow' }));
  slow.act({ type: 'submit_deliverable', stage: 'discovery', deliverable: 'notes' }, at(DAY));
  slow.act({ type: 'complete_stage', stage: 'discovery' }, at(DAY + 6 * HOUR));
  // The draft wants discovery within 3 hours and a budget before it completes.
  const draft = version(9, [
    { id: 'discovery', name: 'Discovery', deliverables: ['notes', 'budget'], sla: { breachAfter: '3h' } },
    ...v1.stages.slice(1),
  ]);
  const until = at(DAY + 7 * HOUR);
  const run = (deal: PureDeal, fired = deal.events) => {
    const recorded = recordedDeal(fired);
    return {
      dealId: deal.state.dealId,
      recorded,
      baseline: simulateDeal(recorded, { own: versions }, until),
      proposed: simulateDeal(recorded, { draft }, until),
    };
  };

  test('compares both runs per stage, with rates over the visits entered', () => {
    const report = simulationReport(draft, [run(slow), run(quick)]);
    expect(report.consistency).toEqual({ checked: 2, reproduced: 2, differences: [] });
    expect(report.perDeal.map((deal) => deal.dealId)).toEqual(['quick', 'slow']);
    const discovery = report.stages.find((stage) => stage.stage === 'discovery');
    // Baseline: the slow deal warned (1 working day) at Tuesday 09:00 and was done before its breach.
    expect(discovery?.baseline).toMatchObject({ visits: 2, warnings: 1, breaches: 0, warningRate: 0.5, breachRate: 0 });
    // Proposed: both breach the 3 hours, and both completions lack the budget.
    expect(discovery?.proposed).toMatchObject({ visits: 2, warnings: 0, breaches: 2, blocked: 2, breachRate: 1 });
    expect(report.proposed).toMatchObject({ breaches: 2, blocked: 2 });
    expect(report.stages.map((stage) => stage.stage)).toEqual(['discovery', 'pricing', 'legal', 'contract']);
  });

  test('lists a deal whose baseline differs from what it fired', () => {
    const tampered = slow.events.filter((event) => event.type !== 'sla_warning');
    const report = simulationReport(draft, [run(quick), run(slow, tampered)]);
    expect(report.consistency).toEqual({ checked: 2, reproduced: 1, differences: ['slow'] });
  });
});
