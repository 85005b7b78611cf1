import {
  analyticsFigures,
  analyticsReport,
  dealView,
  emptyAnalytics,
  foldFacts,
  isRejection,
  redeliver,
  type Actor,
  type DealEvent,
  type Sop,
} from '../../domain';
import { ALICE, makeOpening, makeSop } from '../helpers/fixtures';
import { PureDeal, T0 } from '../helpers/pure-deal';

const OPS: Actor = { subject: 'ops-team', role: 'ops' };
const VIEWER: Actor = { subject: 'victor', role: 'viewer' };
const DAY = 24 * 3_600_000;
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();

const sop: Sop = makeSop({
  stages: [
    { id: 'discovery', name: 'Discovery', deliverables: ['notes'], sla: { warnAfter: '1d', breachAfter: '2d' } },
    { id: 'pricing', name: 'Pricing', sla: { breachAfter: '3d' }, escalations: [{ after: '1d', notify: ['director'] }] },
    { id: 'contract', name: 'Contract' },
  ],
});
const types = (events: readonly DealEvent[]) => events.map((event) => event.type);
const code = (outcome: unknown) => (isRejection(outcome as never) ? (outcome as { code: string }).code : 'accepted');

describe('move_to_stage', () => {
  test('ends the current visit and starts the target afresh, forward or back', () => {
    const deal = new PureDeal(sop);
    deal.tick(at(1.5 * DAY));
    expect(deal.state.stage?.health).toBe('yellow');
    expect(types(deal.act({ type: 'move_to_stage', stage: 'pricing', reason: 'requirements agreed by phone' }, at(1.5 * DAY)))).toEqual([
      'stage_moved',
      'stage_entered',
    ]);
    const view = dealView(deal.state, sop);
    expect(view.stage).toMatchObject({ id: 'pricing', enteredAt: at(1.5 * DAY), breachAt: at(4.5 * DAY) });
    expect(view.health).toBe('green');
    // Moved, not completed: the history lists completed stages only.
    expect(view.history).toEqual([]);

    deal.act({ type: 'move_to_stage', stage: 'discovery', reason: 'customer changed scope' }, at(2 * DAY));
    expect(dealView(deal.state, sop).stage).toMatchObject({ id: 'discovery', warnAt: at(3 * DAY), breachAt: at(4 * DAY) });
    expect(deal.events.find((e) => e.type === 'stage_moved')).toMatchObject({
      actor: 'mia',
      data: { from: 'discovery', to: 'pricing', reason: 'requirements agreed by phone' },
    });
  });

  test('a stage entered again fires its alerts again, each under a new webhook id', () => {
    const deal = new PureDeal(sop);
    deal.tick(at(1.5 * DAY));
    deal.act({ type: 'move_to_stage', stage: 'pricing', reason: 'skip ahead' }, at(1.5 * DAY));
    deal.act({ type: 'move_to_stage', stage: 'discovery', reason: 'back again' }, at(1.6 * DAY));
    deal.tick(at(2.7 * DAY));
    const warnings = deal.state.alerts.filter((alert) => alert.type === 'deal.sla.warning');
    expect(warnings).toHaveLength(2);
    expect(new Set(warnings.map((alert) => alert.id)).size).toBe(2);
  });

  test('only admin, ops and managers move deals; the stage must be the SOP’s; a closed deal is closed', () => {
    const deal = new PureDeal(sop);
    expect(code(deal.attempt({ type: 'move_to_stage', stage: 'pricing', reason: 'x' }, T0, ALICE))).toBe('forbidden');
    expect(code(deal.attempt({ type: 'move_to_stage', stage: 'pricing', reason: 'x' }, T0, VIEWER))).toBe('forbidden');
    expect(code(deal.attempt({ type: 'move_to_stage', stage: 'pricing', reason: 'x' }, T0, OPS))).toBe('accepted');
    expect(code(deal.attempt({ type: 'move_to_stage', stage: 'nowhere', reason: 'x' }, T0))).toBe('unknown_stage');
    deal.act({ type: 'mark_lost', reason: 'budget' }, T0);
    expect(code(deal.attempt({ type: 'move_to_stage', stage: 'pricing', reason: 'x' }, T0))).toBe('deal_closed');
  });

  test('the analytics count the visit as ended by a move, with no time-in-stage sample', () => {
    const deal = new PureDeal(sop);
    deal.act({ type: 'move_to_stage', stage: 'pricing', reason: 'skip' }, at(DAY / 2));
    const stages = foldFacts(emptyAnalytics(sop.id), deal.facts).stages;
    expect(stages.discovery).toMatchObject({ entered: 1, ended: 1, lost: 0 });
    expect(stages.discovery.wall.count).toBe(0);
    expect(stages.pricing).toMatchObject({ entered: 1, ended: 0 });
  });
});

describe('reopen', () => {
  test('a lost deal opens again in the stage it was lost in, every clock afresh', () => {
    const deal = new PureDeal(sop);
    deal.act({ type: 'open_request', requestId: 'r1' }, T0, ALICE);
    deal.act({ type: 'submit_deliverable', stage: 'discovery', deliverable: 'notes' }, T0, ALICE);
    deal.tick(at(2.5 * DAY));
    expect(deal.state.stage?.health).toBe('red');
    deal.act({ type: 'mark_lost', reason: 'went with a competitor' }, at(3 * DAY));
    expect(types(deal.act({ type: 'reopen', reason: 'competitor fell through' }, at(10 * DAY)))).toEqual([
      'deal_reopened',
      'stage_entered',
    ]);
    const view = dealView(deal.state, sop);
    expect(view).toMatchObject({ status: 'open', closedAt: null, health: 'green' });
    expect(view.stage).toMatchObject({ id: 'discovery', enteredAt: at(10 * DAY), warnAt: at(11 * DAY), breachAt: at(12 * DAY) });
    expect(view.stage?.deliverables.submitted).toEqual(['notes']);
    expect(view.requests[0]).toMatchObject({ requestId: 'r1', breachAt: at(12 * DAY) });

    // The clocks run again, and their alerts are new ones.
    const before = deal.state.alerts.length;
    deal.tick(at(13 * DAY));
    const fresh = deal.state.alerts.slice(before);
    expect(fresh.map((alert) => alert.type).sort()).toEqual(['deal.request.breached', 'deal.sla.breached', 'deal.sla.warning']);
    const oldIds = new Set(deal.state.alerts.slice(0, before).map((alert) => alert.id));
    expect(fresh.filter((alert) => oldIds.has(alert.id))).toEqual([]);
  });

  test('a reopened deal migrates with its request clocks counted from the reopening', () => {
    const deal = new PureDeal(sop);
    deal.act({ type: 'open_request', requestId: 'r1' }, T0, ALICE);
    deal.act({ type: 'pause', reason: 'holiday' }, at(DAY / 4));
    deal.act({ type: 'resume' }, at(DAY / 2));
    deal.act({ type: 'mark_lost', reason: 'budget' }, at(DAY));
    deal.act({ type: 'reopen', reason: 'back' }, at(10 * DAY));
    const v2 = makeSop({ ...sop, version: 2, requestSla: { breachAfter: '24h', clock: 'continuous', notify: ['owner'] } });
    expect(deal.migrate(v2, at(10.5 * DAY)).row.firesAtOnce).toEqual([]);
    // 24 h from the reopening; the pause before the loss no longer counts.
    expect(deal.state.requests[0].breachAt).toBe(at(11 * DAY));
  });

  test('within the window only; a won deal, an open one, a rep and a viewer are refused', () => {
    const lost = new PureDeal(sop, T0, makeOpening(), 7 * DAY);
    lost.act({ type: 'mark_lost', reason: 'budget' }, T0);
    expect(code(lost.attempt({ type: 'reopen', reason: 'x' }, at(7 * DAY + 1)))).toBe('deal_closed');
    expect(code(lost.attempt({ type: 'reopen', reason: 'x' }, at(7 * DAY), ALICE))).toBe('forbidden');
    expect(code(lost.attempt({ type: 'reopen', reason: 'x' }, at(7 * DAY), VIEWER))).toBe('forbidden');
    expect(code(lost.attempt({ type: 'reopen', reason: 'x' }, at(7 * DAY), OPS))).toBe('accepted');
    // The default window is 30 days.
    const defaulted = new PureDeal(sop);
    defaulted.act({ type: 'mark_lost', reason: 'budget' }, T0);
    expect(code(defaulted.attempt({ type: 'reopen', reason: 'x' }, at(30 * DAY)))).toBe('accepted');
    expect(code(defaulted.attempt({ type: 'reopen', reason: 'x' }, at(30 * DAY + 1)))).toBe('deal_closed');

    const open = new PureDeal(sop);
    expect(code(open.attempt({ type: 'reopen', reason: 'x' }, T0))).toBe('deal_closed');
    const won = new PureDeal(makeSop({ stages: [{ id: 'only', name: 'Only' }] }));
    won.act({ type: 'complete_stage', stage: 'only' }, T0);
    expect(won.state.status).toBe('won');
    expect(code(won.attempt({ type: 'reopen', reason: 'x' }, T0))).toBe('deal_closed');
  });

  test('the analytics count a reopened deal once: not lost, open in its stage, its risks open again', () => {
    const deal = new PureDeal(sop);
    deal.act({ type: 'raise_risk', riskId: 'k1', summary: 'Champion leaving' }, T0, ALICE);
    deal.act({ type: 'request_revision', stage: 'discovery', reason: 'incomplete' }, T0);
    deal.act({ type: 'mark_lost', reason: 'Budget cut' }, at(DAY));
    deal.act({ type: 'reopen', reason: 'budget back' }, at(2 * DAY));
    const folded = foldFacts(emptyAnalytics(sop.id), deal.facts);
    expect(folded.deals).toMatchObject({ opened: 1, won: 0, lost: 0 });
    expect(folded.lostReasons).toEqual({});
    expect(folded.openRisks).toEqual({ 'champion leaving': { label: 'Champion leaving', deals: 1 } });
    expect(folded.stages.discovery).toMatchObject({ entered: 2, ended: 1, lost: 0 });
    expect(Object.values(folded.revisions.discovery ?? {})).toEqual([{ won: 0, lost: 0 }]);
    const report = analyticsReport(analyticsFigures(folded), sop);
    expect(report.stages.find((s) => s.stage === 'discovery')?.visits.open).toBe(1);

    // Lost again for good: counted once as lost.
    deal.act({ type: 'mark_lost', reason: 'Budget cut' }, at(3 * DAY));
    expect(foldFacts(emptyAnalytics(sop.id), deal.facts).deals).toMatchObject({ opened: 1, lost: 1 });
  });
});

describe('redeliver', () => {
  const withAlert = () => {
    const deal = new PureDeal(sop);
    deal.tick(at(1.5 * DAY));
    const alert = deal.state.alerts[0];
    return { deal, alertId: alert.id };
  };
  const outcome = (deal: PureDeal, alertId: string) => redeliver(deal.state, alertId, at(2 * DAY), 'ops-team');
  const recorded = (alertId: string, delivery: 'delivered' | 'failed' | 'skipped'): DealEvent => ({
    type: 'delivery_recorded',
    at: at(1.6 * DAY),
    actor: 'system',
    data: { alertId, delivery, error: null },
  });

  test('a failed or skipped alert keeps its body and may be sent again, under its own id', () => {
    for (const delivery of ['failed', 'skipped'] as const) {
      const { deal, alertId } = withAlert();
      deal.apply([recorded(alertId, delivery)]);
      expect(deal.state.alerts[0]).toMatchObject({ delivery, payload: expect.objectContaining({ id: alertId }) });
      const event = outcome(deal, alertId);
      expect(event).toEqual({ type: 'alert_redelivered', at: at(2 * DAY), actor: 'ops-team', data: { alertId } });
      deal.apply([event as DealEvent]);
      expect(deal.state.alerts[0]).toMatchObject({ delivery: 'pending', payload: expect.objectContaining({ id: alertId }) });
    }
  });

  test('pending, delivered or unknown: refused with its code', () => {
    const { deal, alertId } = withAlert();
    expect(code(outcome(deal, alertId))).toBe('delivery_pending');
    expect(code(outcome(deal, 'msg_nothing'))).toBe('unknown_alert');
    deal.apply([recorded(alertId, 'delivered')]);
    expect(deal.state.alerts[0].payload).toBeNull();
    expect(code(outcome(deal, alertId))).toBe('already_delivered');
  });
});
