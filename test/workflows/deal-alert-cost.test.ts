// What an alert costs the server: one activity carrying the webhook and its facts, two workflow
// tasks, and the deadline timer left alone while nothing moves it (time-skipping server).
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import type { AnalyticsFigures } from '../../domain';
import { analyticsQuery, analyticsWorkflowId } from '../../workflows/messages';
import { alertsSettled, dealWorker, HOUR, ms, runWorker, sleepUntil, TestDeal, webhookTarget } from '../helpers/deal-harness';
import { makeSop } from '../helpers/fixtures';
import { WebhookReceiver } from '../helpers/receiver';
import { bundleWorkflows, timeSkippingEnv, uniqueId } from '../helpers/temporal';

const { EventType } = temporal.api.enums.v1;
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
const receiver = new WebhookReceiver();
let url: string;
beforeAll(async () => {
  [env, bundle, url] = await Promise.all([timeSkippingEnv(), bundleWorkflows(), receiver.start()]);
});
afterAll(async () => {
  await receiver.stop();
  await env?.teardown();
});

const sop = makeSop({
  id: 'alert-cost-sop',
  stages: [
    {
      id: 'requirements',
      name: 'Requirements',
      sla: { warnAfter: '30m', breachAfter: '1h' },
      escalations: [{ after: '2h', notify: ['manager'] }],
    },
    { id: 'contract', name: 'Contract' },
  ],
});

async function analytics(): Promise<AnalyticsFigures> {
  return env.client.workflow.getHandle(analyticsWorkflowId(sop.id)).query(analyticsQuery);
}

/** The deal's history from its first deadline on: what its alerts cost. */
async function afterFirstDeadline(deal: TestDeal): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const events = (await deal.handle.fetchHistory()).events ?? [];
  return events.slice(events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_FIRED));
}

const ofType = (events: temporal.api.history.v1.IHistoryEvent[], type: temporal.api.enums.v1.EventType) =>
  events.filter((e) => e.eventType === type);

test('each alert is one activity with its facts and two workflow tasks; the timer outlives the deliveries', async () => {
  receiver.respondWith(() => 204);
  const queue = uniqueId('alert-cost');
  const worker = await dealWorker(env, bundle, queue, webhookTarget(url));
  await runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(env, queue, sop);
      await sleepUntil(env, ms((await deal.view()).stage?.enteredAt) + 2 * HOUR + 60_000);
      const view = await alertsSettled(env, deal, 3);
      expect(view.escalations.map((e) => [e.type, e.delivery])).toEqual([
        ['deal.sla.warning', 'delivered'],
        ['deal.sla.breached', 'delivered'],
        ['deal.escalated', 'delivered'],
      ]);

      const events = await afterFirstDeadline(deal);
      const scheduled = ofType(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
      expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual([
        'sendAlert',
        'sendAlert',
        'sendAlert',
      ]);
      expect(ofType(events, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)).toHaveLength(6);
      expect(ofType(events, EventType.EVENT_TYPE_TIMER_CANCELED)).toHaveLength(0);

      // The facts that went with the alerts were counted, once each.
      for (let i = 0; i < 20; i++) {
        const figures = await analytics();
        if (figures.deals.escalationsPerDeal === 1) break;
        await env.sleep(1_000);
      }
      const figures = await analytics();
      expect(figures.deals).toMatchObject({ opened: 1, escalationsPerDeal: 1 });
      expect(figures.stages.find((s) => s.stage === 'requirements')).toMatchObject({ breachedNow: 1 });
    })(),
  );
});

test('an alert system down at the first attempt: the facts still count once, the retries go through the delivery activity', async () => {
  const queue = uniqueId('alert-cost');
  const worker = await dealWorker(env, bundle, queue, webhookTarget(url));
  const breachOnly = makeSop({
    id: 'alert-cost-retry-sop',
    stages: [
      { id: 'requirements', name: 'Requirements', sla: { breachAfter: '1h' } },
      { id: 'contract', name: 'Contract' },
    ],
  });
  receiver.respondWith((attempt) => (attempt < 2 ? 503 : 204));
  await runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(env, queue, breachOnly);
      await sleepUntil(env, ms((await deal.view()).stage?.breachAt) + 1_000);
      const [alert] = (await alertsSettled(env, deal, 1)).escalations;
      expect(alert.delivery).toBe('delivered');
      expect(receiver.received.filter((r) => r.headers['webhook-id'] === alert.id).map((r) => r.status)).toEqual([503, 503, 204]);

      const events = await afterFirstDeadline(deal);
      const scheduled = ofType(events, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
      expect(scheduled.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toEqual(['sendAlert', 'deliverWebhook']);
      // The first retry waits the delivery policy's first interval, as the activity's own retry would.
      const firedRetry = ofType(events, EventType.EVENT_TYPE_TIMER_STARTED).map(
        (e) => e.timerStartedEventAttributes?.startToFireTimeout?.seconds,
      );
      expect(firedRetry.map(Number)).toContain(2);

      const analyticsHandle = env.client.workflow.getHandle(analyticsWorkflowId(breachOnly.id));
      let figures = await analyticsHandle.query(analyticsQuery);
      for (let i = 0; i < 20 && figures.stages.find((s) => s.stage === 'requirements')?.breachedNow !== 1; i++) {
        await env.sleep(1_000);
        figures = await analyticsHandle.query(analyticsQuery);
      }
      expect(figures.stages.find((s) => s.stage === 'requirements')).toMatchObject({ breachedNow: 1 });
    })(),
  );
});
