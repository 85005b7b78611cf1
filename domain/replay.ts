import type { DealEvent } from './deal-events';
import type { DealState } from './deal-state';
import { evolve } from './evolve';
import { initialState } from './open-deal';
import type { Sop } from './sop-schema';

/** The deal's state after the first `count` events of its timeline (all of them by default). */
export function replayDeal(events: readonly DealEvent[], sop: Sop, count = events.length): DealState {
  const created = events[0];
  if (created?.type !== 'deal_created') throw new Error('A deal timeline starts with deal_created');
  return events.slice(0, count).reduce(evolve, initialState(created.data, sop, created.at));
}
