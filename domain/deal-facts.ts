import type { DealEvent } from './deal-events';
import type { DealFact } from './deal-fact-schema';
import type { DealState } from './deal-state';
import { evolve } from './evolve';
import { initialState } from './open-deal';
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
      return stageLeft(event, 'completed', visit, sop);
    case 'stage_moved':
      return stageLeft(event, 'moved', visit, sop);
    case 'sop_migrated':
      return event.data.fromStage === event.data.toStage
        ? []
        : [...stageLeft(event, 'moved', visit, sop), { kind: 'stage_entered', stage: event.data.toStage }];
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
        ...(event.type === 'deal_lost' ? stageLeft(event, 'lost', visit, sop) : []),
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

function stageLeft(event: DealEvent, exit: 'completed' | 'lost' | 'moved', visit: StageVisit | null, sop: Sop): FactBody[] {
  if (!visit) return [];
  const { wallMs, workingMs } = visitTime(visit, event.at, sop.calendar);
  return [{ kind: 'stage_left', stage: visit.stage, exit, wallMs, workingMs, warned: visit.warned, breached: visit.breached }];
}

function revisionsByStage(state: DealState): Record<string, number> {
  const worked = [...state.history.map((h) => h.stage), ...(state.stage ? [state.stage.id] : [])];
  return Object.fromEntries(worked.map((stage) => [stage, Object.hasOwn(state.revisions, stage) ? state.revisions[stage] : 0]));
}
