// A closed deal is read from its workflow's result, kept in the close event by the server: no worker
// replays its history for every read (seconds for a long one), and it reads even with no worker up.
import { dealWorkflowId } from '../../workflows/messages';
import { eventually } from '../helpers/eventually';
import { dealBody, quickSop, TestService } from '../helpers/service';
import { uniqueId } from '../helpers/temporal';

let service: TestService;
beforeAll(async () => {
  // No reopen window: a lost deal's workflow completes at once, which is what this file is about.
  service = await TestService.start({ reopenWindowMs: 0 });
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
});
afterAll(async () => service?.stop());

/** The deal's workflow status, as the server has it. */
async function statusOf(dealId: string): Promise<string> {
  return (await service.env.client.workflow.getHandle(dealWorkflowId(dealId)).describe()).status.name;
}

test('a terminated deal (no result to read) is still read, by a query a worker answers', async () => {
  const dealId = uniqueId('terminated');
  expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId) })).status).toBe(201);
  // Read once open, so its first workflow task has run; then an operator ends it.
  expect((await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' })).status).toBe(200);
  await service.env.client.workflow.getHandle(dealWorkflowId(dealId)).terminate('test');
  const deal = await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' });
  expect({ status: deal.status, dealId: deal.body.dealId }).toEqual({ status: 200, dealId });
  expect((await service.call('GET', `/v1/deals/${dealId}/timeline`, { as: 'alice' })).body.events[0].type).toBe('deal_created');
});

test('a lost deal reads the same from its result as it did from the worker, with no worker running', async () => {
  const dealId = uniqueId('lost');
  expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId) })).status).toBe(201);
  for (const kind of ['call', 'visit', 'email']) {
    expect((await service.call('POST', `/v1/deals/${dealId}/actions`, { as: 'alice', body: { type: 'log_activity', kind } })).status).toBe(
      200,
    );
  }
  expect(
    (await service.call('POST', `/v1/deals/${dealId}/actions`, { as: 'alice', body: { type: 'mark_lost', reason: 'budget' } })).status,
  ).toBe(200);
  // The workflow completes once its last facts are in; until then the worker answers.
  expect(
    await eventually(
      () => statusOf(dealId),
      (status) => status === 'COMPLETED',
    ),
  ).toBe('COMPLETED');
  const fromWorker = await service.env.client.workflow.getHandle(dealWorkflowId(dealId)).query('timeline');

  await service.stopWorker();
  const deal = await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' });
  expect(deal.status).toBe(200);
  expect(deal.body).toMatchObject({ dealId, status: 'lost', health: null });
  expect(deal.body).not.toHaveProperty('timeline');
  const timeline = await service.call('GET', `/v1/deals/${dealId}/timeline`, { as: 'alice' });
  expect(timeline.status).toBe(200);
  expect(timeline.body.events).toEqual(fromWorker);
  expect(timeline.body.events.map((event: { type: string }) => event.type)).toEqual(
    expect.arrayContaining(['deal_created', 'activity_logged', 'deal_lost']),
  );
  // Another caller's rights still hold: a rep reads only its own deals.
  expect((await service.call('GET', `/v1/deals/${dealId}`, { as: 'bob' })).status).toBe(404);
});

test('a deal terminated before its first task ran is a 404 that says so, not a 500', async () => {
  const dealId = uniqueId('never-ran');
  await service.stopWorker();
  expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId) })).status).toBe(201);
  await service.env.client.workflow.getHandle(dealWorkflowId(dealId)).terminate('test');
  const reply = await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' });
  expect({ status: reply.status, detail: reply.body.detail }).toEqual({
    status: 404,
    detail: `Deal "${dealId}" was ended before it ever ran; it has no state to read.`,
  });
});
