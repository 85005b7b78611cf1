// `CONTRACT.md` v2.3 end to end on a real dev server: a breach on a tier-A deal reaches a WeCom
// group with the owner and the manager's manager mentioned; a Standard Webhooks receiver verifies
// both signatures during a rotation; a PagerDuty incident is triggered by the breach and resolved
// when the stage is completed; the delivery log, retries, redelivery and the ping. Every receiver
// checks what its real tool checks (test/receivers).
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/ports';
import { dealBody, expectProblem, TestService } from '../helpers/service';
import { uniqueId } from '../helpers/temporal';
import { startReceiver, type RunningReceiver } from '../receivers/receiver-server';
import type { FormatName, ReceivedMessage } from '../receivers/received';

/** Breach at 2 s, with an escalation at the same moment up the line; a second stage to complete into. */
const alertSop = {
  id: 'alert-sop',
  version: 1,
  name: 'Alert SOP',
  stages: [
    {
      id: 'solution',
      name: 'Solution accepted',
      sla: { breachAfter: '2s' },
      escalations: [{ after: '2s', notify: ['owner', 'manager.manager'] }],
    },
    { id: 'close', name: 'Contract signed' },
  ],
};

let service: TestService;
const receivers: Array<RunningReceiver<FormatName>> = [];
const track = <F extends FormatName>(receiver: RunningReceiver<F>): RunningReceiver<F> => {
  receivers.push(receiver as unknown as RunningReceiver<FormatName>);
  return receiver;
};
const createEndpoint = async (body: Record<string, unknown>) => {
  const reply = await service.call('POST', '/v1/alert-endpoints', { as: 'ops', body });
  expect(reply.status).toBe(201);
  return reply.body as { id: string; signingSecret?: string };
};
const openDeal = async (tier: 'A' | 'B') => {
  const dealId = uniqueId(`alerts-${tier}`);
  const body = dealBody(dealId, {
    sopId: 'alert-sop',
    owner: 'alice',
    customer: { name: 'ACME Robotics', tier },
    team: { manager: 'mia' },
  });
  expect((await service.call('POST', '/v1/deals', { as: 'ops', body })).status).toBe(201);
  return dealId;
};
/** A standard endpoint and its receiver, which knows the endpoint's generated secret. */
async function signedEndpoint(body: Record<string, unknown>, answer?: (attempt: number) => number | 'pass') {
  const port = await freePort();
  const endpoint = await createEndpoint({ url: `http://127.0.0.1:${port}/alerts`, ...body });
  const receiver = track(
    await startReceiver({ format: 'standard', port: Number(port), settings: { secrets: [endpoint.signingSecret as string] }, answer }),
  );
  return { endpoint, receiver };
}
const ofDeal = (receiver: RunningReceiver<FormatName>, dealId: string) =>
  receiver.messages.filter((m) => JSON.stringify(m.body).includes(dealId) || (m.link ?? '').includes(encodeURIComponent(dealId)));
const deliveries = async (endpointId: string, query = '') =>
  (await service.call('GET', `/v1/alert-endpoints/${endpointId}/deliveries${query}`, { as: 'ops' })).body;

let wecom: RunningReceiver<'wecom'>;
let tierB: RunningReceiver<'standard'>;
let pagerduty: RunningReceiver<'pagerduty'>;
let standard: RunningReceiver<'standard'>;
let ids: Record<'wecom' | 'tierB' | 'pagerduty' | 'standard', string>;
let secrets: string[];
let dealA: string;

beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: alertSop })).status).toBe(201);
  for (const [subject, person] of Object.entries({
    alice: { name: 'Alice Wang', manager: 'mia', wecom: 'wang.alice' },
    mia: { name: 'Mia Chen', manager: 'ivan', wecom: 'chen.mia' },
    ivan: { name: 'Ivan Li', wecom: 'li.ivan' },
  })) {
    expect((await service.call('PUT', `/v1/people/${subject}`, { as: 'ops', body: person })).status).toBe(201);
  }
  wecom = track(await startReceiver({ format: 'wecom' }));
  pagerduty = track(await startReceiver({ format: 'pagerduty' }));
  const wecomEndpoint = await createEndpoint({
    url: wecom.url,
    format: 'wecom',
    description: 'Sales leadership group',
    events: ['deal.sla.breached', 'deal.escalated'],
    tiers: ['A'],
  });
  const tierBOnly = await signedEndpoint({ tiers: ['B'], description: 'Tier B only' });
  tierB = tierBOnly.receiver;
  const pdEndpoint = await createEndpoint({
    url: pagerduty.url,
    format: 'pagerduty',
    routingKey: pagerduty.settings.routingKey,
    events: ['deal.sla.breached'],
  });
  // A standard endpoint whose secret is rotated before any alert: the receiver knows both secrets.
  const port = await freePort();
  const standardEndpoint = await createEndpoint({ url: `http://127.0.0.1:${port}/alerts`, description: 'Signed webhooks' });
  const rotated = (await service.call('POST', `/v1/alert-endpoints/${standardEndpoint.id}/rotate-secret`, { as: 'ops' })).body;
  secrets = [rotated.signingSecret, standardEndpoint.signingSecret as string];
  standard = track(await startReceiver({ format: 'standard', port: Number(port), settings: { secrets } }));
  ids = { wecom: wecomEndpoint.id, tierB: tierBOnly.endpoint.id, pagerduty: pdEndpoint.id, standard: standardEndpoint.id };
  dealA = await openDeal('A');
  await eventually(
    async () => ofDeal(wecom as unknown as RunningReceiver<FormatName>, dealA),
    (messages) => messages.length >= 2,
    20_000,
  );
}, 60_000);
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await service?.stop();
});

describe('a breach on a tier-A deal', () => {
  test('reaches the WeCom group: the breach mentions owner and manager, its escalation the owner and the manager’s manager', () => {
    const messages = ofDeal(wecom as unknown as RunningReceiver<FormatName>, dealA);
    expect(wecom.refused).toEqual([]);
    const breach = messages.find((m) => /breach/i.test(`${m.title ?? ''} ${m.text}`) && !/escalat/i.test(`${m.title ?? ''} ${m.text}`));
    const escalation = messages.find((m) => /escalat/i.test(`${m.title ?? ''} ${m.text}`));
    expect(breach?.mentions).toEqual(expect.arrayContaining(['wang.alice', 'chen.mia']));
    expect(escalation?.mentions).toEqual(expect.arrayContaining(['wang.alice', 'li.ivan']));
    expect(escalation?.mentions).not.toContain('chen.mia');
    for (const message of [breach, escalation] as ReceivedMessage[]) {
      expect(message.text).toContain('ACME Robotics');
      expect(message.link).toBe(`http://board.test/#sop=alert-sop&deal=${encodeURIComponent(dealA)}`);
    }
  });

  test('the tier-B endpoint gets nothing from it; a standard endpoint for every event gets it signed with both secrets', async () => {
    expect(ofDeal(tierB as unknown as RunningReceiver<FormatName>, dealA)).toEqual([]);
    const signed = await eventually(
      async () => ofDeal(standard as unknown as RunningReceiver<FormatName>, dealA),
      (messages) => messages.length >= 2,
    );
    expect(standard.refused).toEqual([]);
    for (const message of signed) expect(message.verifiedWith).toEqual([0, 1]);
    // A consumer that only knows the old secret, and one that only knows the new, both verify it.
    const escalation = signed.find((m) => (m.body as { type: string }).type === 'deal.escalated')?.body as any;
    expect(escalation.recipients).toEqual([
      { role: 'owner', subject: 'alice', name: 'Alice Wang', wecom: 'wang.alice' },
      { role: 'manager.manager', subject: 'ivan', via: ['mia'], name: 'Ivan Li', wecom: 'li.ivan' },
    ]);
  });

  test('PagerDuty: the breach triggers an incident, completing the stage resolves it under the same dedup_key', async () => {
    const triggered = await eventually(
      async () => [...pagerduty.incidents.values()].filter((incident) => incident.dedupKey.startsWith(dealA)),
      (list) => list.length === 1,
    );
    expect(triggered[0].status).toBe('triggered');
    const done = await service.call('POST', `/v1/deals/${dealA}/actions`, {
      as: 'ops',
      body: { type: 'complete_stage', stage: 'solution' },
    });
    expect(done.status).toBe(200);
    const resolved = await eventually(
      async () => pagerduty.incidents.get(triggered[0].dedupKey),
      (incident) => incident?.status === 'resolved',
    );
    expect(resolved?.events.map((e) => e.action)).toEqual(['trigger', 'resolve']);
    expect(pagerduty.refused).toEqual([]);
  });
});

describe('the delivery log', () => {
  test('every delivery with its attempts; the deal detail lists them per endpoint', async () => {
    const page = await deliveries(ids.wecom);
    const mine = page.deliveries.filter((d: any) => d.dealId === dealA);
    expect(mine.map((d: any) => d.event).sort()).toEqual(['deal.escalated', 'deal.sla.breached']);
    for (const delivery of mine) {
      expect(delivery).toMatchObject({ state: 'delivered', attemptCount: 1, nextAttemptAt: null });
      expect(delivery.attempts).toEqual([{ at: expect.any(String), status: 200, latencyMs: expect.any(Number), error: null }]);
    }
    expect((await deliveries(ids.wecom, '?state=failed')).deliveries).toEqual([]);
    const ofTheDeal = (await service.call('GET', `/v1/deals/${dealA}/deliveries`, { as: 'ops' })).body;
    expect(ofTheDeal.endpoints.map((e: any) => e.endpointId).sort()).toEqual([ids.pagerduty, ids.standard, ids.wecom].sort());
    expectProblem(await service.call('GET', `/v1/deals/${dealA}/deliveries`, { as: 'manager' }), 403, 'forbidden');
  });

  test('an endpoint that fails shows retrying with each attempt, then delivered; redelivery sends it again under the same id', async () => {
    const { endpoint, receiver: restarted } = await signedEndpoint({ description: 'Flaky', events: ['deal.sla.breached'] }, (attempt) =>
      attempt < 2 ? 503 : 'pass',
    );
    const dealId = await openDeal('B');
    const retrying = await eventually(
      async () => (await deliveries(endpoint.id)).deliveries.find((d: any) => d.dealId === dealId),
      (delivery) => delivery?.state === 'retrying',
    );
    expect(retrying.attempts[0]).toMatchObject({ status: 503, error: expect.stringContaining('503') });
    const delivered = await eventually(
      async () => (await deliveries(endpoint.id)).deliveries.find((d: any) => d.dealId === dealId),
      (delivery) => delivery?.state === 'delivered',
      30_000,
    );
    expect(delivered.attempts.map((a: any) => a.status)).toEqual([503, 503, 204]);
    expect(restarted.messages.map((m) => m.deliveryId)).toEqual([delivered.deliveryId]);

    const again = await service.call('POST', `/v1/alert-endpoints/${endpoint.id}/deliveries/${delivered.deliveryId}/redeliver`, {
      as: 'ops',
    });
    expect(again.status).toBe(202);
    await eventually(
      async () => restarted.messages.length,
      (n) => n === 2,
    );
    expect(restarted.messages.map((m) => m.deliveryId)).toEqual([delivered.deliveryId, delivered.deliveryId]);
    expectProblem(
      await service.call('POST', `/v1/alert-endpoints/${endpoint.id}/deliveries/msg_nothing/redeliver`, { as: 'ops' }),
      404,
      'unknown_delivery',
    );
  }, 60_000);

  test('a ping reaches an endpoint whatever its filters', async () => {
    const reply = await service.call('POST', `/v1/alert-endpoints/${ids.tierB}/test`, { as: 'ops' });
    expect(reply.status).toBe(202);
    const [ping] = await eventually(
      async () => tierB.messages.filter((m) => m.deliveryId === reply.body.deliveryId),
      (list) => list.length === 1,
    );
    expect(ping.body).toMatchObject({ id: reply.body.deliveryId, type: 'ping', deal: null, endpoint: { id: ids.tierB } });
  });

  test('no secret and no routing key appears in any deal’s timeline or view', async () => {
    const timeline = JSON.stringify((await service.call('GET', `/v1/deals/${dealA}/timeline`)).body);
    const view = JSON.stringify((await service.call('GET', `/v1/deals/${dealA}`)).body);
    for (const text of [timeline, view]) {
      for (const secret of [...secrets, pagerduty.settings.routingKey]) expect(text).not.toContain(secret);
    }
  });
});
