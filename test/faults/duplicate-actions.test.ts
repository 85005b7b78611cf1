// Each action sent twice with its Idempotency-Key and by several clients at once: every deal ends
// exactly where the domain model (decide / evolve) puts it when fed each accepted action once, in
// the order the deal's timeline records them.
import { randomUUID } from 'node:crypto';
import {
  actionSchema,
  canonicalJson,
  dealView,
  decide,
  evolve,
  initialState,
  sopSchema,
  type Action,
  type DealEvent,
  type DealState,
} from '../../domain';
import { dealBody, faultSop } from './helpers/deals';
import { call, callWithRetries, pool, type Answer } from './helpers/http';
import { ServiceProcess } from './helpers/service-process';

const DEALS = 12;
const CLIENTS = 3;
const ADMIN = { subject: 'root', role: 'admin' } as const;
const sop = sopSchema.parse(faultSop());
let service: ServiceProcess;

beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [faultSop()] });
  await service.startAll();
}, 300_000);
afterAll(async () => service?.stop());

/** Actions that each carry a unique token in a field their first event records. */
function actionsOf(): Array<{ token: string; action: Record<string, unknown> }> {
  const make = (build: (token: string) => Record<string, unknown>) => {
    const token = randomUUID();
    return { token, action: build(token) };
  };
  return [
    make((t) => ({ type: 'log_activity', kind: 'call', note: t })),
    make((t) => ({ type: 'log_activity', kind: 'demo', note: t })),
    make((t) => ({ type: 'open_request', requestId: 'q1', summary: t })),
    make((t) => ({ type: 'submit_deliverable', stage: 'requirements', deliverable: 'doc', ref: t })),
    make((t) => ({ type: 'request_revision', stage: 'requirements', reason: t })),
    make((t) => ({ type: 'complete_stage', stage: 'requirements', note: t })),
    make((t) => ({ type: 'raise_risk', riskId: 'r1', summary: t })),
    make((t) => ({ type: 'answer_request', requestId: 'q1', note: t })),
  ];
}

const tokenOf = (event: DealEvent): unknown => {
  const data = event.data as Record<string, unknown>;
  return data.note ?? data.ref ?? data.summary ?? data.reason;
};

/** Folds the timeline through the domain, deciding each accepted action afresh where it appears. */
function model(events: DealEvent[], accepted: Map<string, Action>): { state: DealState; applied: string[]; divergences: string[] } {
  const created = events[0];
  if (created.type !== 'deal_created') throw new Error('a timeline starts with deal_created');
  let state = initialState(created.data, sop, created.at);
  const applied: string[] = [];
  const divergences: string[] = [];
  for (let i = 0; i < events.length;) {
    const event = events[i];
    const token = tokenOf(event);
    const action = typeof token === 'string' && event.actor === ADMIN.subject ? accepted.get(token) : undefined;
    if (!action) {
      state = evolve(state, event);
      i += 1;
      continue;
    }
    const decided = decide(state, action, { now: event.at, actor: ADMIN, sop });
    const recorded = Array.isArray(decided) ? events.slice(i, i + decided.length) : [];
    if (!Array.isArray(decided) || canonicalJson(decided) !== canonicalJson(recorded)) {
      divergences.push(`${token}: model ${JSON.stringify(decided)} vs timeline ${JSON.stringify(recorded)}`);
      return { state, applied, divergences };
    }
    state = decided.reduce(evolve, state);
    applied.push(token as string);
    i += decided.length;
  }
  return { state, applied, divergences };
}

async function driveDeal(dealId: string) {
  expect((await callWithRetries(service.apiUrl, 'POST', '/v1/deals', { body: dealBody(dealId) })).status).toBe(201);
  const sent = actionsOf();
  const answers = new Map<string, Answer[]>();
  // All of a deal's actions at once, each from several clients with the same key, then once more.
  await Promise.all(
    sent.flatMap(({ token, action }) =>
      Array.from({ length: CLIENTS }, async () => {
        // Past Temporal's 10 updates in flight per deal the API answers 503; a client retries that.
        const answer = await callWithRetries(service.apiUrl, 'POST', `/v1/deals/${dealId}/actions`, {
          body: action,
          headers: { 'idempotency-key': token },
        });
        answers.set(token, [...(answers.get(token) ?? []), answer]);
      }),
    ),
  );
  for (const { token, action } of sent) {
    const answer = await call(service.apiUrl, 'POST', `/v1/deals/${dealId}/actions`, {
      body: action,
      headers: { 'idempotency-key': token },
    });
    answers.set(token, [...(answers.get(token) ?? []), answer]);
  }
  return { dealId, sent, answers };
}

test('duplicated and concurrent actions apply once each, as the domain model says', async () => {
  const dealIds = Array.from({ length: DEALS }, (_, i) => `dup-${i}-${randomUUID().slice(0, 6)}`);
  const runs = await pool(dealIds, 4, driveDeal);
  let acceptedCount = 0;
  let sentCount = 0;
  const problems: string[] = [];
  for (const { dealId, sent, answers } of runs) {
    const accepted = new Map<string, Action>();
    for (const { token, action } of sent) {
      const list = answers.get(token) ?? [];
      sentCount += list.length;
      const ok = list.filter((a) => a.status === 200);
      if (list.some((a) => a.status >= 500 || a.status === 0)) problems.push(`${dealId} ${token}: ${list.map((a) => a.status)}`);
      // Every 200 for one key is the same answer: the first one, replayed.
      if (new Set(ok.map((a) => a.text)).size > 1) problems.push(`${dealId} ${token}: different 200 answers`);
      if (ok.length > 0) accepted.set(token, actionSchema.parse(action));
    }
    acceptedCount += accepted.size;
    const events: DealEvent[] = (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}/timeline`)).body.events;
    const deal = (await callWithRetries(service.apiUrl, 'GET', `/v1/deals/${dealId}`)).body;
    const { state, applied, divergences } = model(events, accepted);
    problems.push(...divergences.map((d) => `${dealId} ${d}`));
    if ([...applied].sort().join() !== [...accepted.keys()].sort().join())
      problems.push(`${dealId}: applied ${applied.length} of ${accepted.size}`);
    const tokens = events.map(tokenOf).filter((t) => typeof t === 'string');
    if (new Set(tokens).size !== tokens.length) problems.push(`${dealId}: a token twice on the timeline`);
    // Health is read at a later instant than the timeline; the rest must match the model exactly.
    if (canonicalJson({ ...deal, health: null }) !== canonicalJson({ ...dealView(state, sop), health: null })) {
      problems.push(`${dealId}: deal ${JSON.stringify(deal)} != model ${JSON.stringify(dealView(state, sop))}`);
    }
  }
  console.log(`duplicates: ${DEALS} deals, ${sentCount} requests for ${DEALS * actionsOf().length} actions, ${acceptedCount} accepted`);
  expect(problems).toEqual([]);
}, 300_000);
