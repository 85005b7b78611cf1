// A deal continuing as new moves its older events into page workflows and carries only where they
// are; when it closes, it closes its pages. Its pages (read as the API reads them) and its result are
// its whole timeline. On the time-skipping server, with tiny pages; the runs' histories are fixtures.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { TimelinePages } from '../../api/timeline-pages';
import { timelineEntry, type Sop, type TimelineEntry } from '../../domain';
import { actSignal } from '../../workflows/messages';
import { dealWorker, runWorker, TestDeal } from '../helpers/deal-harness';
import { ALICE, makeSop } from '../helpers/fixtures';
import { bundleWorkflows, timeSkippingEnv, uniqueId } from '../helpers/temporal';

const FIXTURES = path.resolve(__dirname, '..', 'histories');
const ACTIVITIES = 150;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, bundle] = await Promise.all([timeSkippingEnv(), bundleWorkflows()]);
});
afterAll(async () => env?.teardown());

const sop: Sop = makeSop({ stages: [{ id: 'requirements', name: 'Requirements', sla: { breachAfter: '30d' } }] });

test('older events leave in pages at each continue-as-new; the pages and the result are the whole timeline; closing closes the pages', async () => {
  const queue = uniqueId('pages');
  const worker = await dealWorker(env, bundle, queue, null);
  await runWorker(
    env,
    worker,
    (async () => {
      const deal = await TestDeal.start(
        env,
        queue,
        sop,
        {},
        // Closed for good at once: after a continue-as-new this server no longer skips time, so a lost
        // deal lingering for its reopen window would never complete here.
        { maxHistoryEvents: 60, timelinePaging: { pageEvents: 10, pageBytes: 100_000 }, reopenWindowMs: 0 },
      );
      const handle = env.client.workflow.getHandle(deal.handle.workflowId);
      for (let i = 0; i < ACTIVITIES; i++) {
        await handle.signal(actSignal, { action: { type: 'log_activity', kind: 'email', note: `touch ${i}` }, actor: ALICE });
      }
      await handle.signal(actSignal, { action: { type: 'mark_lost', reason: 'budget cut' }, actor: ALICE });
      const closed = await deal.handle.result();
      expect(closed.status).toBe('lost');

      // The result holds the last events and where the pages are; the pages hold the rest, in order.
      const pagesInfo = closed.timelinePages;
      // Several runs moved pages out; every page is full (10 events), none is left unfilled.
      expect(pagesInfo?.pages.length).toBeGreaterThanOrEqual(3);
      expect(pagesInfo?.pages.every((page) => page.count === 10)).toBe(true);
      const store = new TimelinePages(env.client, env.namespace ?? 'default');
      const whole: TimelineEntry[] = [];
      for (const page of pagesInfo?.pages ?? []) {
        expect(whole.length).toBe(page.from);
        whole.push(...(await store.events(page)).map(timelineEntry));
        // Closed with the deal, so kept as long as it is.
        expect((await env.client.workflow.getHandle(page.workflowId).describe()).status.name).toBe('COMPLETED');
      }
      expect(whole.length).toBe(pagesInfo?.from);
      whole.push(...(closed.timeline ?? []));
      expect(whole.map((entry) => entry.type)).toEqual([
        'deal_created',
        'stage_entered',
        ...Array(ACTIVITIES).fill('activity_logged'),
        'deal_lost',
      ]);
      expect(whole.filter((entry) => entry.type === 'activity_logged').map((entry) => (entry.data as { note: string }).note)).toEqual(
        Array.from({ length: ACTIVITIES }, (_, i) => `touch ${i}`),
      );

      // The run that first moved pages out, and the last run (pages carried, closed at the end): fixtures.
      const runs = {
        'deal-timeline-pages-first-run': await env.client.workflow
          .getHandle(deal.handle.workflowId, (deal.handle as WorkflowHandleWithFirstExecutionRunId).firstExecutionRunId)
          .fetchHistory(),
        'deal-timeline-pages-last-run': await env.client.workflow
          .getHandle(deal.handle.workflowId, (await handle.describe()).runId)
          .fetchHistory(),
      };
      const failures: string[] = [];
      const histories = Object.entries(runs).map(([workflowId, history]) => ({ workflowId, history }));
      for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
        if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
      }
      expect(failures).toEqual([]);
      const types = (history: temporal.api.history.v1.IHistory) => history.events?.map((event) => event.eventType) ?? [];
      expect(types(runs['deal-timeline-pages-first-run'])).toContain(
        temporal.api.enums.v1.EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
      );
      expect(types(runs['deal-timeline-pages-last-run'])).toContain(
        temporal.api.enums.v1.EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
      );
      if (process.env.RECORD_HISTORIES === '1') {
        for (const [name, history] of Object.entries(runs)) {
          writeFileSync(path.join(FIXTURES, `${name}.binpb`), temporal.api.history.v1.History.encode(history).finish());
        }
      }
    })(),
  );
});
