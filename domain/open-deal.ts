import { advanceFrom } from './advance';
import type { DealEvent } from './deal-events';
import type { Actor, OpenDeal } from './deal-schema';
import type { DealState, Instant } from './deal-state';
import { evolve } from './evolve';
import type { Sop } from './sop-schema';

/** What a deal workflow starts from: the caller's facts with the owner settled. */
export type DealOpening = Omit<OpenDeal, 'sopId' | 'sopVersion' | 'owner'> & { owner: string };

/** The state of a deal before its first event. */
export function initialState(opening: DealOpening, sop: Sop, at: Instant): DealState {
  return {
    dealId: opening.dealId,
    status: 'open',
    sop: { id: sop.id, version: sop.version },
    owner: opening.owner,
    team: opening.team ?? {},
    customer: opening.customer,
    amount: opening.amount,
    currency: opening.currency,
    attributes: opening.attributes ?? {},
    createdAt: at,
    closedAt: null,
    lostReason: null,
    paused: null,
    stage: null,
    history: [],
    skipped: [],
    requests: [],
    risks: [],
    revisions: {},
    alerts: [],
  };
}

/** Opens a deal: its creation event, then the stages its fast lane skips and the first one it enters. */
export function openDeal(opening: DealOpening, sop: Sop, actor: Actor, at: Instant): { state: DealState; events: DealEvent[] } {
  const empty = initialState(opening, sop, at);
  const created: DealEvent = {
    type: 'deal_created',
    at,
    actor: actor.subject,
    data: {
      dealId: empty.dealId,
      sop: empty.sop,
      owner: empty.owner,
      team: { ...empty.team },
      customer: empty.customer,
      amount: empty.amount,
      currency: empty.currency,
      attributes: empty.attributes,
    },
  };
  const events = [created, ...advanceFrom(empty, sop, 0, at, actor.subject)];
  return { state: events.reduce(evolve, empty), events };
}
