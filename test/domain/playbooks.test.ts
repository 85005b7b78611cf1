import {
  checkSop,
  dealView,
  explainDeal,
  isRejection,
  recordedDeal,
  reproduces,
  simulateDeal,
  visitNow,
  type AlertPayload,
  type DealEvent,
  type Sop,
  type SopInput,
} from '../../domain';
import { makeOpening, makeSop } from '../helpers/fixtures';
import { PureDeal, T0, at, HOUR } from '../helpers/pure-deal';

// T0 is Monday 2026-01-05 09:00 UTC. The deal's team: manager mia, director dora; owner alice.
const playbooks: SopInput['riskPlaybooks'] = {
  'decision-maker-change': {
    name: 'Decision-maker changed',
    steps: [
      { id: 'map-new-dm', summary: 'Map the new decision-maker and their priorities', owner: 'owner', dueIn: '2d' },
      { id: 'exec-call', summary: 'Executive call with the new decision-maker', owner: 'director', dueIn: '5d' },
      { id: 'legal-review', summary: 'Legal reviews the changed signatory', owner: 'legal', dueIn: '7d' },
    ],
  },
};
const sop: Sop = makeSop({ riskPlaybooks: playbooks });
const code = (outcome: unknown) => (isRejection(outcome as never) ? (outcome as { code: string }).code : 'accepted');
const raise = { type: 'raise_risk', riskId: 'dm', summary: 'The CIO left', playbook: 'decision-maker-change' } as const;

describe('risk playbooks', () => {
  test("raising a risk with a playbook gives it the playbook's steps as tasks, owned by whoever holds each role", () => {
    const deal = new PureDeal(sop);
    deal.act(raise, at(HOUR));
    const risk = dealView(deal.state, sop).risks[0];
    expect(risk).toMatchObject({ riskId: 'dm', playbook: 'decision-maker-change' });
    expect(risk.tasks).toEqual([
      {
        taskId: 'map-new-dm',
        summary: 'Map the new decision-maker and their priorities',
        owner: 'alice',
        role: 'owner',
        dueBy: at(HOUR + 48 * HOUR),
        doneAt: null,
        overdue: false,
      },
      {
        taskId: 'exec-call',
        summary: 'Executive call with the new decision-maker',
        owner: 'dora',
        role: 'director',
        dueBy: at(HOUR + 120 * HOUR),
        doneAt: null,
        overdue: false,
      },
      // Nobody on this deal holds "legal": the task is there, its owner null.
      {
        taskId: 'legal-review',
        summary: 'Legal reviews the changed signatory',
        owner: null,
        role: 'legal',
        dueBy: at(HOUR + 168 * HOUR),
        doneAt: null,
        overdue: false,
      },
    ]);
  });

  test('an unknown playbook is refused; a risk without one has no tasks, as before', () => {
    const deal = new PureDeal(sop);
    expect(code(deal.attempt({ ...raise, playbook: 'no-such-playbook' }, at(HOUR)))).toBe('unknown_playbook');
    expect(code(deal.attempt({ ...raise, playbook: 'decision-maker-change' }, at(HOUR)))).toBe('accepted');
    deal.act({ type: 'raise_risk', riskId: 'price', summary: 'Competitor cut prices' }, at(HOUR));
    expect(dealView(deal.state, sop).risks[0]).toMatchObject({ playbook: null, tasks: [] });
    expect(deal.events.at(-1)?.data).toEqual({ riskId: 'price', summary: 'Competitor cut prices', owner: 'alice', dueBy: null });
  });

  test('complete_task: done once; an unknown task or risk is refused', () => {
    const deal = new PureDeal(sop);
    deal.act(raise, at(HOUR));
    deal.act({ type: 'complete_task', riskId: 'dm', taskId: 'map-new-dm', note: 'New CIO is Chen' }, at(2 * HOUR));
    expect(dealView(deal.state, sop).risks[0].tasks[0]).toMatchObject({ doneAt: at(2 * HOUR) });
    expect(code(deal.attempt({ type: 'complete_task', riskId: 'dm', taskId: 'map-new-dm' }, at(3 * HOUR)))).toBe('task_done');
    expect(code(deal.attempt({ type: 'complete_task', riskId: 'dm', taskId: 'no-such-task' }, at(3 * HOUR)))).toBe('unknown_task');
    expect(code(deal.attempt({ type: 'complete_task', riskId: 'other', taskId: 'exec-call' }, at(3 * HOUR)))).toBe('unknown_risk');
  });

  test('a task not done by its due date fires deal.task.overdue once, to its role and the owner; a done one never', () => {
    const deal = new PureDeal(sop);
    deal.act(raise, at(0));
    deal.act({ type: 'complete_task', riskId: 'dm', taskId: 'map-new-dm' }, at(HOUR));
    const fired = deal.tick(at(200 * HOUR));
    const payloads = fired.map((event) => (event.data as { alert: AlertPayload }).alert);
    expect(payloads.map((alert) => [alert.type, alert.taskId, alert.deadline, alert.notify])).toEqual([
      ['deal.task.overdue', 'exec-call', at(120 * HOUR), ['director', 'owner']],
      ['deal.task.overdue', 'legal-review', at(168 * HOUR), ['legal', 'owner']],
    ]);
    expect(payloads[0]).toMatchObject({
      riskId: 'dm',
      recipients: [
        { role: 'director', subject: 'dora' },
        { role: 'owner', subject: 'alice' },
      ],
    });
    expect(new Set(payloads.map((alert) => alert.id)).size).toBe(2);
    expect(dealView(deal.state, sop).risks[0].tasks.map((task) => task.overdue)).toEqual([false, true, true]);
    expect(deal.tick(at(400 * HOUR))).toEqual([]);
  });

  test("a pause stops the tasks' clocks: each falls due later by the time it took", () => {
    const deal = new PureDeal(sop);
    deal.act(raise, at(0));
    deal.act({ type: 'pause', reason: 'customer restructuring' }, at(10 * HOUR));
    // Paused past the first task's due date: nothing fires while paused.
    expect(deal.tick(at(60 * HOUR))).toEqual([]);
    deal.act({ type: 'resume' }, at(70 * HOUR));
    expect(dealView(deal.state, sop).risks[0].tasks.map((task) => task.dueBy)).toEqual([at(108 * HOUR), at(180 * HOUR), at(228 * HOUR)]);
    const explained = explainDeal(deal.state, sop, visitNow(deal.visits), []).deadlines.find((d) => d.taskId === 'map-new-dm');
    expect(explained).toMatchObject({
      kind: 'task.due',
      riskId: 'dm',
      at: at(108 * HOUR),
      rule: 'riskPlaybooks.decision-maker-change.steps[0].dueIn = 2d continuous',
      from: T0,
      pausedMs: 60 * HOUR,
    });
    expect(explained?.steps.at(-1)).toMatch(/; 2d of 2d\), due at 21:00/);
  });

  test('a resolved risk fires no task alert', () => {
    const deal = new PureDeal(sop);
    deal.act(raise, at(0));
    deal.act({ type: 'resolve_risk', riskId: 'dm' }, at(HOUR));
    expect(deal.tick(at(400 * HOUR))).toEqual([]);
  });

  test('the simulator replays playbooks and tasks: the alerts it fires are the ones the deal fired', () => {
    const deal = new PureDeal(sop, T0, makeOpening());
    deal.act(raise, at(0));
    deal.act({ type: 'complete_task', riskId: 'dm', taskId: 'exec-call' }, at(HOUR));
    deal.act({ type: 'pause', reason: 'x' }, at(2 * HOUR));
    deal.act({ type: 'resume' }, at(5 * HOUR));
    deal.tick(at(300 * HOUR));
    const recorded = recordedDeal(deal.events as DealEvent[]);
    expect(recorded.alerts.map((alert) => alert.taskId)).toEqual(['map-new-dm', 'legal-review']);
    expect(reproduces(recorded, simulateDeal(recorded, { own: () => sop }, at(300 * HOUR)))).toBe(true);
  });
});

describe('playbooks in the SOP', () => {
  test('lint: a step id twice, a zero dueIn and a step owner that is no role are refused with their paths', () => {
    const checked = checkSop({
      ...makeSop(),
      riskPlaybooks: {
        'price-cut': {
          name: 'Competitor price cut',
          steps: [
            { id: 'value-story', summary: 'Rebuild the value story', owner: 'owner', dueIn: '0d' },
            { id: 'value-story', summary: 'Again', owner: 'Sales Director', dueIn: '1d' },
          ],
        },
        Bad_Id: { name: 'x', steps: [] },
      },
    });
    expect(checked.ok).toBe(false);
    const paths = checked.ok ? [] : checked.problems.map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'riskPlaybooks.price-cut.steps.0.dueIn',
        'riskPlaybooks.price-cut.steps.1.id',
        'riskPlaybooks.price-cut.steps.1.owner',
        'riskPlaybooks.Bad_Id',
      ]),
    );
  });

  test('an SOP without playbooks parses to exactly what it was: published versions keep their content', () => {
    const checked = checkSop({ id: 'plain', version: 1, name: 'Plain', stages: [{ id: 'a', name: 'A' }] });
    expect(checked.ok && 'riskPlaybooks' in checked.sop).toBe(false);
  });
});
