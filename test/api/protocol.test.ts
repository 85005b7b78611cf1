// `CONTRACT.md` v2.4, the SOP's response protocol, through the API on a real dev server: risk
// playbooks and GET /v1/risks (the weekly risk review), idle deals, yellow and red responses.
import { eventually } from '../helpers/eventually';
import { dealBody, expectProblem, quickSop, TestService } from '../helpers/service';
import { uniqueId } from '../helpers/temporal';

let service: TestService;
const playbookSop = {
  ...quickSop('risky-sop'),
  riskPlaybooks: {
    'decision-maker-change': {
      name: 'Decision-maker changed',
      steps: [
        { id: 'map-new-dm', summary: 'Map the new decision-maker', owner: 'owner', dueIn: '2d' },
        { id: 'exec-call', summary: 'Executive call', owner: 'manager', dueIn: '5d' },
      ],
    },
    'quick-check': { name: 'Quick check', steps: [{ id: 'call-back', summary: 'Call the buyer back', owner: 'owner', dueIn: '1s' }] },
  },
};
/** Yellow at 1 s asks for a cause within 1 s; red at 3 s for a plan within 1 s; idle after 2 s. */
const protocolSop = {
  id: 'protocol-sop',
  version: 1,
  name: 'Protocol SOP',
  stages: [
    {
      id: 'solution',
      name: 'Solution',
      idleAfter: '2s',
      sla: { warnAfter: '1s', breachAfter: '3s' },
      onYellow: { require: 'cause', within: '1s' },
      onRed: { require: 'plan', within: '1s' },
    },
    { id: 'close', name: 'Close' },
  ],
};
const act = (dealId: string, body: unknown, as: 'alice' | 'bob' | 'manager' = 'manager') =>
  service.call('POST', `/v1/deals/${dealId}/actions`, { as, body });
const risks = (query = '', as: 'alice' | 'manager' | 'viewer' = 'manager') => service.call('GET', `/v1/risks${query}`, { as });

async function open(owner: 'alice' | 'bob', sopId = 'risky-sop'): Promise<string> {
  const dealId = uniqueId(owner);
  expect((await service.call('POST', '/v1/deals', { as: owner, body: dealBody(dealId, { sopId }) })).status).toBe(201);
  return dealId;
}

let aliceDeal: string;
let bobDeal: string;
let otherSopDeal: string;
beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: playbookSop })).status).toBe(201);
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: protocolSop })).status).toBe(201);
  aliceDeal = await open('alice');
  bobDeal = await open('bob');
  otherSopDeal = await open('alice', 'quick-sop');
  expect(
    (await act(aliceDeal, { type: 'raise_risk', riskId: 'dm', summary: 'The CIO left', playbook: 'decision-maker-change' }, 'alice'))
      .status,
  ).toBe(200);
  // Due a minute ago: already overdue.
  const overdue = new Date(Date.now() - 60_000).toISOString();
  expect(
    (await act(bobDeal, { type: 'raise_risk', riskId: 'budget', summary: 'Budget frozen', owner: 'mia', dueBy: overdue }, 'bob')).status,
  ).toBe(200);
  expect((await act(otherSopDeal, { type: 'raise_risk', riskId: 'legal', summary: 'Legal slow' }, 'alice')).status).toBe(200);
  expect((await act(otherSopDeal, { type: 'raise_risk', riskId: 'old', summary: 'Solved already' }, 'alice')).status).toBe(200);
  expect((await act(otherSopDeal, { type: 'resolve_risk', riskId: 'old' }, 'alice')).status).toBe(200);
  await eventually(
    async () => (await service.call('GET', '/v1/deals?status=open', { as: 'manager' })).body.deals.length,
    (count) => count === 3,
  );
});
afterAll(async () => {
  await service?.stop();
});

test('raise_risk with a playbook gives the deal its tasks; complete_task completes one; the codes of the contract', async () => {
  const deal = (await service.call('GET', `/v1/deals/${aliceDeal}`, { as: 'alice' })).body;
  expect(deal.risks[0]).toMatchObject({
    riskId: 'dm',
    playbook: 'decision-maker-change',
    tasks: [
      { taskId: 'map-new-dm', owner: 'alice', role: 'owner', doneAt: null },
      { taskId: 'exec-call', owner: 'mia', role: 'manager', doneAt: null },
    ],
  });
  expectProblem(
    await act(aliceDeal, { type: 'raise_risk', riskId: 'x', summary: 'x', playbook: 'no-such' }, 'alice'),
    422,
    'unknown_playbook',
  );
  expectProblem(await act(aliceDeal, { type: 'complete_task', riskId: 'dm', taskId: 'no-such' }, 'alice'), 409, 'unknown_task');
  const done = await act(aliceDeal, { type: 'complete_task', riskId: 'dm', taskId: 'map-new-dm', note: 'New CIO: Chen' }, 'alice');
  expect(done.status).toBe(200);
  expect(done.body.deal.risks[0].tasks[0].doneAt).toEqual(expect.any(String));
  expectProblem(await act(aliceDeal, { type: 'complete_task', riskId: 'dm', taskId: 'map-new-dm' }, 'alice'), 409, 'task_done');
  expectProblem(await act(aliceDeal, { type: 'complete_task', riskId: 'dm' }, 'alice'), 422, 'validation_failed');
  const timeline = (await service.call('GET', `/v1/deals/${aliceDeal}/timeline`, { as: 'alice' })).body.events;
  expect(timeline.at(-1)).toMatchObject({
    type: 'task_completed',
    actor: 'alice',
    data: { riskId: 'dm', taskId: 'map-new-dm', note: 'New CIO: Chen' },
  });
  // Publishing a playbook whose step owner is no role, or whose step is due in zero time, is 422 with the path.
  const bad = {
    ...playbookSop,
    version: 2,
    riskPlaybooks: { p: { name: 'P', steps: [{ id: 's', summary: 's', owner: 'Big Boss', dueIn: '0d' }] } },
  };
  const refused = await service.call('POST', '/v1/sops', { as: 'ops', body: bad });
  expectProblem(refused, 422, 'validation_failed');
  expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
    'riskPlaybooks.p.steps.0.dueIn',
    'riskPlaybooks.p.steps.0.owner',
  ]);
});

test('GET /v1/risks: the open risks of the deals a caller may read, the most overdue first, with what is due next', async () => {
  const reply = await risks();
  expect(reply.status).toBe(200);
  expect(reply.body.truncated).toBe(false);
  const list = reply.body.risks;
  expect(list.map((risk: { riskId: string }) => risk.riskId)).toEqual(['budget', 'dm', 'legal']);
  expect(list[0]).toMatchObject({ dealId: bobDeal, owner: 'mia', dealOwner: 'bob', nextTask: null, overdueMs: expect.any(Number) });
  expect(list[0].overdueMs).toBeGreaterThanOrEqual(60_000);
  expect(list[1]).toMatchObject({
    dealId: aliceDeal,
    playbook: 'decision-maker-change',
    nextTask: { taskId: 'exec-call', owner: 'mia' },
    overdueMs: 0,
    tasks: { done: 1, total: 2 },
  });
  expect(list[1].nextDueAt).toBe(list[1].nextTask.dueBy);
  expect(list[2]).toMatchObject({ dealId: otherSopDeal, nextDueAt: null, overdueMs: null });

  expect((await risks('?status=all')).body.risks.map((risk: { riskId: string }) => risk.riskId)).toContain('old');
  expect((await risks('?status=resolved')).body.risks.map((risk: { riskId: string }) => risk.riskId)).toEqual(['old']);
  expect((await risks('?owner=mia')).body.risks.map((risk: { riskId: string }) => risk.riskId)).toEqual(['budget']);
  expect((await risks('?sopId=quick-sop')).body.risks.map((risk: { riskId: string }) => risk.riskId)).toEqual(['legal']);
  // A rep reviews its own deals' risks only; a viewer reads them all.
  expect((await risks('', 'alice')).body.risks.map((risk: { dealId: string }) => risk.dealId).sort()).toEqual(
    [aliceDeal, otherSopDeal].sort(),
  );
  expect((await risks('', 'viewer')).body.risks).toHaveLength(3);
  const bad = await risks('?status=someday&owner=a%20b');
  expectProblem(bad, 422, 'validation_failed');
  expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.owner', 'query.status']);
});

test('yellow asks for a cause and red for a plan, each overdue if not answered; an idle deal says since when', async () => {
  const answered = await open('alice', 'protocol-sop');
  const ignored = await open('bob', 'protocol-sop');
  expectProblem(await act(answered, { type: 'explain_delay', cause: 'too early' }, 'alice'), 409, 'no_response_due');
  const yellow = await eventually(
    async () => (await service.call('GET', `/v1/deals/${answered}`, { as: 'alice' })).body,
    (deal) => deal.response?.require === 'cause',
  );
  expect(yellow.response).toMatchObject({ within: '1s', answeredAt: null, overdue: false });
  expectProblem(await act(answered, { type: 'submit_plan', summary: 'not yet' }, 'alice'), 409, 'no_response_due');
  expect((await act(answered, { type: 'explain_delay', cause: 'Waiting for the buyer’s IT review' }, 'alice')).status).toBe(200);
  // Red: a plan now; explain_delay no longer answers it.
  const red = await eventually(
    async () => (await service.call('GET', `/v1/deals/${answered}`, { as: 'alice' })).body,
    (deal) => deal.response?.require === 'plan',
  );
  expect(red.health).toBe('red');
  expect((await act(answered, { type: 'submit_plan', summary: 'Exec sponsor call', owner: 'mia' }, 'alice')).status).toBe(200);

  const late = await eventually(
    async () => (await service.call('GET', `/v1/deals/${ignored}`, { as: 'bob' })).body,
    (deal) =>
      deal.escalations.filter((alert: { type: string }) => alert.type === 'deal.response.overdue').length === 2 && deal.idleSince !== null,
  );
  expect(late.response).toMatchObject({ require: 'plan', overdue: true, answeredAt: null });
  expect(late.idleSince).toBe(late.stage.enteredAt);
  const types = late.escalations.map((alert: { type: string }) => alert.type);
  expect(types).toEqual(expect.arrayContaining(['deal.sla.warning', 'deal.sla.breached', 'deal.response.overdue', 'deal.idle']));
  const done = (await service.call('GET', `/v1/deals/${answered}`, { as: 'alice' })).body;
  expect(done.escalations.filter((alert: { type: string }) => alert.type === 'deal.response.overdue')).toEqual([]);
  const explained = (await service.call('GET', `/v1/deals/${ignored}/explain`, { as: 'bob' })).body;
  expect(explained.alerts.find((alert: { type: string }) => alert.type === 'deal.response.overdue')?.rule).toBe(
    'stages[0].onRed.within = 1s continuous',
  );
  // Work on the deal clears the idle flag.
  expect((await act(ignored, { type: 'log_activity', kind: 'call' }, 'bob')).body.deal.idleSince).toBeNull();

  const lint = await service.call('POST', '/v1/sops', {
    as: 'ops',
    body: { ...protocolSop, version: 2, stages: [{ id: 'a', name: 'A', onYellow: { require: 'cause', within: '1h' }, idleAfter: '0d' }] },
  });
  expectProblem(lint, 422, 'validation_failed');
  expect(lint.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['stages.0.idleAfter', 'stages.0.onYellow.within']);
});

test('a playbook task not done in time fires deal.task.overdue to its role and the owner; cadence targets are linted', async () => {
  const dealId = await open('alice');
  expect(
    (await act(dealId, { type: 'raise_risk', riskId: 'quiet', summary: 'Buyer went quiet', playbook: 'quick-check' }, 'alice')).status,
  ).toBe(200);
  const late = await eventually(
    async () => (await service.call('GET', `/v1/deals/${dealId}`, { as: 'alice' })).body,
    (deal) => deal.escalations.some((alert: { type: string }) => alert.type === 'deal.task.overdue'),
  );
  expect(late.risks[0].tasks[0]).toMatchObject({ taskId: 'call-back', overdue: true, doneAt: null });
  const timeline = (await service.call('GET', `/v1/deals/${dealId}/timeline`, { as: 'alice' })).body.events;
  const overdue = timeline.find((event: { type: string }) => event.type === 'task_overdue');
  expect(overdue.data.alert).toMatchObject({ type: 'deal.task.overdue', riskId: 'quiet', taskId: 'call-back', notify: ['owner'] });

  const badCadence = await service.call('POST', '/v1/sops', {
    as: 'ops',
    body: { ...protocolSop, version: 3, stages: [{ id: 'a', name: 'A', cadence: [{ kinds: ['lunch'], atLeast: 0, per: '2w' }] }] },
  });
  expectProblem(badCadence, 422, 'validation_failed');
  expect(badCadence.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
    'stages.0.cadence.0.atLeast',
    'stages.0.cadence.0.kinds.0',
    'stages.0.cadence.0.per',
  ]);
});
