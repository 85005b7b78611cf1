// GET /v1/deals/:dealId/timeline with pageSize / pageToken, on a deal that has moved its older
// events to page workflows (tiny pages here): paged and unpaged reads give every event once, in
// order, open or closed; tokens from elsewhere are 422 problems. Real app, worker and dev server.
import { WorkflowNotFoundError } from '@temporalio/client';
import { timelinePageToken } from '../../api/deal-timeline';
import { sopSchema } from '../../domain';
import { dealWorkflow } from '../../workflows';
import { dealWorkflowId, timelineTailQuery } from '../../workflows/messages';
import { ALICE, makeOpening } from '../helpers/fixtures';
import { quickSop, TestService } from '../helpers/service';
import { eventually } from '../helpers/eventually';

const ACTIVITIES = 120;
let service: TestService;

beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { body: quickSop() })).status).toBe(201);
});
afterAll(async () => service?.stop());

/** A deal as the API opens one, but with pages of 10 events and a new run every ~60 history events. */
async function startPagedDeal(dealId: string): Promise<void> {
  await service.env.client.workflow.start(dealWorkflow, {
    taskQueue: service.taskQueue,
    workflowId: dealWorkflowId(dealId),
    args: [
      {
        opening: makeOpening({ dealId, owner: 'alice' }),
        sop: sopSchema.parse(quickSop()),
        openedBy: ALICE,
        maxHistoryEvents: 60,
        timelinePaging: { pageEvents: 10, pageBytes: 100_000 },
        // No reopen window: the closed deal's timeline is read from its completed workflow.
        reopenWindowMs: 0,
      },
    ],
  });
}

type Entry = { at: string; type: string; actor: string; data: { note?: string } };

async function readAllPages(dealId: string, pageSize: number): Promise<{ events: Entry[]; pages: number }> {
  const events: Entry[] = [];
  let token: string | null = null;
  let pages = 0;
  do {
    const query: string = `pageSize=${pageSize}${token ? `&pageToken=${token}` : ''}`;
    const reply = await service.call('GET', `/v1/deals/${dealId}/timeline?${query}`, { as: 'alice' });
    expect(reply.status).toBe(200);
    expect(reply.body.events.length).toBeLessThanOrEqual(pageSize);
    expect(Object.keys(reply.body).sort()).toEqual(['events', 'nextPageToken']);
    events.push(...reply.body.events);
    token = reply.body.nextPageToken;
    pages++;
  } while (token);
  return { events, pages };
}

const touches = Array.from({ length: ACTIVITIES }, (_, i) => `touch ${i}`);
const notesOf = (events: Entry[]) => events.filter((event) => event.type === 'activity_logged').map((event) => event.data.note);

test('paged and unpaged, a deal with pages gives its whole timeline once, in order; closed too', async () => {
  await startPagedDeal('paged-1');
  for (let i = 0; i < ACTIVITIES; i++) {
    const reply = await service.call('POST', '/v1/deals/paged-1/actions', {
      as: 'alice',
      body: { type: 'log_activity', kind: 'call', note: `touch ${i}` },
    });
    // The body too, so a failure says which problem it was.
    expect({ i, status: reply.status, body: reply.status === 200 ? null : reply.body }).toEqual({ i, status: 200, body: null });
  }
  // The SLA's warning (2 s) and breach (4 s) fired and their deliveries have an outcome: the
  // timeline holds still while it is read whole and then page by page.
  const alerts = await eventually(
    async () => (await service.call('GET', '/v1/deals/paged-1', { as: 'alice' })).body.escalations as Array<{ delivery: string }>,
    (list) => list.length === 2 && list.every((alert) => alert.delivery !== 'pending'),
  );
  expect(alerts.map((alert) => alert.delivery)).toEqual([expect.not.stringMatching('pending'), expect.not.stringMatching('pending')]);
  // Pages have left the deal: the events it holds no longer start at the beginning.
  const held = await service.env.client.workflow.getHandle(dealWorkflowId('paged-1')).query(timelineTailQuery);
  expect(held.from).toBeGreaterThan(0);
  expect(held.pages.length).toBeGreaterThan(0);

  const whole = await service.call('GET', '/v1/deals/paged-1/timeline', { as: 'alice' });
  expect(Object.keys(whole.body)).toEqual(['events']);
  const events = whole.body.events as Entry[];
  expect(events.slice(0, 2).map((event) => event.type)).toEqual(['deal_created', 'stage_entered']);
  expect(notesOf(events)).toEqual(touches);
  // Oldest first throughout, and (SLA events aside) nothing but the deal's own events.
  expect(events.map((event) => event.at)).toEqual(events.map((event) => event.at).sort());

  for (const size of [1_000, 7, 1]) {
    const paged = await readAllPages('paged-1', size);
    expect(paged.events).toEqual(events);
    expect(paged.pages).toBe(Math.max(1, Math.ceil(events.length / size)));
  }

  expect(
    (await service.call('POST', '/v1/deals/paged-1/actions', { as: 'alice', body: { type: 'mark_lost', reason: 'no budget' } })).status,
  ).toBe(200);
  const status = await eventually(
    async () => (await service.env.client.workflow.getHandle(dealWorkflowId('paged-1')).describe()).status.name,
    (name) => name === 'COMPLETED',
  );
  expect(status).toBe('COMPLETED');
  const closed = (await service.call('GET', '/v1/deals/paged-1/timeline', { as: 'alice' })).body.events as Entry[];
  expect(closed.slice(0, events.length)).toEqual(events);
  expect(closed.map((event) => event.type)).toContain('deal_lost');
  expect((await readAllPages('paged-1', 50)).events).toEqual(closed);
});

test('bad paging is a 422 problem naming the parameter, and reveals nothing of other deals', async () => {
  await startPagedDeal('paged-2');
  const first = await service.call('GET', '/v1/deals/paged-2/timeline?pageSize=1', { as: 'alice' });
  const token = first.body.nextPageToken as string;
  expect(token).toEqual(expect.any(String));
  for (const [query, path] of [
    ['pageSize=0', 'query.pageSize'],
    ['pageSize=1001', 'query.pageSize'],
    ['pageSize=ten', 'query.pageSize'],
    ['pageToken=garbage', 'query.pageToken'],
    [`pageToken=${token.slice(0, -1)}A`, 'query.pageToken'],
  ]) {
    const reply = await service.call('GET', `/v1/deals/paged-2/timeline?${query}`, { as: 'alice' });
    expect({ query, status: reply.status, paths: reply.body.errors?.map((e: { path: string }) => e.path) }).toEqual({
      query,
      status: 422,
      paths: [path],
    });
  }
  // A token of one deal's timeline does not page another's.
  await startPagedDeal('paged-3');
  const other = await service.call('GET', `/v1/deals/paged-3/timeline?pageToken=${token}`, { as: 'alice' });
  expect(other.status).toBe(422);
  // pageToken alone: the default page size from where it points.
  const next = await service.call('GET', `/v1/deals/paged-2/timeline?pageToken=${token}`, { as: 'alice' });
  expect(next.status).toBe(200);
  expect(next.body.events[0].type).toBe('stage_entered');
});

test('a timeline page that cannot be read is a 503 problem naming the page, never a 500', async () => {
  await startPagedDeal('paged-4');
  for (let i = 0; i < 40; i++) {
    await service.call('POST', '/v1/deals/paged-4/actions', { as: 'alice', body: { type: 'log_activity', kind: 'call', note: `n${i}` } });
  }
  const held = await service.env.client.workflow.getHandle(dealWorkflowId('paged-4')).query(timelineTailQuery);
  expect(held.pages.length).toBeGreaterThan(0);
  const lost = held.pages[0];
  await service.env.client.workflowService.deleteWorkflowExecution({
    namespace: service.env.namespace ?? 'default',
    workflowExecution: { workflowId: lost.workflowId },
  });
  // The server deletes in the background: read only once the page is gone, or the API would read
  // the page while it still exists and keep it in its cache of pages, and rightly answer 200.
  const gone = await eventually(
    () =>
      service.env.client.workflow
        .getHandle(lost.workflowId)
        .describe()
        .then(
          () => false,
          (error: unknown) => error instanceof WorkflowNotFoundError,
        ),
    (deleted) => deleted,
    60_000,
  );
  expect(gone).toBe(true);
  const reply = await service.call('GET', '/v1/deals/paged-4/timeline', { as: 'alice' });
  expect(reply.status).toBe(503);
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body.detail).toContain(`timeline page ${lost.workflowId}, which cannot be read`);
  // Pages that are not lost, and the events the deal still holds, read as before.
  const fromTail = await service.call('GET', `/v1/deals/paged-4/timeline?pageSize=5&pageToken=${timelinePageToken('paged-4', held.from)}`, {
    as: 'alice',
  });
  expect(fromTail.status).toBe(200);
  expect(fromTail.body.events).toEqual(held.events.slice(0, 5));
});
