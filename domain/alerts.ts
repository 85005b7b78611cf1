import type { DealEvent } from './deal-events';
import type { AlertPayload, AlertType, CadenceCursor, CadenceMiss, DealState, Instant, Recipient } from './deal-state';
import { reject, type Rejection } from './rejection';
import { healthOf } from './health';
import type { Sop } from './sop-schema';
import { stableDigest } from './stable-id';
import { notifyPath } from './notify-path';

/** What fired: the facts that name one alert, the same on every retry and every worker. */
export interface AlertSubject {
  readonly type: AlertType;
  readonly deadline: Instant;
  readonly stage: string | null;
  readonly requestId: string | null;
  readonly riskId: string | null;
  readonly level: number | null;
  readonly occurrence: number | null;
  readonly notify: readonly string[];
  /** A risk's task (`deal.task.overdue`); absent for every other alert. */
  readonly taskId?: string | null;
  /** The cadence rule and period that fell short (`deal.cadence.missed`), and where judging goes on. */
  readonly cadence?: { readonly rule: number; readonly miss: CadenceMiss; readonly next: CadenceCursor };
}

/** The person who fills a role on this deal: the owner, or the deal's team. */
function holderOf(state: DealState, role: string): string | null {
  return role === 'owner' ? state.owner : Object.prototype.hasOwnProperty.call(state.team, role) ? state.team[role] : null;
}

/**
 * Resolves each `notify` entry on this deal. A role is its holder; a path up the line
 * (`manager.manager`) starts from the role's holder, named in `via`, and climbs through the people
 * directory when the alert is sent (`addressed` in `people.ts`): its subject is null until then.
 */
export function recipientsOf(state: DealState, roles: readonly string[]): Recipient[] {
  return [...new Set(roles)].map((entry) => {
    const { role, ups } = notifyPath(entry);
    if (ups === 0) return { role, subject: holderOf(state, role) };
    const start = holderOf(state, role);
    return { role: entry, subject: null, via: start === null ? [] : [start] };
  });
}

/**
 * The webhook id of an alert. Requests and risks may reuse an id once closed, so their opening
 * instant is part of the key; the deal's creation instant separates deals that reuse a dealId; a
 * stage entered again by a move, and a reopened deal, add their entry and reopening.
 */
export function alertId(state: DealState, subject: AlertSubject): string {
  const request = state.requests.find((r) => r.requestId === subject.requestId && !r.answeredAt);
  const risk = state.risks.find((r) => r.riskId === subject.riskId && !r.resolvedAt);
  const key = [
    state.dealId,
    state.createdAt,
    subject.type,
    subject.stage ?? '',
    subject.requestId ?? '',
    request?.openedAt ?? '',
    subject.riskId ?? '',
    risk?.raisedAt ?? '',
    subject.level ?? '',
    subject.occurrence ?? '',
    // Only a task's alert names its task, so every other alert keeps the id it always had.
    ...(subject.taskId ? [`task:${subject.taskId}`] : []),
    ...(subject.cadence ? [`cadence:${subject.cadence.rule}:${subject.cadence.miss.periodStart}`] : []),
    // Only where a deal may meet the same alert again (a stage re-entered, a deal reopened), so every
    // other alert keeps the id it always had.
    ...(subject.stage !== null && state.stage?.restarted ? [`entered:${state.stage.enteredAt}`] : []),
    ...(state.reopens ? [`reopened:${state.reopens}`] : []),
  ].join('\u0000');
  return `msg_${stableDigest(key)}`;
}

/** The body of the webhook, from the deal as it stands once the alert has fired. */
export function alertPayload(state: DealState, sop: Sop, subject: AlertSubject, id: string, now: Instant): AlertPayload {
  const stageDef = sop.stages.find((stage) => stage.id === subject.stage);
  return {
    id,
    type: subject.type,
    occurredAt: now,
    deadline: subject.deadline,
    deal: {
      dealId: state.dealId,
      owner: state.owner,
      status: state.status,
      health: healthOf(state),
      customer: state.customer,
      amount: state.amount,
      currency: state.currency,
      sop: state.sop,
    },
    stage: stageDef && state.stage?.id === stageDef.id ? { id: stageDef.id, name: stageDef.name, enteredAt: state.stage.enteredAt } : null,
    requestId: subject.requestId,
    riskId: subject.riskId,
    level: subject.level,
    occurrence: subject.occurrence,
    notify: subject.notify,
    recipients: recipientsOf(state, subject.notify),
    ...(subject.taskId ? { taskId: subject.taskId } : {}),
    ...(subject.cadence ? { cadence: subject.cadence.miss } : {}),
    ...(subject.type === 'deal.response.overdue' && state.stage?.response
      ? { response: { require: state.stage.response.require, within: state.stage.response.within } }
      : {}),
  };
}

/** Whether `alertId` may be sent again now: its event, or why not (`POST …/alerts/:alertId/redeliver`). */
export function redeliver(state: DealState, alertId: string, at: Instant, actor: string): DealEvent | Rejection {
  const alert = state.alerts.find((a) => a.id === alertId);
  if (!alert) return reject('unknown_alert', `Deal ${state.dealId} has no alert "${alertId}".`);
  if (alert.delivery === 'pending') return reject('delivery_pending', `Alert ${alertId} is still being delivered; wait for its outcome.`);
  if (alert.delivery === 'delivered') return reject('already_delivered', `Alert ${alertId} was delivered; the alert system has it.`);
  if (!alert.payload) {
    return reject('already_delivered', `Alert ${alertId} ended before this version kept alert bodies; it cannot be sent again.`);
  }
  return { type: 'alert_redelivered', at, actor, data: { alertId } };
}
