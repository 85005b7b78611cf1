import { advanceFrom } from './advance';
import type { Action } from './action-schema';
import { requestDeadlines, resumedDeadlines, stageDeadlines } from './deadlines';
import type { DealEvent } from './deal-events';
import type { Actor } from './deal-schema';
import type { DealState, Instant } from './deal-state';
import { DAY } from './duration';
import { canAct, canReassign } from './permissions';
import { reject, type Rejection } from './rejection';
import type { Playbook, Sop } from './sop-schema';
import { recipientsOf } from './alerts';
import { clockFor } from './clock';

export interface DecideContext {
  readonly now: Instant;
  readonly actor: Actor;
  readonly sop: Sop;
  /** How long after `mark_lost` a deal may be reopened (`REOPEN_WINDOW`); default `DEFAULT_REOPEN_WINDOW_MS`. */
  readonly reopenWindowMs?: number;
}

/** `REOPEN_WINDOW`'s default: 30 days. */
export const DEFAULT_REOPEN_WINDOW_MS = 30 * DAY;

/** Until when a lost deal may be reopened, or null for a deal that is not lost. */
export function reopenableUntil(state: DealState, windowMs = DEFAULT_REOPEN_WINDOW_MS): Instant | null {
  if (state.status !== 'lost' || !state.closedAt) return null;
  return new Date(Date.parse(state.closedAt) + windowMs).toISOString();
}

/**
 * Is this action allowed now, and what happened? The update validator, the workflow and the tests
 * all ask here, so the API's answer and the deal's behaviour cannot disagree.
 */
export function decide(state: DealState, action: Action, ctx: DecideContext): DealEvent[] | Rejection {
  if (!canAct(ctx.actor, state.owner)) {
    return reject('forbidden', `A ${ctx.actor.role} may not act on this deal.`);
  }
  const at = ctx.now;
  const actor = ctx.actor.subject;
  const event = <E extends DealEvent>(type: E['type'], data: E['data']): DealEvent => ({ type, at, actor, data }) as DealEvent;
  if (action.type === 'reopen') return reopen(state, action.reason, ctx);
  if (state.status !== 'open') {
    return reject('deal_closed', `Deal ${state.dealId} is ${state.status}; it takes no more actions.`);
  }

  switch (action.type) {
    case 'submit_deliverable': {
      const problem = checkCurrentStage(state, ctx.sop, action.stage);
      if (problem) return problem;
      const stage = ctx.sop.stages.find((s) => s.id === action.stage);
      if (!stage?.deliverables.includes(action.deliverable)) {
        return reject('unknown_deliverable', `Stage "${action.stage}" does not require a deliverable "${action.deliverable}".`, {
          required: stage?.deliverables ?? [],
        });
      }
      return [event('deliverable_submitted', { stage: action.stage, deliverable: action.deliverable, ref: action.ref ?? null })];
    }
    case 'complete_stage': {
      const problem = checkCurrentStage(state, ctx.sop, action.stage);
      if (problem) return problem;
      const index = ctx.sop.stages.findIndex((s) => s.id === action.stage);
      const submitted = state.stage?.submitted ?? {};
      const missing = ctx.sop.stages[index].deliverables.filter((d) => !Object.hasOwn(submitted, d));
      if (missing.length > 0) {
        return reject('missing_deliverables', `Stage "${action.stage}" still needs: ${missing.join(', ')}.`, { missing });
      }
      return completion(state, ctx.sop, action.stage, action.note ?? null, at, actor);
    }
    case 'log_activity':
      return [event('activity_logged', { kind: action.kind, note: action.note ?? null })];
    case 'open_request': {
      if (state.requests.some((r) => r.requestId === action.requestId && !r.answeredAt)) {
        return reject('request_exists', `Request "${action.requestId}" is already open.`);
      }
      return [event('request_opened', { requestId: action.requestId, summary: action.summary ?? null, ...requestDeadlines(ctx.sop, at) })];
    }
    case 'answer_request': {
      if (!state.requests.some((r) => r.requestId === action.requestId && !r.answeredAt)) {
        return reject('unknown_request', `No open request "${action.requestId}" on this deal.`);
      }
      return [event('request_answered', { requestId: action.requestId, note: action.note ?? null })];
    }
    case 'request_revision': {
      if (!ctx.sop.stages.some((s) => s.id === action.stage)) return unknownStage(action.stage, ctx.sop);
      const reached = state.stage?.id === action.stage || state.history.some((h) => h.stage === action.stage);
      if (!reached) return reject('wrong_stage', `Stage "${action.stage}" has not been worked on yet; nothing to revise.`);
      const revision = (Object.hasOwn(state.revisions, action.stage) ? state.revisions[action.stage] : 0) + 1;
      return [event('revision_requested', { stage: action.stage, reason: action.reason, revision })];
    }
    case 'pause':
      if (state.paused) return reject('already_paused', `The deal is already paused since ${state.paused.since}.`);
      return [event('paused', { reason: action.reason })];
    case 'resume': {
      if (!state.paused) return reject('not_paused', 'The deal is not paused.');
      const pausedMs = Date.parse(at) - Date.parse(state.paused.since);
      return [event('resumed', { pausedMs, ...resumedDeadlines(state, ctx.sop, at) })];
    }
    case 'reassign':
      if (!canReassign(ctx.actor)) return reject('forbidden', `A ${ctx.actor.role} may not reassign deals.`);
      return [event('reassigned', { from: state.owner, to: action.owner })];
    case 'update_deal':
      return [
        event('deal_updated', {
          ...(action.amount !== undefined && { amount: action.amount }),
          ...(action.customer && { customer: { ...state.customer, ...action.customer } }),
          ...(action.team && { team: { ...state.team, ...action.team } }),
          ...(action.attributes && { attributes: { ...state.attributes, ...action.attributes } }),
        }),
      ];
    case 'raise_risk': {
      if (state.risks.some((r) => r.riskId === action.riskId && !r.resolvedAt)) {
        return reject('risk_exists', `Risk "${action.riskId}" is already open.`);
      }
      const dueBy = action.dueBy ? new Date(action.dueBy).toISOString() : null;
      const raised = { riskId: action.riskId, summary: action.summary, owner: action.owner ?? state.owner, dueBy };
      if (action.playbook === undefined) return [event('risk_raised', raised)];
      const playbook =
        ctx.sop.riskPlaybooks && Object.hasOwn(ctx.sop.riskPlaybooks, action.playbook) ? ctx.sop.riskPlaybooks[action.playbook] : null;
      if (!playbook) {
        return reject('unknown_playbook', `SOP ${ctx.sop.id} v${ctx.sop.version} has no risk playbook "${action.playbook}".`, {
          playbooks: Object.keys(ctx.sop.riskPlaybooks ?? {}),
        });
      }
      return [event('risk_raised', { ...raised, playbook: action.playbook, tasks: playbookTasks(state, ctx.sop, playbook, at) })];
    }
    case 'complete_task': {
      const risk = state.risks.find((r) => r.riskId === action.riskId && !r.resolvedAt);
      if (!risk) return reject('unknown_risk', `No open risk "${action.riskId}" on this deal.`);
      const task = risk.tasks?.find((t) => t.taskId === action.taskId);
      if (!task) {
        return reject('unknown_task', `Risk "${action.riskId}" has no task "${action.taskId}".`, {
          tasks: (risk.tasks ?? []).map((t) => t.taskId),
        });
      }
      if (task.doneAt) return reject('task_done', `Task "${action.taskId}" of risk "${action.riskId}" was completed at ${task.doneAt}.`);
      return [event('task_completed', { riskId: action.riskId, taskId: action.taskId, note: action.note ?? null })];
    }
    case 'resolve_risk':
      if (!state.risks.some((r) => r.riskId === action.riskId && !r.resolvedAt)) {
        return reject('unknown_risk', `No open risk "${action.riskId}" on this deal.`);
      }
      return [event('risk_resolved', { riskId: action.riskId, note: action.note ?? null })];
    case 'explain_delay':
    case 'submit_plan': {
      const wanted = action.type === 'explain_delay' ? 'cause' : 'plan';
      const response = state.stage?.response;
      if (!state.stage || !response || response.answeredAt || response.require !== wanted) {
        const asked = response && !response.answeredAt ? `; it asks for a ${response.require}` : '';
        return reject('no_response_due', `Stage "${state.stage?.id ?? 'none'}" asks for no ${wanted} now${asked}.`);
      }
      if (action.type === 'explain_delay') return [event('delay_explained', { stage: state.stage.id, cause: action.cause })];
      const dueBy = action.dueBy ? new Date(action.dueBy).toISOString() : null;
      return [event('plan_submitted', { stage: state.stage.id, summary: action.summary, owner: action.owner ?? state.owner, dueBy })];
    }
    case 'mark_lost':
      return [event('deal_lost', { reason: action.reason })];
    case 'move_to_stage': {
      if (!canReassign(ctx.actor)) return reject('forbidden', `A ${ctx.actor.role} may not move deals between stages.`);
      const stage = ctx.sop.stages.find((s) => s.id === action.stage);
      if (!stage) return unknownStage(action.stage, ctx.sop);
      return [
        event('stage_moved', { from: state.stage?.id ?? null, to: stage.id, reason: action.reason }),
        event('stage_entered', { stage: stage.id, restarted: true, ...stageDeadlines(stage, ctx.sop, at) }),
      ];
    }
  }
}

/** A playbook's steps as a risk's tasks: each owned by whoever holds its role on the deal, due `dueIn` after now. */
function playbookTasks(state: DealState, sop: Sop, playbook: Playbook, at: Instant) {
  const clock = clockFor('continuous', sop.calendar);
  return playbook.steps.map((step) => ({
    taskId: step.id,
    summary: step.summary,
    role: step.owner,
    owner: recipientsOf(state, [step.owner])[0].subject,
    dueBy: new Date(clock.add(Date.parse(at), step.dueIn)).toISOString(),
  }));
}

/** The events of completing `stage`, the current one, whatever it still lacks: completed, then the deal moves on. */
export function completion(state: DealState, sop: Sop, stage: string, note: string | null, at: Instant, actor: string): DealEvent[] {
  const index = sop.stages.findIndex((s) => s.id === stage);
  return [{ type: 'stage_completed', at, actor, data: { stage, note } }, ...advanceFrom(state, sop, index + 1, at, actor)];
}

/** A lost deal opens again, within the window, in the stage it was lost in, every clock afresh. */
function reopen(state: DealState, reason: string, ctx: DecideContext): DealEvent[] | Rejection {
  if (!canReassign(ctx.actor)) return reject('forbidden', `A ${ctx.actor.role} may not reopen deals.`);
  const until = reopenableUntil(state, ctx.reopenWindowMs);
  if (until === null) return reject('deal_closed', `Deal ${state.dealId} is ${state.status}; only a lost deal can be reopened.`);
  if (ctx.now > until)
    return reject('deal_closed', `Deal ${state.dealId} was lost at ${state.closedAt}; it could be reopened until ${until}.`);
  const stage = ctx.sop.stages.find((s) => s.id === state.stage?.id);
  if (!stage) return reject('deal_closed', `Deal ${state.dealId} was lost outside any stage of its SOP; it cannot be reopened.`);
  const at = ctx.now;
  const actor = ctx.actor.subject;
  const requests = state.requests
    .filter((request) => !request.answeredAt)
    .map((request) => ({ requestId: request.requestId, ...requestDeadlines(ctx.sop, at) }));
  return [
    { type: 'deal_reopened', at, actor, data: { reason, stage: stage.id, requests } },
    { type: 'stage_entered', at, actor, data: { stage: stage.id, restarted: true, ...stageDeadlines(stage, ctx.sop, at) } },
  ];
}

function unknownStage(stage: string, sop: Sop): Rejection {
  return reject('unknown_stage', `SOP ${sop.id} v${sop.version} has no stage "${stage}".`, { stages: sop.stages.map((s) => s.id) });
}

function checkCurrentStage(state: DealState, sop: Sop, stage: string): Rejection | null {
  if (!sop.stages.some((s) => s.id === stage)) return unknownStage(stage, sop);
  if (state.stage?.id !== stage) {
    return reject('wrong_stage', `Stage "${stage}" is not the current stage; the deal is at "${state.stage?.id ?? 'none'}".`, {
      currentStage: state.stage?.id ?? null,
    });
  }
  return null;
}
