// `CONTRACT.md` v2.1 repairs through the API on a real dev server: move_to_stage, reopen, redeliver.
import type { AlertPayload } from '../../domain';
import { dealWorkflowId } from '../../workflows/messages';
import { webhookTarget } from '../helpers/deal-harness';
import { eventually } from '../helpers/eventually';
import { WebhookReceiver } from '../helpers/receiver';
import { dealBody, expectProblem, quickSop, TestService } from '../helpers/service';
import { uniqueId } from '../helpers/temporal';

const REOPEN_WINDOW_MS = 4_000;
const receiver = new WebhookReceiver();
let service: TestService;
let refuse = true;

beforeAll(async () => {
  const url = await receiver.start();
  // The alert system refuses (a final 400) until a test lets it accept.
  receiver.respondWith(() => (refuse ? 400 : 200));
  service = await TestService.start({ webhook: webhookTarget(url), reopenWindowMs: REOPEN_WINDOW_MS });
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
});
afterAll(async () => {
  await service?.stop();
  await receiver.stop();
});

async function openDeal(): Promise<string> {
  const dealId = uniqueId('repair');
  expect((await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody(dealId) })).status).toBe(201);
  return dealId;
}
const act = (dealId: string, body: unknown, as: 'alice' | 'manager' | 'ops' | 'viewer' = 'manager') =>
  service.call('POST', `/v1/deals/${dealId}/actions`, { as, body });
const read = async (dealId: string) => (await service.call('GET', `/v1/deals/${dealId}`, { as: 'ops' })).body;
const timeline = async (dealId: string) =>
  (await service.call('GET', `/v1/deals/${dealId}/timeline`, { as: 'ops' })).body.events as Array<{
    type: string;
    actor: string;
    data: any;
  }>;
const received = (dealId: string) => receiver.delivered<AlertPayload>().filter((alert) => alert.deal.dealId === dealId);

test('move_to_stage: managers move a deal back or forward; the stage starts afresh and its alerts fire again, as new ones', async () => {
  refuse = false;
  const dealId = await openDeal();
  expectProblem(await act(dealId, { type: 'move_to_stage', stage: 'contract', reason: 'x' }, 'alice'), 403, 'forbidden');
  expectProblem(await act(dealId, { type: 'move_to_stage', stage: 'nowhere', reason: 'x' }), 422, 'unknown_stage');
  expectProblem(await act(dealId, { type: 'move_to_stage', stage: 'contract' }), 422, 'validation_failed');
  const first = await eventually(
    async () => received(dealId),
    (alerts) => alerts.some((a) => a.type === 'deal.sla.warning'),
  );
  const moved = await act(dealId, { type: 'move_to_stage', stage: 'contract', reason: 'signed early' });
  expect(moved.status).toBe(200);
  expect(moved.body.deal).toMatchObject({ stage: { id: 'contract' }, health: 'green' });
  const back = await act(dealId, { type: 'move_to_stage', stage: 'requirements', reason: 'legal sent it back' }, 'ops');
  expect(back.body.deal.stage).toMatchObject({ id: 'requirements', warnAt: expect.any(String) });
  const warnings = await eventually(
    async () => received(dealId).filter((a) => a.type === 'deal.sla.warning'),
    (alerts) => alerts.length === 2,
  );
  expect(new Set(warnings.map((a) => a.id)).size).toBe(2);
  expect(warnings[1].stage?.enteredAt).toBe(back.body.deal.stage.enteredAt);
  expect(first.length).toBeGreaterThan(0);
  expect((await timeline(dealId)).filter((e) => e.type === 'stage_moved').map((e) => [e.actor, e.data.from, e.data.to])).toEqual([
    ['mia', 'requirements', 'contract'],
    ['ops-team', 'contract', 'requirements'],
  ]);
});

test('reopen: a lost deal opens again in its stage within REOPEN_WINDOW; past it, or won, it is closed for good', async () => {
  const dealId = await openDeal();
  expectProblem(await act(dealId, { type: 'reopen', reason: 'x' }), 409, 'deal_closed');
  expect((await act(dealId, { type: 'mark_lost', reason: 'budget' }, 'alice')).status).toBe(200);
  expectProblem(await act(dealId, { type: 'reopen', reason: 'x' }, 'alice'), 403, 'forbidden');
  expectProblem(await act(dealId, { type: 'log_activity', kind: 'call' }, 'alice'), 409, 'deal_closed');
  const reopened = await act(dealId, { type: 'reopen', reason: 'budget found' });
  expect(reopened.status).toBe(200);
  expect(reopened.body.deal).toMatchObject({ status: 'open', closedAt: null, stage: { id: 'requirements' }, health: 'green' });
  expect((await timeline(dealId)).filter((e) => e.type === 'deal_reopened')).toEqual([
    expect.objectContaining({ actor: 'mia', data: expect.objectContaining({ reason: 'budget found', stage: 'requirements' }) }),
  ]);
  // Lists count it as open again.
  await eventually(
    async () => (await service.call('GET', `/v1/deals?status=open&pageSize=100`, { as: 'ops' })).body.deals.map((d: any) => d.dealId),
    (ids: string[]) => ids.includes(dealId),
  );

  // Lost again, and left past the window: the deal is closed for good, and its workflow completes.
  expect((await act(dealId, { type: 'mark_lost', reason: 'budget gone again' })).status).toBe(200);
  const handle = service.env.client.workflow.getHandle(dealWorkflowId(dealId));
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await eventually(
    async () => (await handle.describe()).status.name,
    (status) => status === 'COMPLETED',
    REOPEN_WINDOW_MS + 20_000,
  );
  expectProblem(await act(dealId, { type: 'reopen', reason: 'too late' }), 409, 'deal_closed');
  expect((await read(dealId)).status).toBe('lost');
});

test('redeliver: ops send a failed alert again under its own webhook-id', async () => {
  refuse = true;
  const dealId = await openDeal();
  const failed = await eventually(
    async () => (await read(dealId)).escalations,
    (alerts: any[]) => alerts.some((a) => a.type === 'deal.sla.warning' && a.delivery === 'failed'),
  );
  const alertId = failed.find((a: any) => a.type === 'deal.sla.warning').id as string;
  const path = `/v1/deals/${dealId}/alerts/${alertId}/redeliver`;
  expectProblem(await service.call('POST', path, { as: 'manager' }), 403, 'forbidden');
  expectProblem(await service.call('POST', path, { as: 'alice' }), 403, 'forbidden');
  expectProblem(await service.call('POST', `/v1/deals/${dealId}/alerts/msg_unknown/redeliver`, { as: 'ops' }), 404, 'unknown_alert');
  expectProblem(await service.call('POST', `/v1/deals/no-such-deal/alerts/${alertId}/redeliver`, { as: 'ops' }), 404);

  refuse = false;
  const accepted = await service.call('POST', path, { as: 'ops' });
  expect(accepted).toMatchObject({ status: 202, body: { alertId, delivery: 'pending' } });
  const delivered = await eventually(
    async () => (await read(dealId)).escalations.find((a: any) => a.id === alertId),
    (alert) => alert?.delivery === 'delivered',
  );
  expect(delivered.delivery).toBe('delivered');
  expect(received(dealId).filter((a) => a.id === alertId)).toHaveLength(1);
  expect((await timeline(dealId)).filter((e) => e.type === 'alert_redelivered')).toEqual([
    expect.objectContaining({ actor: 'ops-team', data: { alertId } }),
  ]);
  expectProblem(await service.call('POST', path, { as: 'ops' }), 409, 'already_delivered');
});
