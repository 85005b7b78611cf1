import { dealView, migrateDeal, visitNow, type Sop, type SopInput } from '../../domain';
import { makeOpening, makeSop } from '../helpers/fixtures';
import { PureDeal, T0 } from '../helpers/pure-deal';

// 2026-01-05 is a Monday; the default calendar is Mon–Fri 09:00–18:00 UTC.
const OPS = 'ops-team';
const plan = (stageMap: Record<string, string> = {}) => ({ migrationId: 'mig-1', stageMap });

const v = (version: number, stages: SopInput['stages'], rest: Partial<SopInput> = {}): Sop => makeSop({ version, stages, ...rest });

describe('migrating a deal to a new SOP version', () => {
  const v1 = v(1, [
    { id: 'discovery', name: 'Discovery', sla: { warnAfter: '2d', breachAfter: '5d' } },
    { id: 'legal', name: 'Legal review', deliverables: ['nda', 'msa'], sla: { breachAfter: '10d' } },
    { id: 'close', name: 'Close' },
  ]);

  test('a renamed stage keeps its visit: entered at, deliverables, and deadlines from the new SLA', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'complete_stage', stage: 'discovery' }, '2026-01-06T09:00:00.000Z');
    deal.act({ type: 'submit_deliverable', stage: 'legal', deliverable: 'nda', ref: 'doc-1' }, '2026-01-07T09:00:00.000Z');
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery' },
      { id: 'contract', name: 'Contract', deliverables: ['nda', 'dpa'], sla: { warnAfter: '3d', breachAfter: '7d' } },
      { id: 'close', name: 'Close' },
    ]);
    const { row, events } = deal.migrate(v2, '2026-01-08T09:00:00.000Z', { legal: 'contract' });
    expect(row).toEqual({
      dealId: 'acme-2026-001',
      fromVersion: 1,
      outcome: 'migrate',
      reason: null,
      fromStage: 'legal',
      toStage: 'contract',
      warnAt: '2026-01-09T09:00:00.000Z',
      breachAt: '2026-01-13T09:00:00.000Z',
      missingDeliverables: ['dpa'],
      firesAtOnce: [],
    });
    expect(events).toEqual([
      expect.objectContaining({
        type: 'sop_migrated',
        actor: OPS,
        data: expect.objectContaining({ migrationId: 'mig-1', fromVersion: 1, toVersion: 2, fromStage: 'legal', toStage: 'contract' }),
      }),
    ]);
    const view = dealView(deal.state, v2);
    expect(view.sop).toEqual({ id: 'test-sop', version: 2 });
    expect(view.stage).toEqual({
      id: 'contract',
      name: 'Contract',
      enteredAt: '2026-01-06T09:00:00.000Z',
      deliverables: { required: ['nda', 'dpa'], submitted: ['nda'] },
      warnAt: '2026-01-09T09:00:00.000Z',
      breachAt: '2026-01-13T09:00:00.000Z',
    });
    expect(view.history).toEqual([{ stage: 'discovery', enteredAt: T0, completedAt: '2026-01-06T09:00:00.000Z' }]);
    // The visit goes on under its new name, for the analytics' time in stage.
    expect(visitNow(deal.visits)).toMatchObject({ stage: 'contract', enteredAt: '2026-01-06T09:00:00.000Z' });
  });

  test('a stage with no target in the new version is refused, and nothing changes', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'complete_stage', stage: 'discovery' }, '2026-01-06T09:00:00.000Z');
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery' },
      { id: 'close', name: 'Close' },
    ]);
    const before = deal.state;
    const { row, events } = deal.migrate(v2, '2026-01-07T09:00:00.000Z');
    expect(row).toMatchObject({ outcome: 'refuse', reason: 'unmapped_stage', fromStage: 'legal', toStage: null });
    expect(events).toEqual([]);
    expect(deal.state).toBe(before);
  });

  test('a map entry wins over a stage of the same id', () => {
    const deal = new PureDeal(v1);
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery' },
      { id: 'qualify', name: 'Qualify' },
    ]);
    expect(deal.migrate(v2, T0, { discovery: 'qualify' }).row).toMatchObject({ outcome: 'migrate', toStage: 'qualify' });
  });

  test('a new SLA already past fires at once, once, and an alert fired in the visit is not fired again', () => {
    const deal = new PureDeal(v1);
    expect(deal.tick('2026-01-07T10:00:00.000Z').map((e) => e.type)).toEqual(['sla_warning']);
    // v2: warn after 1d (already warned), breach after 2d (already past): only the breach fires.
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery', sla: { warnAfter: '1d', breachAfter: '2d' } },
      { id: 'close', name: 'Close' },
    ]);
    const { row } = deal.migrate(v2, '2026-01-08T09:00:00.000Z');
    expect(row.firesAtOnce).toEqual(['deal.sla.breached']);
    expect(deal.tick('2026-01-08T09:00:00.000Z').map((e) => e.type)).toEqual(['sla_breached']);
    expect(deal.tick('2026-02-01T00:00:00.000Z')).toEqual([]);
    expect(deal.alerts()).toEqual(['deal.sla.warning@2026-01-07T10:00:00.000Z', 'deal.sla.breached@2026-01-08T09:00:00.000Z']);
    expect(dealView(deal.state, v2).health).toBe('red');
  });

  test('health does not improve within a visit: a looser SLA keeps a breached deal red and fires nothing again', () => {
    const deal = new PureDeal(v1);
    deal.tick('2026-01-10T10:00:00.000Z');
    expect(deal.state.stage?.health).toBe('red');
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery', sla: { warnAfter: '20d', breachAfter: '30d' } },
      { id: 'close', name: 'Close' },
    ]);
    expect(deal.migrate(v2, '2026-01-11T09:00:00.000Z').row.firesAtOnce).toEqual([]);
    expect(deal.tick('2026-03-01T00:00:00.000Z')).toEqual([]);
    expect(dealView(deal.state, v2).health).toBe('red');
  });

  test('a repeating escalation long past fires once at its latest past occurrence, then keeps its schedule', () => {
    const deal = new PureDeal(v1);
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery', escalations: [{ after: '1d', notify: ['director'], repeatEvery: '1d' }] },
      { id: 'close', name: 'Close' },
    ]);
    // Entered Mon 09:00: occurrences at Tue, Wed, Thu, Fri 09:00; migrated Fri 12:00 → Fri's (occurrence 3) fires once.
    const { row } = deal.migrate(v2, '2026-01-09T12:00:00.000Z');
    expect(row.firesAtOnce).toEqual(['deal.escalated']);
    const fired = deal.tick('2026-01-09T12:00:00.000Z');
    expect(fired).toEqual([
      expect.objectContaining({ type: 'escalation_fired', data: expect.objectContaining({ level: 0, occurrence: 3 }) }),
    ]);
    expect(deal.tick('2026-01-10T08:59:59.000Z')).toEqual([]);
    expect(deal.tick('2026-01-10T09:00:00.000Z')).toEqual([
      expect.objectContaining({ type: 'escalation_fired', data: expect.objectContaining({ occurrence: 4 }) }),
    ]);
  });

  test('an escalation that fired keeps its count; one without repeat does not fire again', () => {
    const escalating = v(1, [
      { id: 'discovery', name: 'Discovery', escalations: [{ after: '1d', notify: ['manager'] }] },
      { id: 'close', name: 'Close' },
    ]);
    const deal = new PureDeal(escalating);
    expect(deal.tick('2026-01-06T09:00:00.000Z').map((e) => e.type)).toEqual(['escalation_fired']);
    const v2 = v(2, [
      {
        id: 'discovery',
        name: 'Discovery',
        escalations: [
          { after: '12h', notify: ['manager'] },
          { after: '20h', notify: ['director'] },
        ],
      },
      { id: 'close', name: 'Close' },
    ]);
    // Level 0 fired already; level 1 is new and past: it alone fires.
    expect(deal.migrate(v2, '2026-01-06T10:00:00.000Z').row.firesAtOnce).toEqual(['deal.escalated']);
    expect(deal.tick('2026-01-06T10:00:00.000Z')).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ level: 1, occurrence: 0 }) }),
    ]);
    expect(deal.tick('2026-02-01T00:00:00.000Z')).toEqual([]);
  });

  test('on a business clock the new deadlines count working time from entry, the visit’s pause left out', () => {
    const business = v(1, [
      { id: 'discovery', name: 'Discovery', sla: { breachAfter: '5d', clock: 'business' } },
      { id: 'close', name: 'Close' },
    ]);
    const deal = new PureDeal(business);
    // Paused Tue 09:00 to Wed 13:00: 13 working hours (9 Tue + 4 Wed).
    deal.act({ type: 'pause', reason: 'customer on holiday' }, '2026-01-06T09:00:00.000Z');
    deal.act({ type: 'resume' }, '2026-01-07T13:00:00.000Z');
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery', sla: { warnAfter: '1d', breachAfter: '2d', clock: 'business' } },
      { id: 'close', name: 'Close' },
    ]);
    // Breach: 18 working hours from Mon 09:00 is Tue 18:00, plus 13 h paused: Thu 13:00. Warn: 9 h is Mon 18:00,
    // plus 13 h: Wed 13:00, already past at Wed 14:00.
    const { row } = deal.migrate(v2, '2026-01-07T14:00:00.000Z');
    expect(row).toMatchObject({
      warnAt: '2026-01-07T13:00:00.000Z',
      breachAt: '2026-01-08T13:00:00.000Z',
      firesAtOnce: ['deal.sla.warning'],
    });
  });

  test('the new deadlines cross a weekend and a holiday of the new version’s calendar', () => {
    const deal = new PureDeal(v1);
    const v2 = v(
      2,
      [
        { id: 'discovery', name: 'Discovery', sla: { breachAfter: '2d', clock: 'business' } },
        { id: 'close', name: 'Close' },
      ],
      { calendar: { timezone: 'UTC', workdays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '18:00' }, holidays: ['2026-01-06'] } },
    );
    // Entered Mon 09:00; Tue is a holiday: two working days end Wed 18:00.
    expect(deal.migrate(v2, T0).row.breachAt).toBe('2026-01-07T18:00:00.000Z');
  });

  test('a paused deal migrates and stays paused: its deadlines move at resume by the whole pause', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'pause', reason: 'budget freeze' }, '2026-01-06T09:00:00.000Z');
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery', sla: { warnAfter: '1d', breachAfter: '3d' } },
      { id: 'close', name: 'Close' },
    ]);
    const { row } = deal.migrate(v2, '2026-01-07T09:00:00.000Z');
    // Nothing fires while paused, though the new warning (Tue 09:00) is past.
    expect(row).toMatchObject({ outcome: 'migrate', warnAt: '2026-01-06T09:00:00.000Z', firesAtOnce: [] });
    expect(dealView(deal.state, v2)).toMatchObject({ paused: true, stage: { warnAt: null, breachAt: null } });
    deal.act({ type: 'resume' }, '2026-01-08T09:00:00.000Z');
    // Paused from Tue 09:00 to Thu 09:00: two days later each.
    expect(dealView(deal.state, v2).stage).toMatchObject({ warnAt: '2026-01-08T09:00:00.000Z', breachAt: '2026-01-10T09:00:00.000Z' });
    expect(deal.tick('2026-01-08T09:00:00.000Z').map((e) => e.type)).toEqual(['sla_warning']);
  });

  test('a fast lane the new version adds ahead applies when the deal gets there', () => {
    const deal = new PureDeal(v1, T0, makeOpening({ customer: { name: 'ACME', tier: 'A' } }));
    const v2 = v(2, [
      { id: 'discovery', name: 'Discovery' },
      { id: 'legal', name: 'Legal review', skipWhen: { field: 'customer.tier', op: 'eq', value: 'A' } },
      { id: 'close', name: 'Close' },
    ]);
    deal.migrate(v2, T0);
    deal.act({ type: 'complete_stage', stage: 'discovery' }, '2026-01-06T09:00:00.000Z');
    const view = dealView(deal.state, v2);
    expect(view.skipped).toEqual([expect.objectContaining({ stage: 'legal' })]);
    expect(view.stage?.id).toBe('close');
  });

  test('open requests get deadlines on the new request SLA, their pauses left out; answered ones and risks stay as they were', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'open_request', requestId: 'r1', summary: 'pricing sheet' }, T0);
    deal.act({ type: 'open_request', requestId: 'r0' }, T0);
    deal.act({ type: 'answer_request', requestId: 'r0' }, '2026-01-05T10:00:00.000Z');
    deal.act({ type: 'raise_risk', riskId: 'k1', summary: 'champion leaving', dueBy: '2026-02-01T00:00:00.000Z' }, T0);
    deal.act({ type: 'pause', reason: 'wait' }, '2026-01-05T12:00:00.000Z');
    deal.act({ type: 'resume' }, '2026-01-05T15:00:00.000Z');
    const before = deal.state;
    const v2 = v(2, v1.stages, { requestSla: { warnAfter: '12h', breachAfter: '24h', clock: 'continuous', notify: ['owner'] } });
    const { row } = deal.migrate(v2, '2026-01-05T16:00:00.000Z');
    expect(row.outcome).toBe('migrate');
    // 3 h paused: warn 12 h + 3 h, breach 24 h + 3 h after 09:00.
    expect(deal.state.requests.find((r) => r.requestId === 'r1')).toMatchObject({
      warnAt: '2026-01-06T00:00:00.000Z',
      breachAt: '2026-01-06T12:00:00.000Z',
    });
    expect(deal.state.requests.find((r) => r.requestId === 'r0')).toEqual(before.requests.find((r) => r.requestId === 'r0'));
    expect(deal.state.risks).toEqual(before.risks);
  });

  test('a request from before pauses were kept reads its pause back from its old deadline', () => {
    const deal = new PureDeal(v1);
    deal.act({ type: 'open_request', requestId: 'r1' }, T0);
    deal.act({ type: 'pause', reason: 'wait' }, '2026-01-05T12:00:00.000Z');
    deal.act({ type: 'resume' }, '2026-01-05T14:00:00.000Z');
    // As a run from before this code carried it: no pauses on the request.
    deal.state = { ...deal.state, requests: deal.state.requests.map(({ pauses: _, ...request }) => request) };
    const v2 = v(2, v1.stages, { requestSla: { breachAfter: '24h', clock: 'continuous', notify: ['owner'] } });
    deal.migrate(v2, '2026-01-05T15:00:00.000Z');
    expect(deal.state.requests[0].breachAt).toBe('2026-01-06T11:00:00.000Z');
  });

  test('the same migration twice changes nothing the second time; closed deals and newer ones are skipped', () => {
    const deal = new PureDeal(v1);
    const v2 = v(2, v1.stages);
    expect(deal.migrate(v2, T0).row.outcome).toBe('migrate');
    const after = deal.state;
    expect(deal.migrate(v2, T0)).toEqual({ row: expect.objectContaining({ outcome: 'migrate', alreadyApplied: true }), events: [] });
    expect(deal.state).toBe(after);
    // Another migration to the same version finds it there.
    expect(migrateDeal(deal.state, null, v2, v2, { migrationId: 'mig-2', stageMap: {} }, T0, OPS).row).toMatchObject({
      outcome: 'skip',
      reason: 'already_on_version',
    });
    expect(migrateDeal(deal.state, null, v2, v1, plan(), T0, OPS).row).toMatchObject({ outcome: 'skip', reason: 'newer_version' });

    const v3 = v(3, v1.stages);
    expect(migrateDeal(new PureDeal(v1).state, null, v1, v3, { ...plan(), fromVersions: [2] }, T0, OPS).row).toMatchObject({
      outcome: 'skip',
      reason: 'version_not_selected',
    });

    const lost = new PureDeal(v1);
    lost.act({ type: 'mark_lost', reason: 'budget' }, T0);
    expect(lost.migrate(v2, T0).row).toMatchObject({ outcome: 'skip', reason: 'deal_closed' });
  });
});
