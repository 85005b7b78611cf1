import {
  dealView,
  deadlines,
  decide,
  dueEvents,
  evolve,
  healthOf,
  isRejection,
  openDeal,
  resumedDeadlines,
  type Action,
  type Actor,
  type AlertEvent,
  type DealEvent,
  type DealState,
  type Rejection,
  type Sop,
  type SopInput,
} from '../../domain';
import { ALICE, makeOpening, makeSop, MIA } from '../helpers/fixtures';

// 2026-01-05 is a Monday. Every deal in this file is opened at T0 unless a test says otherwise.
const T0 = '2026-01-05T09:00:00.000Z';
const T1 = '2026-01-05T10:00:00.000Z';
const T2 = '2026-01-05T11:00:00.000Z';
const LATER = '2026-06-01T00:00:00.000Z';

const VIEWER: Actor = { subject: 'victor', role: 'viewer' };
const BOB: Actor = { subject: 'bob', role: 'rep' };

/** An SOP whose one stage with an SLA is first; `close` follows with nothing on it. */
function slaSop(first: Partial<SopInput['stages'][number]>, overrides: Partial<SopInput> = {}): Sop {
  return makeSop({
    stages: [
      { id: 'discovery', name: 'Discovery', ...first },
      { id: 'close', name: 'Close' },
    ],
    ...overrides,
  });
}

function open(sop: Sop = makeSop(), opening = makeOpening(), at = T0): DealState {
  return openDeal(opening, sop, ALICE, at).state;
}

function attempt(state: DealState, sop: Sop, action: Action, now: string, actor: Actor = ALICE): DealEvent[] | Rejection {
  return decide(state, action, { now, actor, sop });
}

/** Decides and applies an action that must be accepted. */
function act(state: DealState, sop: Sop, action: Action, now: string, actor: Actor = ALICE): DealState {
  const result = attempt(state, sop, action, now, actor);
  if (isRejection(result)) throw new Error(`rejected: ${result.code} ${result.message}`);
  return result.reduce(evolve, state);
}

function rejected(state: DealState, sop: Sop, action: Action, now = T1, actor: Actor = ALICE): Rejection {
  const result = attempt(state, sop, action, now, actor);
  if (!isRejection(result)) throw new Error(`accepted: ${result.map((e) => e.type).join(', ')}`);
  return result;
}

/** What time produces by `now`, applied. */
function tick(state: DealState, sop: Sop, now: string): { state: DealState; events: AlertEvent[] } {
  const events = dueEvents(state, sop, now);
  return { state: events.reduce<DealState>(evolve, state), events };
}

/** A tier-A deal walked to the end of the default SOP: requirements, (pricing skipped), contract. */
function wonDeal(sop: Sop): DealState {
  let state = open(sop, makeOpening({ customer: { name: 'ACME', tier: 'A' } }));
  state = act(state, sop, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' }, T1);
  state = act(state, sop, { type: 'complete_stage', stage: 'requirements' }, T1);
  return act(state, sop, { type: 'complete_stage', stage: 'contract' }, T2);
}

describe('openDeal', () => {
  test('creates the deal and enters the first stage', () => {
    const sop = makeSop();
    const { state, events } = openDeal(makeOpening(), sop, ALICE, T0);
    expect(events.map((e) => e.type)).toEqual(['deal_created', 'stage_entered']);
    expect(events.every((e) => e.at === T0 && e.actor === 'alice')).toBe(true);
    expect(state.status).toBe('open');
    expect(state.stage).toEqual({
      id: 'requirements',
      enteredAt: T0,
      submitted: {},
      warnAt: null,
      breachAt: null,
      health: 'green',
      escalations: [],
    });
    expect(healthOf(state)).toBe('green');
  });

  test('the view of a new deal', () => {
    const sop = makeSop();
    expect(dealView(open(sop), sop)).toEqual({
      dealId: 'acme-2026-001',
      status: 'open',
      sop: { id: 'test-sop', version: 1 },
      owner: 'alice',
      team: { manager: 'mia', director: 'dora' },
      customer: { name: 'ACME', tier: 'B' },
      amount: 1_200_000,
      currency: 'CNY',
      attributes: {},
      health: 'green',
      paused: false,
      idleSince: null,
      response: null,
      stage: {
        id: 'requirements',
        name: 'Requirements confirmed',
        enteredAt: T0,
        deliverables: { required: ['requirements-doc'], submitted: [] },
        warnAt: null,
        breachAt: null,
      },
      skipped: [],
      history: [],
      requests: [],
      risks: [],
      revisions: {},
      escalations: [],
      createdAt: T0,
      closedAt: null,
    });
  });
});

describe('decide: rejections', () => {
  const sop = makeSop();
  const deal = open(sop);

  test('forbidden: a viewer may not act', () => {
    expect(rejected(deal, sop, { type: 'log_activity', kind: 'call' }, T1, VIEWER).code).toBe('forbidden');
  });

  test("forbidden: a rep may not act on another rep's deal", () => {
    expect(rejected(deal, sop, { type: 'log_activity', kind: 'call' }, T1, BOB).code).toBe('forbidden');
  });

  test('forbidden: a rep may not reassign, even its own deal', () => {
    expect(rejected(deal, sop, { type: 'reassign', owner: 'bob' }, T1, ALICE).code).toBe('forbidden');
  });

  test('deal_closed after mark_lost', () => {
    const lost = act(deal, sop, { type: 'mark_lost', reason: 'budget cut' }, T1);
    expect(lost.status).toBe('lost');
    expect(rejected(lost, sop, { type: 'log_activity', kind: 'call' }, T2).code).toBe('deal_closed');
    expect(rejected(lost, sop, { type: 'mark_lost', reason: 'again' }, T2, MIA).code).toBe('deal_closed');
  });

  test('deal_closed after the deal is won', () => {
    const won = wonDeal(sop);
    expect(won.status).toBe('won');
    expect(rejected(won, sop, { type: 'open_request', requestId: 'r1' }, LATER).code).toBe('deal_closed');
  });

  test('wrong_stage: a deliverable for a stage that is not current', () => {
    const result = rejected(deal, sop, { type: 'submit_deliverable', stage: 'contract', deliverable: 'x' });
    expect(result.code).toBe('wrong_stage');
    expect(result.details).toEqual({ currentStage: 'requirements' });
  });

  test('wrong_stage: completing a stage that is not current', () => {
    expect(rejected(deal, sop, { type: 'complete_stage', stage: 'pricing' }).code).toBe('wrong_stage');
  });

  test('wrong_stage: a revision of a stage not reached yet', () => {
    expect(rejected(deal, sop, { type: 'request_revision', stage: 'contract', reason: 'redo' }).code).toBe('wrong_stage');
  });

  test('missing_deliverables lists what is missing', () => {
    const twoDocs = makeSop({
      stages: [
        { id: 'requirements', name: 'Requirements', deliverables: ['requirements-doc', 'budget-sheet'] },
        { id: 'contract', name: 'Contract' },
      ],
    });
    let state = open(twoDocs);
    expect(rejected(state, twoDocs, { type: 'complete_stage', stage: 'requirements' }).details).toEqual({
      missing: ['requirements-doc', 'budget-sheet'],
    });
    state = act(state, twoDocs, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'budget-sheet' }, T1);
    const result = rejected(state, twoDocs, { type: 'complete_stage', stage: 'requirements' }, T2);
    expect(result.code).toBe('missing_deliverables');
    expect(result.details).toEqual({ missing: ['requirements-doc'] });
  });

  test('unknown_stage for complete_stage, submit_deliverable and request_revision', () => {
    const complete = rejected(deal, sop, { type: 'complete_stage', stage: 'negotiation' });
    expect(complete.code).toBe('unknown_stage');
    expect(complete.details).toEqual({ stages: ['requirements', 'pricing', 'contract'] });
    expect(rejected(deal, sop, { type: 'submit_deliverable', stage: 'negotiation', deliverable: 'x' }).code).toBe('unknown_stage');
    expect(rejected(deal, sop, { type: 'request_revision', stage: 'negotiation', reason: 'x' }).code).toBe('unknown_stage');
  });

  test('unknown_deliverable', () => {
    const result = rejected(deal, sop, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'price-sheet' });
    expect(result.code).toBe('unknown_deliverable');
    expect(result.details).toEqual({ required: ['requirements-doc'] });
  });

  test('already_paused', () => {
    const paused = act(deal, sop, { type: 'pause', reason: 'customer on holiday' }, T1);
    expect(rejected(paused, sop, { type: 'pause', reason: 'again' }, T2).code).toBe('already_paused');
  });

  test('not_paused', () => {
    expect(rejected(deal, sop, { type: 'resume' }).code).toBe('not_paused');
    const resumed = act(act(deal, sop, { type: 'pause', reason: 'x' }, T1), sop, { type: 'resume' }, T2);
    expect(rejected(resumed, sop, { type: 'resume' }, T2).code).toBe('not_paused');
  });

  test('request_exists for an id that is open; an answered id may be reopened', () => {
    const withRequest = act(deal, sop, { type: 'open_request', requestId: 'r1' }, T1);
    expect(rejected(withRequest, sop, { type: 'open_request', requestId: 'r1' }, T2).code).toBe('request_exists');
    const answered = act(withRequest, sop, { type: 'answer_request', requestId: 'r1' }, T2);
    expect(isRejection(attempt(answered, sop, { type: 'open_request', requestId: 'r1' }, T2))).toBe(false);
  });

  test('unknown_request for an id never opened or already answered', () => {
    expect(rejected(deal, sop, { type: 'answer_request', requestId: 'r1' }).code).toBe('unknown_request');
    const answered = act(
      act(deal, sop, { type: 'open_request', requestId: 'r1' }, T1),
      sop,
      { type: 'answer_request', requestId: 'r1' },
      T1,
    );
    expect(rejected(answered, sop, { type: 'answer_request', requestId: 'r1' }, T2).code).toBe('unknown_request');
  });

  test('risk_exists', () => {
    const withRisk = act(deal, sop, { type: 'raise_risk', riskId: 'legal', summary: 'Legal review' }, T1);
    expect(rejected(withRisk, sop, { type: 'raise_risk', riskId: 'legal', summary: 'again' }, T2).code).toBe('risk_exists');
  });

  test('unknown_risk for an id never raised or already resolved', () => {
    expect(rejected(deal, sop, { type: 'resolve_risk', riskId: 'legal' }).code).toBe('unknown_risk');
    const raised = act(deal, sop, { type: 'raise_risk', riskId: 'legal', summary: 'Legal review' }, T1);
    const resolved = act(raised, sop, { type: 'resolve_risk', riskId: 'legal' }, T1);
    expect(rejected(resolved, sop, { type: 'resolve_risk', riskId: 'legal' }, T2).code).toBe('unknown_risk');
  });

  test('a rejection produces no events and leaves the state alone', () => {
    const before = JSON.stringify(deal);
    rejected(deal, sop, { type: 'complete_stage', stage: 'requirements' });
    expect(JSON.stringify(deal)).toBe(before);
  });
});

describe('decide: accepted paths', () => {
  const sop = makeSop();

  test('submitting every deliverable then complete_stage enters the next stage', () => {
    let state = open(sop);
    state = act(state, sop, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc', ref: 'doc://1' }, T1);
    expect(state.stage?.submitted).toEqual({ 'requirements-doc': { ref: 'doc://1', at: T1 } });
    const events = attempt(state, sop, { type: 'complete_stage', stage: 'requirements', note: 'signed off' }, T2);
    expect(isRejection(events) ? events.code : events.map((e) => e.type)).toEqual(['stage_completed', 'stage_entered']);
    state = act(state, sop, { type: 'complete_stage', stage: 'requirements' }, T2);
    expect(state.stage?.id).toBe('pricing');
    expect(state.stage?.enteredAt).toBe(T2);
    expect(state.history).toEqual([{ stage: 'requirements', enteredAt: T0, completedAt: T2 }]);
    expect(state.skipped).toEqual([]);
  });

  test('a tier-A deal skips the stage whose skipWhen matches, recorded with the rule', () => {
    let state = open(sop, makeOpening({ customer: { name: 'ACME', tier: 'A' } }));
    state = act(state, sop, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' }, T1);
    const events = attempt(state, sop, { type: 'complete_stage', stage: 'requirements' }, T2);
    expect(isRejection(events) ? events.code : events.map((e) => e.type)).toEqual(['stage_completed', 'stage_skipped', 'stage_entered']);
    state = act(state, sop, { type: 'complete_stage', stage: 'requirements' }, T2);
    expect(state.stage?.id).toBe('contract');
    expect(state.skipped).toEqual([{ stage: 'pricing', rule: { field: 'customer.tier', op: 'eq', value: 'A' } }]);
    expect(dealView(state, sop).skipped).toEqual([{ stage: 'pricing', rule: { field: 'customer.tier', op: 'eq', value: 'A' } }]);
  });

  test('the skipped rule is the branch of an any that fired', () => {
    const anySop = makeSop({
      stages: [
        { id: 'requirements', name: 'Requirements' },
        {
          id: 'pricing',
          name: 'Pricing',
          skipWhen: {
            any: [
              { field: 'customer.tier', op: 'eq', value: 'A' },
              { field: 'amount', op: 'gte', value: 1_000_000 },
            ],
          },
        },
        { id: 'contract', name: 'Contract' },
      ],
    });
    const state = act(open(anySop), anySop, { type: 'complete_stage', stage: 'requirements' }, T1);
    expect(state.skipped).toEqual([{ stage: 'pricing', rule: { field: 'amount', op: 'gte', value: 1_000_000 } }]);
  });

  test('update_deal to tier A makes a stage not yet entered skip', () => {
    let state = open(sop);
    state = act(state, sop, { type: 'update_deal', customer: { tier: 'A' } }, T1);
    expect(state.customer).toEqual({ name: 'ACME', tier: 'A' });
    state = act(state, sop, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' }, T1);
    state = act(state, sop, { type: 'complete_stage', stage: 'requirements' }, T2);
    expect(state.stage?.id).toBe('contract');
    expect(state.skipped.map((s) => s.stage)).toEqual(['pricing']);
  });

  test('update_deal away from tier A makes the stage run again', () => {
    let state = open(sop, makeOpening({ customer: { name: 'ACME', tier: 'A' } }));
    state = act(state, sop, { type: 'update_deal', customer: { tier: 'C' } }, T1);
    state = act(state, sop, { type: 'submit_deliverable', stage: 'requirements', deliverable: 'requirements-doc' }, T1);
    state = act(state, sop, { type: 'complete_stage', stage: 'requirements' }, T2);
    expect(state.stage?.id).toBe('pricing');
    expect(state.skipped).toEqual([]);
  });

  test('update_deal merges team and attributes and sets amount', () => {
    const state = act(open(sop), sop, { type: 'update_deal', amount: 5, team: { presales: 'pete' }, attributes: { region: 'east' } }, T1);
    expect(state.amount).toBe(5);
    expect(state.team).toEqual({ manager: 'mia', director: 'dora', presales: 'pete' });
    expect(state.attributes).toEqual({ region: 'east' });
    expect(state.customer).toEqual({ name: 'ACME', tier: 'B' });
  });

  test('completing the last stage wins the deal', () => {
    const won = wonDeal(sop);
    expect(won.status).toBe('won');
    expect(won.closedAt).toBe(T2);
    expect(won.stage).toBeNull();
    expect(healthOf(won)).toBeNull();
    expect(deadlines(won, sop)).toEqual([]);
    const view = dealView(won, sop);
    expect(view.health).toBeNull();
    expect(view.stage).toBeNull();
    expect(view.closedAt).toBe(T2);
    expect(view.history).toEqual([
      { stage: 'requirements', enteredAt: T0, completedAt: T1 },
      { stage: 'contract', enteredAt: T1, completedAt: T2 },
    ]);
  });

  test('mark_lost closes the deal with health null', () => {
    const lost = act(open(sop), sop, { type: 'mark_lost', reason: 'budget cut' }, T1);
    expect(lost.status).toBe('lost');
    expect(lost.closedAt).toBe(T1);
    expect(healthOf(lost)).toBeNull();
  });

  test('a manager reassigns; the rep who lost the deal may no longer act on it', () => {
    const state = act(open(sop), sop, { type: 'reassign', owner: 'bob' }, T1, MIA);
    expect(state.owner).toBe('bob');
    expect(rejected(state, sop, { type: 'log_activity', kind: 'call' }, T2, ALICE).code).toBe('forbidden');
    expect(isRejection(attempt(state, sop, { type: 'log_activity', kind: 'call' }, T2, BOB))).toBe(false);
  });

  test('request_revision counts revisions of a stage worked on', () => {
    let state = open(sop);
    state = act(state, sop, { type: 'request_revision', stage: 'requirements', reason: 'scope changed' }, T1);
    state = act(state, sop, { type: 'request_revision', stage: 'requirements', reason: 'again' }, T2);
    expect(state.revisions).toEqual({ requirements: 2 });
  });

  test('raise_risk stores dueBy as a UTC instant and defaults the owner', () => {
    const state = act(
      open(sop),
      sop,
      { type: 'raise_risk', riskId: 'legal', summary: 'Legal review', dueBy: '2026-01-10T08:00:00+08:00' },
      T1,
    );
    expect(state.risks).toEqual([
      {
        riskId: 'legal',
        summary: 'Legal review',
        owner: 'alice',
        dueBy: '2026-01-10T00:00:00.000Z',
        raisedAt: T1,
        resolvedAt: null,
        overdue: false,
      },
    ]);
  });
});

describe('request SLA', () => {
  const sop = makeSop();

  test('breaches at exactly 48h, not a millisecond before', () => {
    const state = act(open(sop), sop, { type: 'open_request', requestId: 'r1', summary: 'Send the price list' }, T1);
    expect(state.requests[0]).toMatchObject({ openedAt: T1, warnAt: null, breachAt: '2026-01-07T10:00:00.000Z' });
    expect(dueEvents(state, sop, '2026-01-07T09:59:59.999Z')).toEqual([]);
    const events = dueEvents(state, sop, '2026-01-07T10:00:00.000Z');
    expect(events.map((e) => e.type)).toEqual(['request_breached']);
    expect(events[0].at).toBe('2026-01-07T10:00:00.000Z');
    expect(events[0].actor).toBe('system');
  });

  test('the breach alert names the request and resolves owner and manager', () => {
    const state = act(open(sop), sop, { type: 'open_request', requestId: 'r1' }, T1);
    const [event] = dueEvents(state, sop, '2026-01-07T10:00:00.000Z');
    expect(event.data.alert).toEqual({
      id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
      type: 'deal.request.breached',
      occurredAt: '2026-01-07T10:00:00.000Z',
      deadline: '2026-01-07T10:00:00.000Z',
      deal: {
        dealId: 'acme-2026-001',
        owner: 'alice',
        status: 'open',
        health: 'red',
        customer: { name: 'ACME', tier: 'B' },
        amount: 1_200_000,
        currency: 'CNY',
        sop: { id: 'test-sop', version: 1 },
      },
      stage: null,
      requestId: 'r1',
      riskId: null,
      level: null,
      occurrence: null,
      notify: ['owner', 'manager'],
      recipients: [
        { role: 'owner', subject: 'alice' },
        { role: 'manager', subject: 'mia' },
      ],
    });
  });

  test('a breached request turns the deal red until it is answered', () => {
    let state = act(open(sop), sop, { type: 'open_request', requestId: 'r1' }, T1);
    state = tick(state, sop, '2026-01-07T10:00:00.000Z').state;
    expect(healthOf(state)).toBe('red');
    expect(dealView(state, sop).escalations).toEqual([
      {
        id: expect.stringMatching(/^msg_/),
        type: 'deal.request.breached',
        stage: null,
        requestId: 'r1',
        level: null,
        occurrence: null,
        firedAt: '2026-01-07T10:00:00.000Z',
        delivery: 'pending',
      },
    ]);
    expect(dueEvents(state, sop, LATER)).toEqual([]);
    state = act(state, sop, { type: 'answer_request', requestId: 'r1' }, '2026-01-07T11:00:00.000Z');
    expect(healthOf(state)).toBe('green');
  });

  test('an answered request never breaches', () => {
    let state = act(open(sop), sop, { type: 'open_request', requestId: 'r1' }, T1);
    state = act(state, sop, { type: 'answer_request', requestId: 'r1' }, T2);
    expect(dueEvents(state, sop, LATER)).toEqual([]);
  });

  test('with warnAfter, a request warns (yellow) and then breaches (red)', () => {
    const warned = makeSop({ requestSla: { warnAfter: '24h' } });
    let state = act(open(warned), warned, { type: 'open_request', requestId: 'r1' }, T1);
    expect(state.requests[0]).toMatchObject({ warnAt: '2026-01-06T10:00:00.000Z', breachAt: '2026-01-07T10:00:00.000Z' });
    const first = tick(state, warned, '2026-01-06T10:00:00.000Z');
    expect(first.events.map((e) => e.type)).toEqual(['request_warning']);
    expect(first.events[0].data.alert.type).toBe('deal.request.warning');
    expect(healthOf(first.state)).toBe('yellow');
    state = tick(first.state, warned, '2026-01-07T10:00:00.000Z').state;
    expect(healthOf(state)).toBe('red');
  });

  test('on the business clock a request counts working time only', () => {
    // Opened Fri 2026-01-09 17:00; 2h business: 1 h Friday, Mon 09:00 + 1 h.
    const business = makeSop({ requestSla: { breachAfter: '2h', clock: 'business' } });
    const state = act(
      open(business, makeOpening(), '2026-01-09T09:00:00.000Z'),
      business,
      { type: 'open_request', requestId: 'r1' },
      '2026-01-09T17:00:00.000Z',
    );
    expect(state.requests[0].breachAt).toBe('2026-01-12T10:00:00.000Z');
  });
});

describe('stage SLA and health', () => {
  const sop = slaSop({ sla: { warnAfter: '2d', breachAfter: '3d' } });

  test('entering the stage sets warnAt and breachAt', () => {
    const state = open(sop);
    expect(state.stage).toMatchObject({ warnAt: '2026-01-07T09:00:00.000Z', breachAt: '2026-01-08T09:00:00.000Z', health: 'green' });
    expect(dealView(state, sop).stage).toMatchObject({ warnAt: '2026-01-07T09:00:00.000Z', breachAt: '2026-01-08T09:00:00.000Z' });
  });

  test('green until warnAt, yellow from warnAt, red from breachAt', () => {
    let state = open(sop);
    expect(dueEvents(state, sop, '2026-01-07T08:59:59.999Z')).toEqual([]);
    const warned = tick(state, sop, '2026-01-07T09:00:00.000Z');
    expect(warned.events.map((e) => e.type)).toEqual(['sla_warning']);
    state = warned.state;
    expect(healthOf(state)).toBe('yellow');
    expect(dueEvents(state, sop, '2026-01-08T08:59:59.999Z')).toEqual([]);
    const breached = tick(state, sop, '2026-01-08T09:00:00.000Z');
    expect(breached.events.map((e) => e.type)).toEqual(['sla_breached']);
    expect(healthOf(breached.state)).toBe('red');
    expect(dueEvents(breached.state, sop, LATER)).toEqual([]);
  });

  test('the sla alerts notify the stage responsible and accountable', () => {
    const [warning] = dueEvents(open(sop), sop, '2026-01-07T09:00:00.000Z');
    expect(warning.data.alert).toMatchObject({
      type: 'deal.sla.warning',
      deadline: '2026-01-07T09:00:00.000Z',
      deal: { health: 'yellow' },
      stage: { id: 'discovery', name: 'Discovery', enteredAt: T0 },
      notify: ['owner', 'manager'],
      recipients: [
        { role: 'owner', subject: 'alice' },
        { role: 'manager', subject: 'mia' },
      ],
    });
  });

  test('a missed warning and breach both fire, in order, on one late step', () => {
    const { events, state } = tick(open(sop), sop, '2026-01-09T00:00:00.000Z');
    expect(events.map((e) => [e.type, e.data.alert.deadline])).toEqual([
      ['sla_warning', '2026-01-07T09:00:00.000Z'],
      ['sla_breached', '2026-01-08T09:00:00.000Z'],
    ]);
    expect(healthOf(state)).toBe('red');
  });

  test('entering the next stage is green again', () => {
    let state = tick(open(sop), sop, '2026-01-09T00:00:00.000Z').state;
    state = act(state, sop, { type: 'complete_stage', stage: 'discovery' }, '2026-01-09T01:00:00.000Z');
    expect(state.stage?.id).toBe('close');
    expect(healthOf(state)).toBe('green');
  });

  test('a stage without an SLA never changes colour', () => {
    const plain = makeSop();
    expect(dueEvents(open(plain), plain, LATER)).toEqual([]);
  });

  test('deal health is the worst of stage and open requests', () => {
    let state = act(open(sop), sop, { type: 'open_request', requestId: 'r1' }, T1);
    state = tick(state, sop, '2026-01-07T09:00:00.000Z').state;
    expect(healthOf(state)).toBe('yellow');
    state = tick(state, sop, '2026-01-07T10:00:00.000Z').state;
    expect(state.stage?.health).toBe('yellow');
    expect(healthOf(state)).toBe('red');
  });

  test('a business-clock stage SLA counts working time', () => {
    // Entered Fri 2026-01-09 17:00, breachAfter 2h business → Mon 10:00 (CONTRACT example).
    const business = slaSop({ sla: { breachAfter: '2h', clock: 'business' } });
    const state = open(business, makeOpening(), '2026-01-09T17:00:00.000Z');
    expect(state.stage?.breachAt).toBe('2026-01-12T10:00:00.000Z');
  });
});

describe('escalations', () => {
  const sop = slaSop({
    escalations: [
      { after: '1d', notify: ['manager'] },
      { after: '2d', notify: ['director'], repeatEvery: '12h' },
    ],
  });

  test('each level fires on its own schedule; repeatEvery gives occurrences 0, 1, 2', () => {
    let state = open(sop);
    const fired: Array<[string, number | null, number | null]> = [];
    for (const now of [
      '2026-01-06T09:00:00.000Z', // level 0 at 1d
      '2026-01-07T09:00:00.000Z', // level 1 at 2d
      '2026-01-07T21:00:00.000Z', // + 12h
      '2026-01-08T09:00:00.000Z', // + 12h
    ]) {
      expect(dueEvents(state, sop, new Date(Date.parse(now) - 1).toISOString())).toEqual([]);
      const step = tick(state, sop, now);
      expect(step.events).toHaveLength(1);
      fired.push([step.events[0].data.alert.deadline, step.events[0].data.alert.level, step.events[0].data.alert.occurrence]);
      state = step.state;
    }
    expect(fired).toEqual([
      ['2026-01-06T09:00:00.000Z', 0, 0],
      ['2026-01-07T09:00:00.000Z', 1, 0],
      ['2026-01-07T21:00:00.000Z', 1, 1],
      ['2026-01-08T09:00:00.000Z', 1, 2],
    ]);
    expect(state.stage?.escalations).toEqual([
      { level: 0, occurrence: 1, nextAt: null },
      { level: 1, occurrence: 3, nextAt: '2026-01-08T21:00:00.000Z' },
    ]);
  });

  test('the escalation alert carries level, occurrence, notify and recipients', () => {
    const state = tick(open(sop), sop, '2026-01-06T09:00:00.000Z').state;
    const [event] = dueEvents(state, sop, '2026-01-07T21:00:00.000Z');
    expect(event.type).toBe('escalation_fired');
    expect(event.data.alert).toMatchObject({
      type: 'deal.escalated',
      deadline: '2026-01-07T09:00:00.000Z',
      stage: { id: 'discovery', name: 'Discovery', enteredAt: T0 },
      level: 1,
      occurrence: 0,
      notify: ['director'],
      recipients: [{ role: 'director', subject: 'dora' }],
    });
  });

  test('a role nobody fills resolves to subject null', () => {
    const vp = slaSop({ escalations: [{ after: '1h', notify: ['vp-sales'] }] });
    const [event] = dueEvents(open(vp), vp, T1);
    expect(event.data.alert.recipients).toEqual([{ role: 'vp-sales', subject: null }]);
  });

  test('a late step catches up every missed occurrence in order', () => {
    const { events } = tick(open(sop), sop, '2026-01-08T09:00:00.000Z');
    expect(events.map((e) => [e.data.alert.level, e.data.alert.occurrence])).toEqual([
      [0, 0],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
  });

  test('escalations stop once the stage completes', () => {
    let state = tick(open(sop), sop, '2026-01-08T09:00:00.000Z').state;
    state = act(state, sop, { type: 'complete_stage', stage: 'discovery' }, '2026-01-08T10:00:00.000Z');
    expect(deadlines(state, sop)).toEqual([]);
    expect(dueEvents(state, sop, LATER)).toEqual([]);
  });

  test('escalations run on the stage business clock when it has one', () => {
    // Entered Fri 2026-01-09 17:00; after 2h business → Mon 10:00; repeat 1d business → Tue 10:00.
    const business = slaSop({
      sla: { breachAfter: '1w', clock: 'business' },
      escalations: [{ after: '2h', notify: ['manager'], repeatEvery: '1d' }],
    });
    let state = open(business, makeOpening(), '2026-01-09T17:00:00.000Z');
    expect(state.stage?.escalations).toEqual([{ level: 0, occurrence: 0, nextAt: '2026-01-12T10:00:00.000Z' }]);
    state = tick(state, business, '2026-01-12T10:00:00.000Z').state;
    expect(state.stage?.escalations).toEqual([{ level: 0, occurrence: 1, nextAt: '2026-01-13T10:00:00.000Z' }]);
  });
});

describe('deadlines', () => {
  test('lists every pending deadline, earliest first', () => {
    const sop = slaSop({ sla: { warnAfter: '2d', breachAfter: '3d' }, escalations: [{ after: '1d', notify: ['manager'] }] });
    const state = act(open(sop), sop, { type: 'open_request', requestId: 'r1' }, T1);
    expect(deadlines(state, sop).map((d) => [d.at, d.type])).toEqual([
      ['2026-01-06T09:00:00.000Z', 'deal.escalated'],
      ['2026-01-07T09:00:00.000Z', 'deal.sla.warning'],
      ['2026-01-07T10:00:00.000Z', 'deal.request.breached'],
      ['2026-01-08T09:00:00.000Z', 'deal.sla.breached'],
    ]);
  });
});

describe('pause and resume', () => {
  const sop = slaSop(
    { sla: { warnAfter: '1d', breachAfter: '3d' }, escalations: [{ after: '2d', notify: ['manager'], repeatEvery: '1d' }] },
    { requestSla: { warnAfter: '24h', breachAfter: '48h' } },
  );
  const PAUSED_AT = '2026-01-06T09:30:00.000Z';
  const RESUMED_AT = '2026-01-11T09:30:00.000Z'; // exactly 5 days later

  /**
   * Stage entered T0: warnAt 01-06T09:00, breachAt 01-08T09:00, escalation 01-07T09:00.
   * Request r1 opened T1: warnAt 01-06T10:00, breachAt 01-07T10:00.
   * The stage warning fires (yellow), then the deal is paused at 01-06T09:30.
   */
  function pausedDeal(): DealState {
    let state = act(open(sop), sop, { type: 'open_request', requestId: 'r1' }, T1);
    state = tick(state, sop, '2026-01-06T09:00:00.000Z').state;
    return act(state, sop, { type: 'pause', reason: 'customer on holiday' }, PAUSED_AT);
  }

  test('while paused the view shows no deadlines and health keeps its value', () => {
    const view = dealView(pausedDeal(), sop);
    expect(view.paused).toBe(true);
    expect(view.health).toBe('yellow');
    expect(view.stage).toMatchObject({ warnAt: null, breachAt: null });
    expect(view.requests).toEqual([{ requestId: 'r1', summary: null, openedAt: T1, answeredAt: null, warnAt: null, breachAt: null }]);
  });

  test('while paused no SLA deadline fires', () => {
    const state = pausedDeal();
    expect(deadlines(state, sop)).toEqual([]);
    expect(dueEvents(state, sop, '2026-01-11T09:29:59.999Z')).toEqual([]);
    expect(healthOf(state)).toBe('yellow');
  });

  test('resume after 5 days moves every deadline exactly 5 days later (continuous clock)', () => {
    const paused = pausedDeal();
    const moved = {
      stage: {
        warnAt: '2026-01-11T09:00:00.000Z',
        breachAt: '2026-01-13T09:00:00.000Z',
        escalations: [{ level: 0, occurrence: 0, nextAt: '2026-01-12T09:00:00.000Z' }],
      },
      requests: [{ requestId: 'r1', warnAt: '2026-01-11T10:00:00.000Z', breachAt: '2026-01-12T10:00:00.000Z' }],
    };
    expect(resumedDeadlines(paused, sop, RESUMED_AT)).toEqual(moved);
    expect(attempt(paused, sop, { type: 'resume' }, RESUMED_AT)).toEqual([
      { type: 'resumed', at: RESUMED_AT, actor: 'alice', data: { pausedMs: 5 * 24 * 60 * 60 * 1000, ...moved } },
    ]);
    const state = act(paused, sop, { type: 'resume' }, RESUMED_AT);
    const view = dealView(state, sop);
    expect(view.paused).toBe(false);
    expect(view.health).toBe('yellow');
    expect(view.stage).toMatchObject({ warnAt: '2026-01-11T09:00:00.000Z', breachAt: '2026-01-13T09:00:00.000Z' });
    expect(view.requests[0]).toMatchObject({ warnAt: '2026-01-11T10:00:00.000Z', breachAt: '2026-01-12T10:00:00.000Z' });
    expect(state.stage?.escalations).toEqual([{ level: 0, occurrence: 0, nextAt: '2026-01-12T09:00:00.000Z' }]);
  });

  test('after resume the moved deadlines fire at their new instants', () => {
    let state = act(pausedDeal(), sop, { type: 'resume' }, RESUMED_AT);
    expect(dueEvents(state, sop, '2026-01-11T09:59:59.999Z')).toEqual([]);
    const steps: string[][] = [];
    for (const now of ['2026-01-11T10:00:00.000Z', '2026-01-12T09:00:00.000Z', '2026-01-12T10:00:00.000Z']) {
      const step = tick(state, sop, now);
      steps.push(step.events.map((e) => e.type));
      state = step.state;
    }
    expect(steps).toEqual([['request_warning'], ['escalation_fired'], ['request_breached']]);
  });

  test('a request opened during the pause starts counting at the resume', () => {
    // Opened 01-07T10:00 while paused; resumed 01-11T09:30 → warn 24 h and breach 48 h after the resume.
    let state = act(pausedDeal(), sop, { type: 'open_request', requestId: 'r2' }, '2026-01-07T10:00:00.000Z');
    state = act(state, sop, { type: 'resume' }, RESUMED_AT);
    expect(state.requests.find((r) => r.requestId === 'r2')).toMatchObject({
      warnAt: '2026-01-12T09:30:00.000Z',
      breachAt: '2026-01-13T09:30:00.000Z',
    });
  });

  test('a stage entered during the pause starts counting at the resume', () => {
    // Paused T1; 'proposal' entered at T2 while paused; resumed 01-08T11:00 → breach 2d after the resume.
    const two = makeSop({
      stages: [
        { id: 'discovery', name: 'Discovery' },
        { id: 'proposal', name: 'Proposal', sla: { breachAfter: '2d' } },
      ],
    });
    let state = act(open(two), two, { type: 'pause', reason: 'x' }, T1);
    state = act(state, two, { type: 'complete_stage', stage: 'discovery' }, T2);
    state = act(state, two, { type: 'resume' }, '2026-01-08T11:00:00.000Z');
    expect(state.stage).toMatchObject({ id: 'proposal', enteredAt: T2, breachAt: '2026-01-10T11:00:00.000Z' });
  });

  test('on the business clock a deadline moves by the working time the pause took', () => {
    // Entered Tue 2026-01-06 12:00, breachAfter 1d (9 working h) → Wed 12:00. Paused Tue 17:00 with
    // 4 working hours left; resumed Mon 2026-01-12 10:00 → the 4 h run Mon 10:00–14:00.
    const business = slaSop({ sla: { breachAfter: '1d', clock: 'business' } });
    let state = open(business, makeOpening(), '2026-01-06T12:00:00.000Z');
    expect(state.stage?.breachAt).toBe('2026-01-07T12:00:00.000Z');
    state = act(state, business, { type: 'pause', reason: 'x' }, '2026-01-06T17:00:00.000Z');
    state = act(state, business, { type: 'resume' }, '2026-01-12T10:00:00.000Z');
    expect(state.stage?.breachAt).toBe('2026-01-12T14:00:00.000Z');
  });
});

describe('risks', () => {
  const sop = makeSop();

  test('a risk with dueBy produces risk_overdue at dueBy, once', () => {
    const state = act(
      open(sop),
      sop,
      { type: 'raise_risk', riskId: 'legal', summary: 'Legal review', dueBy: '2026-01-10T00:00:00.000Z' },
      T1,
    );
    expect(dueEvents(state, sop, '2026-01-09T23:59:59.999Z')).toEqual([]);
    const step = tick(state, sop, '2026-01-10T00:00:00.000Z');
    expect(step.events.map((e) => e.type)).toEqual(['risk_overdue']);
    expect(step.events[0].data.alert).toMatchObject({
      type: 'deal.risk.overdue',
      deadline: '2026-01-10T00:00:00.000Z',
      stage: null,
      requestId: null,
      riskId: 'legal',
      level: null,
      occurrence: null,
    });
    expect(step.state.risks[0].overdue).toBe(true);
    expect(dueEvents(step.state, sop, LATER)).toEqual([]);
  });

  test('a risk resolved before dueBy never fires', () => {
    let state = act(
      open(sop),
      sop,
      { type: 'raise_risk', riskId: 'legal', summary: 'Legal review', dueBy: '2026-01-10T00:00:00.000Z' },
      T1,
    );
    state = act(state, sop, { type: 'resolve_risk', riskId: 'legal' }, T2);
    expect(dueEvents(state, sop, LATER)).toEqual([]);
  });

  test('a risk without dueBy never fires', () => {
    const state = act(open(sop), sop, { type: 'raise_risk', riskId: 'legal', summary: 'Legal review' }, T1);
    expect(dueEvents(state, sop, LATER)).toEqual([]);
  });
});

describe('alert ids', () => {
  const sop = slaSop({ escalations: [{ after: '1d', notify: ['manager'], repeatEvery: '1d' }] });

  test('the same inputs give the same id, whenever the step runs', () => {
    const state = open(sop);
    const a = dueEvents(state, sop, '2026-01-06T09:00:00.000Z')[0].data.alert.id;
    const b = dueEvents(state, sop, '2026-01-06T09:00:00.000Z')[0].data.alert.id;
    const late = dueEvents(open(sop), sop, '2026-01-06T12:00:00.000Z')[0].data.alert.id;
    expect(a).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(b).toBe(a);
    expect(late).toBe(a);
  });

  test('occurrences of one escalation have different ids', () => {
    const ids = dueEvents(open(sop), sop, '2026-01-08T09:00:00.000Z').map((e) => e.data.alert.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  test('another deal, or the same dealId created at another instant, gets other ids', () => {
    const first = dueEvents(open(sop), sop, '2026-01-06T09:00:00.000Z')[0].data.alert.id;
    const other = dueEvents(open(sop, makeOpening({ dealId: 'acme-2026-002' })), sop, '2026-01-06T09:00:00.000Z')[0].data.alert.id;
    const reused = dueEvents(open(sop, makeOpening(), '2026-01-05T09:00:00.001Z'), sop, '2026-01-06T09:00:00.001Z')[0].data.alert.id;
    expect(other).not.toBe(first);
    expect(reused).not.toBe(first);
  });

  test('the recorded alert keeps the id of the event', () => {
    const { state, events } = tick(open(sop), sop, '2026-01-06T09:00:00.000Z');
    expect(state.alerts.map((a) => a.id)).toEqual([events[0].data.alert.id]);
    expect(dealView(state, sop).escalations[0]).toMatchObject({
      id: events[0].data.alert.id,
      type: 'deal.escalated',
      level: 0,
      occurrence: 0,
    });
  });
});

describe('ids that are also Object.prototype names', () => {
  // `constructor` is a valid stage and deliverable id (^[a-z0-9][a-z0-9-]{0,62}$).
  const proto = makeSop({
    stages: [
      { id: 'constructor', name: 'Construction', deliverables: ['constructor'] },
      { id: 'contract', name: 'Contract' },
    ],
  });

  test("complete_stage needs a deliverable named 'constructor' to be submitted", () => {
    const result = attempt(open(proto), proto, { type: 'complete_stage', stage: 'constructor' }, T1);
    expect(isRejection(result) ? [result.code, result.details] : result.map((e) => e.type)).toEqual([
      'missing_deliverables',
      { missing: ['constructor'] },
    ]);
  });

  test("request_revision counts revisions of a stage named 'constructor' from 1", () => {
    const state = act(open(proto), proto, { type: 'request_revision', stage: 'constructor', reason: 'redo' }, T1);
    expect(state.revisions).toEqual({ constructor: 1 });
  });
});
