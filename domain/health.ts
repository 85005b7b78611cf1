import type { DealState, Health } from './deal-state';
import { worse } from './evolve';

/**
 * A deal's health: the worst of its current stage's SLA and its open requests' SLAs. The parts turn
 * yellow and red through the warning and breach events, so health holds still while a deal is paused.
 */
export function healthOf(state: DealState): Health | null {
  if (state.status !== 'open') return null;
  return state.requests
    .filter((request) => !request.answeredAt)
    .reduce<Health>((health, request) => worse(health, request.health), state.stage?.health ?? 'green');
}
