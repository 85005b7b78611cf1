// Risk playbooks (`CONTRACT.md` v2.4) in the deal workflow on the time-skipping server: each task
// falls overdue at its instant, a pause stops its clock, a continue-as-new keeps the tasks.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
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

const sop: Sop = makeSop({
  riskPlaybooks: {
    'competitor-price-cut': {
      name: 'Competitor price cut',
      steps: [
        { id: 'value-story', summary: 'Rebuild the value story for the buyer', owner: 'owner', dueIn: '1d' },
        { id: 'pricing-approval', summary: 'Get a counter-offer approved', owner: 'manager', dueIn: '3d' },
      ],
    },
  },
});
const raise = { type: 'raise_risk', riskId: 'price', summary: 'Competitor cut prices 20%', playbook: 'competitor-price-cut' } as const;
const overdue = (view: DealView) => view.escalations.filter((alert) => alert.type === 'deal.task.overdue');

async function withWorker(body: (queue: string) => Promise<void>): Promise<void> {
  const queue = uniqueId('playbooks');
  await runWorker(env, await dealWorker(env, bundle, queue, null), body(queue));
}

test('each task falls overdue at its due instant, not a second before; a completed task never does', async () => {
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop);
    const raised = await deal.act(raise, MIA);
    const [story, approval] = raised.risks[0].tasks;
    expect(ms(story.dueBy) - ms(raised.risks[0].raisedAt)).toBe(DAY);
    expect(approval).toMatchObject({ owner: 'mia', role: 'manager' });

    await sleepUntil(env, ms(story.dueBy) - 1_000);
    expect(overdue(await deal.view())).toEqual([]);
    await env.sleep(2_000);
    const late = await deal.view();
    expect(overdue(late)).toEqual([expect.objectContaining({ type: 'deal.task.overdue', delivery: 'skipped' })]);
    expect(ms(overdue(late)[0].firedAt)).toBeGreaterThanOrEqual(ms(story.dueBy));
    expect(late.risks[0].tasks.map((task) => task.overdue)).toEqual([true, false]);

    await deal.act({ type: 'complete_task', riskId: 'price', taskId: 'pricing-approval', note: 'approved' }, MIA);
    await sleepUntil(env, ms(approval.dueBy) + HOUR);
    expect(overdue(await deal.view())).toHaveLength(1);
  });
});

test("a pause stops the tasks' clocks: they fall due later by exactly the pause", async () => {
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop);
    const raised = await deal.act(raise, MIA);
    const story = raised.risks[0].tasks[0];
    await env.sleep(2 * HOUR);
    const paused = await deal.act({ type: 'pause', reason: 'buyer on leave' }, MIA);
    await sleepUntil(env, ms(story.dueBy) + 2 * HOUR);
    expect(overdue(await deal.view())).toEqual([]);
    const resumed = await deal.act({ type: 'resume' }, MIA);
    const timeline = await deal.timeline();
    const pausedAt = ms(timeline.find((event) => event.type === 'paused')?.at);
    const resumedAt = ms(timeline.find((event) => event.type === 'resumed')?.at);
    expect(ms(resumed.risks[0].tasks[0].dueBy) - ms(story.dueBy)).toBe(resumedAt - pausedAt);
    expect(paused.risks[0].tasks[0].dueBy).toBe(story.dueBy);
    await sleepUntil(env, ms(resumed.risks[0].tasks[0].dueBy) + 1_000);
    expect(overdue(await deal.view())).toHaveLength(1);
  });
});

test('a continue-as-new keeps the risk, its playbook and its tasks', async () => {
  await withWorker(async (queue) => {
    const deal = await TestDeal.start(env, queue, sop, {}, { maxHistoryEvents: 120 });
    await deal.act(raise, MIA);
    await deal.act({ type: 'complete_task', riskId: 'price', taskId: 'value-story' }, MIA);
    const before = await deal.view();
    const { runId: first } = await deal.handle.describe();
    for (let i = 0; i < 60 && (await deal.handle.describe()).runId === first; i++) {
      await deal.act({ type: 'log_activity', kind: 'call', note: `filler ${i}` }, MIA);
    }
    expect((await deal.handle.describe()).runId).not.toBe(first);
    const after = await deal.view();
    expect(after.risks).toEqual(before.risks);
    expect(after.risks[0]).toMatchObject({ playbook: 'competitor-price-cut', tasks: [{ doneAt: expect.any(String) }, { doneAt: null }] });
  });
});
