import { openDeal, type Actor, type DealView, type OpenDeal, type Sop } from '../domain';
import { startVisibility } from '../workflows/deal-listing';
import {
  actUpdate,
  DEAL_WORKFLOW,
  dealWorkflowId,
  DEFAULT_TASK_QUEUE,
  getSopQuery,
  SOP_REGISTRY_ID,
  stateQuery,
} from '../workflows/messages';
import { ADMIN, type Bench } from './setup';

export const PLAIN_SOP = 'bench-plain';
const ACTOR: Actor = { subject: ADMIN.subject, role: ADMIN.role };
const ACTION = { type: 'log_activity', kind: 'call' } as const;

/** A stage with no SLA: deals that start and wait, with no timer and no webhook. */
export const plainSop = {
  id: PLAIN_SOP,
  version: 1,
  name: 'Bench: no SLA',
  stages: [
    { id: 'work', name: 'Working' },
    { id: 'close', name: 'Closing' },
  ],
};

export function dealBody(dealId: string, sopId = PLAIN_SOP, sopVersion?: number): Record<string, unknown> {
  return {
    dealId,
    sopId,
    ...(sopVersion !== undefined && { sopVersion }),
    customer: { name: 'ACME', tier: 'B' },
    amount: 1_200_000,
    currency: 'CNY',
    team: { manager: 'mia' },
  };
}

export async function publish(bench: Bench, sop: unknown): Promise<void> {
  await bench.api.call('POST', '/v1/sops', sop);
}

/** The SOP snapshot a raw start carries, read once (the API reads it from the registry per start). */
export async function sopSnapshot(bench: Bench, id: string, version?: number): Promise<Sop> {
  const sop = await bench.client.workflow.getHandle(SOP_REGISTRY_ID).query(getSopQuery, id, version);
  if (!sop) throw new Error(`SOP ${id} is not published`);
  return sop;
}

/**
 * `client.workflow.start` of a deal exactly as `DealService.open()` builds it (the same input, memo
 * and search attributes), without the API: no auth, validation, SOP lookup or HTTP.
 */
export async function rawStart(bench: Bench, sop: Sop, dealId: string): Promise<void> {
  const { sopId: _sopId, sopVersion: _sopVersion, ...facts } = dealBody(dealId) as unknown as OpenDeal;
  const opening = { ...facts, owner: ACTOR.subject };
  const openedAt = new Date().toISOString();
  const opened = openDeal(opening, sop, ACTOR, openedAt);
  await bench.client.workflow.start(DEAL_WORKFLOW, {
    workflowId: dealWorkflowId(dealId),
    taskQueue: DEFAULT_TASK_QUEUE,
    args: [{ opening, sop, openedBy: ACTOR, openedAt }],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    ...startVisibility(opened.state, sop, opened.events),
  });
}

export function apiStart(bench: Bench, dealId: string, sopId = PLAIN_SOP, sopVersion?: number): Promise<DealView> {
  return bench.api.call<DealView>('POST', '/v1/deals', dealBody(dealId, sopId, sopVersion));
}

export async function rawAct(bench: Bench, dealId: string): Promise<void> {
  await bench.client.workflow.getHandle(dealWorkflowId(dealId)).executeUpdate(actUpdate, { args: [{ action: ACTION, actor: ACTOR }] });
}

export async function apiAct(bench: Bench, dealId: string): Promise<void> {
  await bench.api.call('POST', `/v1/deals/${dealId}/actions`, ACTION);
}

export async function rawRead(bench: Bench, dealId: string): Promise<void> {
  await bench.client.workflow.getHandle(dealWorkflowId(dealId)).query(stateQuery);
}

export async function apiRead(bench: Bench, dealId: string): Promise<void> {
  await bench.api.call('GET', `/v1/deals/${dealId}`);
}
