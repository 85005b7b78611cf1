// A deal whose workflow task fails on every attempt (here: input our workflow code throws on) answers
// every read and action with 503 `deal_unavailable` and the reason, about a second after it was
// asked, instead of waiting out the 10 s deadline for a task that never completes. Deals beside it
// answer as usual.
import { dealWorkflow } from '../../workflows';
import { dealWorkflowId } from '../../workflows/messages';
import { ALICE, makeOpening, makeSop } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { dealBody, expectProblem, quickSop, TestService } from '../helpers/service';
import { uniqueId } from '../helpers/temporal';

/** The API's deadline for one Temporal call (DealService's default). */
const DEADLINE_MS = 10_000;

let service: TestService;
beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
});
afterAll(async () => service?.stop());

/** Starts a deal the way no API would: with an SOP snapshot that has no stages array. */
async function startBrokenDeal(dealId: string): Promise<void> {
  const sop = { ...makeSop(), stages: null } as unknown as ReturnType<typeof makeSop>;
  await service.env.client.workflow.start(dealWorkflow, {
    taskQueue: service.taskQueue,
    workflowId: dealWorkflowId(dealId),
    args: [{ opening: makeOpening({ dealId, owner: 'alice' }), sop, openedBy: ALICE, openedAt: new Date().toISOString() }],
  });
}

/** The attempt of the deal's pending workflow task (0: none pending). */
async function taskAttempt(dealId: string): Promise<number> {
  const { raw } = await service.env.client.workflow.getHandle(dealWorkflowId(dealId)).describe();
  return raw.pendingWorkflowTask?.attempt ?? 0;
}

test('reads and actions of a stuck deal answer 503 deal_unavailable, naming the error, well within the deadline', async () => {
  const dealId = uniqueId('stuck');
  await startBrokenDeal(dealId);
  // Until the server retries the deal's task for the second time: it has failed, and failed again.
  expect(
    await eventually(
      () => taskAttempt(dealId),
      (attempt) => attempt >= 2,
      30_000,
    ),
  ).toBeGreaterThanOrEqual(2);
  const requests = [
    { method: 'GET', path: `/v1/deals/${dealId}`, as: 'alice' as const },
    { method: 'GET', path: `/v1/deals/${dealId}/timeline`, as: 'manager' as const },
    { method: 'POST', path: `/v1/deals/${dealId}/actions`, as: 'manager' as const, body: { type: 'log_activity', kind: 'call' } },
  ];
  for (const request of requests) {
    const started = Date.now();
    const reply = await service.call(request.method, request.path, { as: request.as, body: request.body });
    const tookMs = Date.now() - started;
    expectProblem(reply, 503, 'deal_unavailable');
    expect(reply.body.detail).toMatch(
      new RegExp(`^Deal "${dealId}" cannot answer: its workflow task keeps failing \\(attempt \\d+, failing since `),
    );
    // The TypeError our workflow code threw on the stages it was not given.
    expect(reply.body.detail).toMatch(/with an error in the workflow code: Cannot read properties of null/);
    expect(reply.headers.get('retry-after')).toBe('60');
    expect({ request: request.path, withinDeadline: tookMs < DEADLINE_MS }).toEqual({ request: request.path, withinDeadline: true });
  }
});

test('a healthy deal beside it answers as usual', async () => {
  const dealId = uniqueId('healthy');
  expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId) })).status).toBe(201);
  expect((await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' })).status).toBe(200);
  expect((await service.call('GET', `/v1/deals/${dealId}/timeline`, { as: 'alice' })).status).toBe(200);
});
