import { stageDeadlines } from './deadlines';
import type { DealEvent } from './deal-events';
import type { DealState, Instant } from './deal-state';
import { evaluateRule, explainRule, type DealFacts } from './rules';
import type { Sop } from './sop-schema';

/**
 * The events of moving a deal to the first stage at or after `fromIndex` that its fast-lane rules do
 * not skip: each skipped stage with the rule that fired, then the stage entered, or the deal won.
 */
export function advanceFrom(state: DealState, sop: Sop, fromIndex: number, at: Instant, actor: string): DealEvent[] {
  const facts: DealFacts = state;
  const events: DealEvent[] = [];
  for (const stage of sop.stages.slice(fromIndex)) {
    if (stage.skipWhen && evaluateRule(stage.skipWhen, facts)) {
      events.push({ type: 'stage_skipped', at, actor, data: { stage: stage.id, rule: explainRule(stage.skipWhen, facts) } });
      continue;
    }
    events.push({ type: 'stage_entered', at, actor, data: { stage: stage.id, ...stageDeadlines(stage, sop, at) } });
    return events;
  }
  events.push({ type: 'deal_won', at, actor, data: {} });
  return events;
}
