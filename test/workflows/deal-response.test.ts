// The response protocol and idle deals (`CONTRACT.md` v2.4) in the deal workflow on the
// time-skipping server: each clock fires at its instant across weekends and holidays, stands still
// while paused, and a continue-as-new keeps it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DealView, Sop } from '../../domain';
import { dealWorker, DAY, HOUR, ms, runWorker, sleepUntil, TestDeal } from '../helpers/deal-harness';
import { makeSop, MIA } from '../helpers/fixtures';
import { bundleWorkflows, timeSkippingEnv, uniqueId } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, bundle] = await Promise.all([timeSkippingEnv(), bundleWorkflows()]);
});
afterAll(async () => env?.teardown());

async function withWorker(body: (queue: string) => Promise<void>): Promise<void> {
  const queue = uniqueId('response');
  await runWorker(env, await dealWorker(env, bundle, queue, null), body(queue));
}
const fired = (view: DealView, type: string) => view.escalations.filter((alert) => alert.type === type);

/** The next Monday 09:00 in Shanghai (01:00 UTC) on the test server's clock. */
async function nextMonday(): Promise<number> {
  const now = new Date(await env.currentTimeMs());
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + ((8 - now.getUTCDay()) % 7 || 7), 1);
}

test('yellow asks for a cause, red for a plan, each overdue at its instant on the business clock across a weekend and a holiday', async () => {
  // Entered on a Monday at 10:00 Shanghai time; the Wednesday after is a holiday.
  const monday = (await nextMonday()) + HOUR;
  const wednesday = new Date(monday + 2 * DAY).toISOString().slice(0, 10);
  // Working days of 9 hours: warn after 1 day (Tuesday 10:00), breach after 5.
  const sop: Sop = makeSop({
    calendar: { timezone: 'Asia/Shanghai', workdays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '18:00' }, holidays: [wednesday] },
    stages: [
      {
        id: 'solution',
        name: 'Solution',
        sla: { warnAfter: '1d', breachAfter: '5d', clock: 'business' },
        onYellow: { require: 'cause', within: '1d' },
        onRed: { require: 'plan', within: '4h' },
      },
      { id: 'close', name: 'Close' },
    ],
  });
  await withWorker(async (queue) => {
    await sleepUntil(env, monday);
    const deal = await TestDeal.start(env, queue, sop);
    const entered = await deal.view();
    const drift = ms(entered.stage?.enteredAt) - monday;
    await sleepUntil(env, ms(entered.stage?.warnAt) + 1_000);
    const yellow = await deal.view();
    expect(ms(yellow.stage?.warnAt) - drift).toBe(monday + DAY);
    // A cause within one working day of the warning: Tuesday's 8 hours, Wednesday off, Thursday 10:00 (plus the entry's drift).
    expect(yellow.response).toEqual({
      require: 'cause',
      within: '1d',
      dueBy: new Date(monday + 3 * DAY + drift).toISOString(),
      answeredAt: null,
      overdue: false,
    });
    await sleepUntil(env, ms(yellow.response?.dueBy) - 1_000);
    expect(fired(await deal.view(), 'deal.response.overdue')).toEqual([]);
    await env.sleep(2_000);
    expect(fired(await deal.view(), 'deal.response.overdue')).toHaveLength(1);

    // Breach after 45 working hours: Monday 8, Tuesday 9, (Wednesday off), Thursday 9, Friday 9, (the weekend), Monday 9,
    // and the next Tuesday's first hour: 10:00.
    await sleepUntil(env, ms(entered.stage?.breachAt) + 1_000);
    const red = await deal.view();
    expect(ms(entered.stage?.breachAt) - drift).toBe(monday + 8 * DAY);
    // A plan within 4 working hours of the breach: Tuesday 14:00.
    expect(red.response).toMatchObject({
      require: 'plan',
      dueBy: new Date(monday + 8 * DAY + 4 * HOUR + drift).toISOString(),
      overdue: false,
    });
    await deal.act({ type: 'submit_plan', summary: 'Exec sponsor meeting booked', owner: 'mia' }, MIA);
    await sleepUntil(env, ms(red.response?.dueBy) + HOUR);
    const answered = await deal.view();
    expect(fired(answered, 'deal.response.overdue')).toHaveLength(1);
    expect(answered.response).toMatchObject({ require: 'plan', answeredAt: expect.any(String), overdue: false });
  });
});

test('an idle deal is flagged after idleAfter and again every idleAfter; a person working it, or a pause, holds the clock', async () => {
  const sop: Sop = makeSop({
    stages: [
      { id: 'solution', name: 'Solution', idleAfter: '14d' },
      { id: 'close', name: 'Close' },
    ],
  });
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop);
    const entered = ms((await deal.view()).stage?.enteredAt);
    await sleepUntil(env, entered + 14 * DAY - 1_000);
    expect((await deal.view()).idleSince).toBeNull();
    await env.sleep(2_000);
    const idle = await deal.view();
    expect(idle.idleSince).toBe(new Date(entered).toISOString());
    expect(fired(idle, 'deal.idle')).toHaveLength(1);

    const touched = await deal.act({ type: 'log_activity', kind: 'email', note: 'followed up' }, MIA);
    expect(touched.idleSince).toBeNull();
    const touchedAt = ms((await deal.timeline()).at(-1)?.at);
    await env.sleep(DAY);
    const paused = await deal.act({ type: 'pause', reason: 'buyer on leave' }, MIA);
    expect(paused.paused).toBe(true);
    const pausedAt = ms((await deal.timeline()).at(-1)?.at);
    await sleepUntil(env, touchedAt + 20 * DAY);
    expect(fired(await deal.view(), 'deal.idle')).toHaveLength(1);
    await deal.act({ type: 'resume' }, MIA);
    const resumedAt = ms((await deal.timeline()).at(-1)?.at);
    // Due 14 days after the touch, later by the pause.
    const due = touchedAt + 14 * DAY + (resumedAt - pausedAt);
    await sleepUntil(env, due - 1_000);
    expect(fired(await deal.view(), 'deal.idle')).toHaveLength(1);
    await env.sleep(2_000);
    expect(fired(await deal.view(), 'deal.idle')).toHaveLength(2);
  });
});

test('a weekly cadence short of its target is reported at the end of the calendar week in the SOP’s time zone', async () => {
  const sop: Sop = makeSop({
    calendar: { timezone: 'Asia/Shanghai', workdays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '18:00' }, holidays: [] },
    stages: [
      { id: 'solution', name: 'Solution', cadence: [{ kinds: ['meeting'], atLeast: 2, per: '1w' }] },
      { id: 'close', name: 'Close' },
    ],
  });
  const monday = await nextMonday();
  await withWorker(async (queue) => {
    await sleepUntil(env, monday);
    const deal = await TestDeal.start(env, queue, sop);
    await deal.act({ type: 'log_activity', kind: 'meeting', note: 'kick-off' }, MIA);
    // The week ends at the next Monday 00:00 in Shanghai: Sunday 16:00 UTC.
    const weekEnd = monday - HOUR + 7 * DAY - 8 * HOUR;
    await sleepUntil(env, weekEnd - 1_000);
    expect(fired(await deal.view(), 'deal.cadence.missed')).toEqual([]);
    await env.sleep(2_000);
    expect(fired(await deal.view(), 'deal.cadence.missed')).toHaveLength(1);
    // Two meetings the next week: met, nothing more.
    await deal.act({ type: 'log_activity', kind: 'meeting' }, MIA);
    await deal.act({ type: 'log_activity', kind: 'meeting' }, MIA);
    await sleepUntil(env, weekEnd + 7 * DAY + HOUR);
    expect(fired(await deal.view(), 'deal.cadence.missed')).toHaveLength(1);
  });
});

/** Saved by RECORD_HISTORIES=1 for `replay.test.ts`: a deal that met every clock of the protocol, under today's code. */
const PROTOCOL_FIXTURE = path.resolve(__dirname, '..', 'histories', 'deal-protocol.binpb');

test('a deal that meets every clock of the protocol, start to win, replays through the current code', async () => {
  const sop: Sop = makeSop({
    riskPlaybooks: {
      'price-cut': {
        name: 'Competitor price cut',
        steps: [
          { id: 'confirm-offer', summary: 'Confirm the offer', owner: 'owner', dueIn: '1d' },
          { id: 'counter-offer', summary: 'Decide on a counter-offer', owner: 'manager', dueIn: '2d' },
        ],
      },
    },
    stages: [
      {
        id: 'solution',
        name: 'Solution',
        sla: { warnAfter: '1d', breachAfter: '3d' },
        onYellow: { require: 'cause', within: '1d' },
        onRed: { require: 'plan', within: '4h' },
        idleAfter: '2d',
        cadence: [{ kinds: ['meeting'], atLeast: 1, per: '1d' }],
      },
      { id: 'close', name: 'Close' },
    ],
  });
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop);
    await deal.act({ type: 'raise_risk', riskId: 'price', summary: 'Competitor cut prices', playbook: 'price-cut' }, MIA);
    await deal.act({ type: 'complete_task', riskId: 'price', taskId: 'confirm-offer' }, MIA);
    await deal.act({ type: 'log_activity', kind: 'meeting', note: 'workshop' }, MIA);
    const entered = ms((await deal.view()).stage?.enteredAt);
    await sleepUntil(env, entered + DAY + HOUR);
    await deal.act({ type: 'explain_delay', cause: 'Waiting for the buyer’s architecture board' }, MIA);
    await deal.act({ type: 'pause', reason: 'board meeting postponed' }, MIA);
    await env.sleep(2 * HOUR);
    await deal.act({ type: 'resume' }, MIA);
    await sleepUntil(env, entered + 3 * DAY + 8 * HOUR);
    await deal.act({ type: 'submit_plan', summary: 'Executive sponsor call', owner: 'mia' }, MIA);
    const before = await deal.view();
    const types = new Set(before.escalations.map((alert) => alert.type));
    expect([...types].sort()).toEqual(
      ['deal.cadence.missed', 'deal.idle', 'deal.response.overdue', 'deal.sla.breached', 'deal.sla.warning', 'deal.task.overdue'].sort(),
    );
    await deal.act({ type: 'complete_stage', stage: 'solution' }, MIA);
    await deal.act({ type: 'complete_stage', stage: 'close' }, MIA);
    expect((await deal.handle.result()).status).toBe('won');
    const history = await deal.handle.fetchHistory();
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, [{ workflowId: deal.handle.workflowId, history }])) {
      if (result.error) failures.push(result.error.message);
    }
    expect(failures).toEqual([]);
    if (process.env.RECORD_HISTORIES === '1') writeFileSync(PROTOCOL_FIXTURE, temporal.api.history.v1.History.encode(history).finish());
  });
});

// Last in this file: after a continue-as-new the time-skipping server no longer skips time (see deal-continue-as-new.test.ts).
test('a continue-as-new keeps the response asked and the idle clock', async () => {
  const sop: Sop = makeSop({
    stages: [
      {
        id: 'solution',
        name: 'Solution',
        idleAfter: '30d',
        sla: { warnAfter: '1h', breachAfter: '30d' },
        onYellow: { require: 'cause', within: '10d' },
      },
      { id: 'close', name: 'Close' },
    ],
  });
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop, {}, { maxHistoryEvents: 120 });
    await sleepUntil(env, ms((await deal.view()).stage?.warnAt) + 1_000);
    const before = await deal.view();
    expect(before.response).toMatchObject({ require: 'cause', answeredAt: null });
    const { runId: first } = await deal.handle.describe();
    for (let i = 0; i < 60 && (await deal.handle.describe()).runId === first; i++) {
      await deal.act({ type: 'update_deal', amount: 1_000 + i }, MIA);
    }
    expect((await deal.handle.describe()).runId).not.toBe(first);
    const after = await deal.view();
    expect(after.response).toEqual(before.response);
    const answered = await deal.act({ type: 'explain_delay', cause: 'Procurement moved the date' }, MIA);
    expect(answered.response).toMatchObject({ answeredAt: expect.any(String) });
  });
});
