import type { DealEvent } from './deal-events';
import type { DealFact } from './deal-fact-schema';
import type { DealState } from './deal-state';
import { evolve } from './evolve';
import { initialState } from './open-deal';
import { cadenceCursorAt } from './deadlines';
import { TOUCHES } from './evolve';
import type { Sop } from './sop-schema';
import { NO_VISIT, trackVisit, visitNow, visitTime, type StageVisit } from './stage-visit';

export type { DealFact };
export type DealFactKind = DealFact['kind'];

type FactBody = DealFact extends infer F ? (F extends DealFact ? Omit<F, 'id' | 'dealId' | 'at'> : never) : never;

/**
 * The facts `event`, at `index` in the deal's timeline, adds, given `before`, the state it applied
 * to, and `visit`, the stage visit in progress before it. The event's place in the timeline makes
 * every fact id stable across retries and continue-as-new.
 */
export function factsOf(event: DealEvent, index: number, before: DealState, visit: StageVisit | null, sop: Sop): DealFact[] {
  const dealId = before.dealId;
  return factBodies(event, before, visit, sop).map(
    (body, n) => ({ ...body, id: `${dealId}#${index}.${n}`, dealId, at: event.at }) as DealFact,
  );
}

/** Every fact of a whole timeline, as the deal produced them one event at a time. */
export function timelineFacts(events: readonly DealEvent[], sop: Sop): DealFact[] {
  const created = events[0];
  if (created?.type !== 'deal_created') return [];
  let state = initialState(created.data, sop, created.at);
  let visits = NO_VISIT;
  const facts: DealFact[] = [];
  events.forEach((event, index) => {
    facts.push(...factsOf(event, index, state, visitNow(visits), sop));
    state = evolve(state, event);
    visits = trackVisit(visits, event);
  });
  return facts;
}

function factBodies(event: DealEvent, before: DealState, visit: StageVisit | null, sop: Sop): FactBody[] {
  // Worked again, or left, while flagged idle: the idle spell ends.
  const idleEnds =
    before.stage && (before.stage.idleFired ?? 0) > 0 && (TOUCHES.has(event.type) || ENDS_STAGE.has(event.type))
      ? [{ kind: 'idle_ended' as const, stage: before.stage.id }]
      : [];
  return [...idleEnds, ...protocolFacts(event, before), ...eventFacts(event, before, visit, sop)];
}

/** The response protocol's facts (v2.4). */
function protocolFacts(event: DealEvent, before: DealState): FactBody[] {
  switch (event.type) {
    case 'deal_idle':
      return event.data.occurrence === 0 ? [{ kind: 'idle_started', stage: event.data.stage }] : [];
    case 'delay_explained':
    case 'plan_submitted': {
      const response = before.stage?.response;
      if (!response) return [];
      return [
        {
          kind: 'response_given',
          stage: event.data.stage,
          require: response.require,
          ms: Math.max(0, Date.parse(event.at) - Date.parse(response.from)),
        },
      ];
    }
    case 'task_overdue':
      return [{ kind: 'task_overdue' }];
    default:
      return [];
  }
}

const ENDS_STAGE = new Set<DealEvent['type']>(['stage_completed', 'stage_moved', 'deal_lost', 'deal_won']);

function eventFacts(event: DealEvent, before: DealState, visit: StageVisit | null, sop: Sop): FactBody[] {
  switch (event.type) {
    case 'deal_created':
      return [{ kind: 'deal_opened' }];
    case 'stage_entered':
      return [{ kind: 'stage_entered', stage: event.data.stage }];
    case 'stage_skipped':
      return [{ kind: 'stage_skipped', stage: event.data.stage }];
    case 'sla_warning':
      return [{ kind: 'stage_warned', stage: event.data.stage }];
    case 'sla_breached':
      return [{ kind: 'stage_breached', stage: event.data.stage }];
    case 'escalation_fired':
      return [{ kind: 'escalated', stage: event.data.stage }];
    case 'risk_raised':
      return [{ kind: 'risk_opened', summary: event.data.summary }];
    case 'risk_resolved': {
      const risk = before.risks.find((r) => r.riskId === event.data.riskId && !r.resolvedAt);
      return risk ? [{ kind: 'risk_closed', summary: risk.summary }] : [];
    }
    case 'stage_completed':
      return stageLeft(event, 'completed', visit, sop, before);
    case 'stage_moved':
      return stageLeft(event, 'moved', visit, sop, before);
    case 'sop_migrated':
      return event.data.fromStage === event.data.toStage
        ? []
        : [...stageLeft(event, 'moved', visit, sop, before), { kind: 'stage_entered', stage: event.data.toStage }];
    case 'deal_reopened':
      return [
        {
          kind: 'deal_reopened',
          stage: event.data.stage,
          reason: before.lostReason,
          revisions: revisionsByStage(before),
          ...(before.closedAt && { lostAt: before.closedAt }),
        },
        ...before.risks.filter((r) => !r.resolvedAt).map((r): FactBody => ({ kind: 'risk_opened', summary: r.summary })),
      ];
    case 'deal_won':
    case 'deal_lost':
      return [
        ...(event.type === 'deal_lost' ? stageLeft(event, 'lost', visit, sop, before) : []),
        ...before.risks.filter((r) => !r.resolvedAt).map((r): FactBody => ({ kind: 'risk_closed', summary: r.summary })),
        {
          kind: 'deal_closed',
          outcome: event.type === 'deal_won' ? 'won' : 'lost',
          reason: event.type === 'deal_lost' ? event.data.reason : null,
          revisions: revisionsByStage(before),
        },
      ];
    default:
      return [];
  }
}

function stageLeft(
  event: DealEvent,
  exit: 'completed' | 'lost' | 'moved',
  visit: StageVisit | null,
  sop: Sop,
  before: DealState,
): FactBody[] {
  if (!visit) return [];
  const { wallMs, workingMs } = visitTime(visit, event.at, sop.calendar);
  const run = before.stage;
  const stage = sop.stages.find((s) => s.id === visit.stage);
  const protocol = {
    ...(stage?.idleAfter && { wentIdle: run?.wentIdle === true }),
    ...(stage?.cadence && {
      // The periods that ended in the visit (the partial last one is not judged).
      cadencePeriods: stage.cadence.reduce(
        (sum, rule) => sum + cadenceCursorAt({ index: 0, start: visit.enteredAt }, rule.per, sop.calendar, Date.parse(event.at)).index,
        0,
      ),
      cadenceMissed: run?.cadenceMissed ?? 0,
    }),
  };
  return [{ kind: 'stage_left', stage: visit.stage, exit, wallMs, workingMs, warned: visit.warned, breached: visit.breached, ...protocol }];
}

function revisionsByStage(state: DealState): Record<string, number> {
  const worked = [...state.history.map((h) => h.stage), ...(state.stage ? [state.stage.id] : [])];
  return Object.fromEntries(worked.map((stage) => [stage, Object.hasOwn(state.revisions, stage) ? state.revisions[stage] : 0]));
}
