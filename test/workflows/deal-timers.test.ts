// Deal workflows on the time-skipping server: days of SLA time pass in milliseconds.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DealView } from '../../domain';
import { actSignal, type ActRequest } from '../../workflows/messages';
import { dealWorker, DAY, HOUR, ms, runWorker, sleepUntil, TestDeal } from '../helpers/deal-harness';
import { makeSop } from '../helpers/fixtures';
import { bundleWorkflows, timeSkippingEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, bundle] = await Promise.all([timeSkippingEnv(), bundleWorkflows()]);
});
afterAll(async () => env?.teardown());

/** Runs `body` with a worker that records alerts without sending them. */
async function withWorker(body: (taskQueue: string) => Promise<void>): Promise<void> {
  const taskQueue = uniqueId('timers');
  const worker: Worker = await dealWorker(env, bundle, taskQueue, null);
  await runWorker(env, worker, body(taskQueue));
}

const alertsOf = (view: DealView, type: string) => view.escalations.filter((e) => e.type === type);

test('an unanswered request escalates at 48 h and not a second before', async () => {
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, makeSop());
    const opened = await deal.act({ type: 'open_request', requestId: 'tech-q1', summary: 'Does it run on-prem?' });
    const request = opened.requests[0];
    expect(ms(request.breachAt) - ms(request.openedAt)).toBe(48 * HOUR);

    await sleepUntil(env, ms(request.breachAt) - 1_000);
    const before = await deal.view();
    expect(alertsOf(before, 'deal.request.breached')).toEqual([]);
    expect(before.health).toBe('green');

    await env.sleep(2_000);
    const after = await deal.view();
    const [breach] = alertsOf(after, 'deal.request.breached');
    expect(breach).toMatchObject({ requestId: 'tech-q1', delivery: 'skipped' });
    expect(ms(breach.firedAt)).toBeGreaterThanOrEqual(ms(request.breachAt));
    expect(after.health).toBe('red');
  });
});

/** The instant `days` working days after a Friday at 15:00 local, skipping weekends and `holiday`. */
function nthWorkingDayAt1500Shanghai(friday: Date, days: number, holiday: string): number {
  const date = new Date(friday);
  for (let counted = 0; counted < days;) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6 && date.toISOString().slice(0, 10) !== holiday) counted++;
  }
  // 15:00 in Shanghai (UTC+8, no DST) is 07:00 UTC.
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), 7);
}

test('a 30-business-day SLA entered on a Friday afternoon before a holiday warns and breaches at the exact instants', async () => {
  // The next Friday at 15:00 Shanghai time; the Monday after it is a holiday.
  const now = new Date(await env.currentTimeMs());
  const friday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + ((5 - now.getUTCDay() + 7) % 7 || 7), 7));
  const holiday = new Date(friday.getTime() + 3 * DAY).toISOString().slice(0, 10);
  // 3 h on Friday + 29 full 9-hour days + 6 h = 270 working hours: 15:00 on the 30th working day.
  const expectedBreach = nthWorkingDayAt1500Shanghai(friday, 30, holiday);
  const expectedWarn = nthWorkingDayAt1500Shanghai(friday, 20, holiday);
  const sop = makeSop({
    calendar: { timezone: 'Asia/Shanghai', workdays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '18:00' }, holidays: [holiday] },
    stages: [{ id: 'solution', name: 'Solution accepted', sla: { warnAfter: '20d', breachAfter: '30d', clock: 'business' } }],
  });

  await withWorker(async (queue) => {
    await sleepUntil(env, friday.getTime());
    const deal = await TestDeal.start(env, queue, sop);
    const entered = await deal.view();
    expect(ms(entered.stage?.enteredAt) - friday.getTime()).toBeLessThan(1_000);
    // Deadlines count from the actual entry instant, a few ms after 15:00.
    const drift = ms(entered.stage?.enteredAt) - friday.getTime();
    expect(ms(entered.stage?.warnAt)).toBe(expectedWarn + drift);
    expect(ms(entered.stage?.breachAt)).toBe(expectedBreach + drift);

    await sleepUntil(env, expectedWarn + drift - 1_000);
    expect(alertsOf(await deal.view(), 'deal.sla.warning')).toEqual([]);
    await env.sleep(2_000);
    const warned = await deal.view();
    expect(alertsOf(warned, 'deal.sla.warning')).toHaveLength(1);
    expect(warned.health).toBe('yellow');

    await sleepUntil(env, expectedBreach + drift - 1_000);
    expect(alertsOf(await deal.view(), 'deal.sla.breached')).toEqual([]);
    await env.sleep(2_000);
    const breached = await deal.view();
    expect(alertsOf(breached, 'deal.sla.breached')).toHaveLength(1);
    expect(breached.health).toBe('red');
  });
});

test('an escalation with repeatEvery fires every period until the stage completes, then stops', async () => {
  const sop = makeSop({
    stages: [
      { id: 'requirements', name: 'Requirements', escalations: [{ after: '1h', notify: ['manager'], repeatEvery: '1h' }] },
      { id: 'contract', name: 'Contract' },
    ],
  });
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop);
    const enteredAt = ms((await deal.view()).stage?.enteredAt);
    await sleepUntil(env, enteredAt + 3.5 * HOUR);
    const escalated = alertsOf(await deal.view(), 'deal.escalated');
    expect(escalated.map((e) => e.occurrence)).toEqual([0, 1, 2]);
    escalated.forEach((e, i) => {
      expect(ms(e.firedAt) - enteredAt).toBeGreaterThanOrEqual((i + 1) * HOUR);
      expect(ms(e.firedAt) - enteredAt).toBeLessThan((i + 1) * HOUR + 2_000);
    });
    expect(new Set(escalated.map((e) => e.id)).size).toBe(3);

    await deal.act({ type: 'complete_stage', stage: 'requirements' });
    await env.sleep(5 * HOUR);
    const later = await deal.view();
    expect(later.stage?.id).toBe('contract');
    expect(alertsOf(later, 'deal.escalated')).toHaveLength(3);
  });
});

test('a 5-day pause pushes every deadline 5 days later', async () => {
  const sop = makeSop({
    stages: [
      {
        id: 'requirements',
        name: 'Requirements',
        sla: { warnAfter: '1d', breachAfter: '2d' },
        escalations: [{ after: '3d', notify: ['manager'] }],
      },
      { id: 'contract', name: 'Contract' },
    ],
  });
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop);
    const before = await deal.act({ type: 'open_request', requestId: 'q1' });
    const paused = await deal.act({ type: 'pause', reason: 'customer on holiday' });
    expect(paused).toMatchObject({ paused: true, health: 'green', stage: { warnAt: null, breachAt: null } });
    await env.sleep(5 * DAY);
    expect((await deal.view()).escalations).toEqual([]);
    const resumed = await deal.act({ type: 'resume' });

    const events = await deal.timeline();
    const pauseMs = ms(events.find((e) => e.type === 'resumed')?.at) - ms(events.find((e) => e.type === 'paused')?.at);
    expect(Math.abs(pauseMs - 5 * DAY)).toBeLessThan(2_000);
    expect(ms(resumed.stage?.warnAt) - ms(before.stage?.warnAt)).toBe(pauseMs);
    expect(ms(resumed.stage?.breachAt) - ms(before.stage?.breachAt)).toBe(pauseMs);
    expect(ms(resumed.requests[0].breachAt) - ms(before.requests[0].breachAt)).toBe(pauseMs);

    // The escalation, due 3 d after entry, now falls 8 d after it.
    const enteredAt = ms(before.stage?.enteredAt);
    await sleepUntil(env, enteredAt + 3 * DAY + pauseMs - 1_000);
    expect(alertsOf(await deal.view(), 'deal.escalated')).toEqual([]);
    await env.sleep(2_000);
    expect(alertsOf(await deal.view(), 'deal.escalated')).toHaveLength(1);
  });
});

test('a tier-A deal skips the stage its fast-lane rule names', async () => {
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, makeSop(), { customer: { name: 'Big Co', tier: 'A' } });
    await deal.act({ type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc', ref: 'doc://1' });
    const view = await deal.act({ type: 'complete_stage', stage: 'requirements' });
    expect(view.stage?.id).toBe('contract');
    expect(view.skipped).toEqual([{ stage: 'pricing', rule: { field: 'customer.tier', op: 'eq', value: 'A' } }]);
    const skippedEvent = (await deal.timeline()).find((e) => e.type === 'stage_skipped');
    expect(skippedEvent?.data).toEqual({ stage: 'pricing', rule: { field: 'customer.tier', op: 'eq', value: 'A' } });
  });
});

test('completing the last stage wins the deal and completes the workflow', async () => {
  const sop = makeSop({ stages: [{ id: 'only', name: 'Only stage', deliverables: ['contract'] }] });
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop);
    await deal.act({ type: 'submit_deliverable', stage: 'only', deliverable: 'contract' });
    await deal.act({ type: 'complete_stage', stage: 'only' });
    const result = await deal.handle.result();
    expect(result).toMatchObject({ status: 'won', health: null, stage: null });
    expect(result.closedAt).not.toBeNull();
    expect(result.history.map((h) => h.stage)).toEqual(['only']);
  });
});

test('a malformed signal from any sender is recorded as refused and the deal carries on', async () => {
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, makeSop());
    const before = await deal.view();
    await deal.handle.signal(actSignal, { garbage: true } as unknown as ActRequest);
    await deal.handle.signal(actSignal, { action: { type: 'pause', reason: 'x' } } as unknown as ActRequest);
    await deal.handle.signal(actSignal, null as unknown as ActRequest);
    expect(await deal.view()).toEqual(before);
    const refused = (await deal.timeline()).filter((e) => e.type === 'action_rejected');
    expect(refused.map((e) => [e.actor, (e.data as { code: string }).code])).toEqual([
      ['unknown', 'validation_failed'],
      ['unknown', 'validation_failed'],
      ['unknown', 'validation_failed'],
    ]);
    expect((await deal.act({ type: 'log_activity', kind: 'call' })).status).toBe('open');
  });
});

test('a signal the deal refuses is recorded on the timeline and changes nothing else', async () => {
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, makeSop());
    const before = await deal.view();
    const after = await deal.act({ type: 'complete_stage', stage: 'requirements' });
    expect(after).toEqual(before);
    const refused = (await deal.timeline()).filter((e) => e.type === 'action_rejected');
    expect(refused).toEqual([expect.objectContaining({ actor: 'alice', data: expect.objectContaining({ code: 'missing_deliverables' }) })]);
  });
});
