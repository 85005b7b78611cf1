import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
// Domain modules one by one, never the '../domain' index (see lazy-validation.ts).
import type { AlertPayload } from '../domain/deal-state';
import {
  deliveryPage,
  fitCarried,
  keptSends,
  MAX_UNDER_WAY,
  nextTry,
  redelivered,
  throttleWaitMs,
  trimmedLog,
  underWay,
  withAttempt,
  type AttemptOutcome,
  type DeliveryRecord,
  type RateWindow,
} from '../domain/delivery-log';
import { incidentsEnded, incidentTriggered, NO_INCIDENTS, type IncidentBook } from '../domain/incident-book';
import { incidentKey } from '../domain/incidents';
import type { Notice } from '../domain/notices';
import { stableDigest } from '../domain/stable-id';
import { ENDPOINT_ATTEMPT } from './activity-options';
import {
  deliveriesQuery,
  DELIVERY_REFUSED_FAILURE,
  deliverSignal,
  redeliverDeliveryUpdate,
  resolveIncidentsSignal,
  retireSignal,
  type DeliveryRequest,
} from './alert-messages';

/** What an endpoint's deliveries carry from one run to the next. */
export interface CarriedDeliveries {
  readonly log: DeliveryRecord[];
  /** What each delivery in the log sends, by id. */
  readonly notices: Record<string, Notice>;
  readonly seq: number;
  /** When the latest messages went, for the throttle. */
  readonly sentAt: number[];
  readonly windows: RateWindow[];
  /** Incidents this endpoint triggered and has not resolved, and those ended before their trigger arrived. */
  readonly incidents: IncidentBook;
}

export interface EndpointDeliveriesInput {
  readonly endpointId: string;
  /** How long a delivery is retried before it fails (the contract: at least 24 h). */
  readonly retryForMs: number;
  /** How many ended deliveries the log keeps (default 300). */
  readonly logLimit?: number;
  /** Continue-as-new once history reaches this many events, if the server has not suggested it sooner (default 5,000). */
  readonly maxHistoryEvents?: number;
  readonly carried?: CarriedDeliveries;
}

const { attemptDelivery } = proxyActivities<ReturnType<typeof createActivities>>(ENDPOINT_ATTEMPT);
/** Attempts in flight at once per endpoint: the rest wait their turn. */
const MAX_IN_FLIGHT = 10;
/** What a continue-as-new may carry, in bytes of JSON: well inside Temporal's 2 MB. */
const CARRY_BUDGET = 1_500_000;
const now = (): string => new Date(Date.now()).toISOString();
const failureMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function refused(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: DELIVERY_REFUSED_FAILURE, message, details: [{ code, message }] });
}

/**
 * One alert endpoint's deliveries: each delivery is tried on its own schedule, so one that fails
 * never holds up another, and the endpoint's throttle (its tool's published rate limit) delays
 * messages, never drops them. Every attempt is recorded in the endpoint's log.
 */
export async function endpointDeliveriesWorkflow(input: EndpointDeliveriesInput): Promise<void> {
  const carried = input.carried;
  let log: DeliveryRecord[] = [...(carried?.log ?? [])];
  const notices: Record<string, Notice> = { ...carried?.notices };
  let incidents: IncidentBook = carried?.incidents ?? NO_INCIDENTS;
  let seq = carried?.seq ?? 0;
  let sentAt = [...(carried?.sentAt ?? [])];
  let windows: readonly RateWindow[] = carried?.windows ?? [];
  const running = new Set<string>();
  let inFlight = 0;
  let draining = false;
  let retired = false;

  const find = (id: string): DeliveryRecord | undefined => log.find((d) => d.deliveryId === id);
  const replace = (record: DeliveryRecord): void => {
    log = log.map((d) => (d.deliveryId === record.deliveryId ? record : d));
  };
  const stopping = (): boolean => draining || retired;

  function add(deliveryId: string, notice: Notice): void {
    if (find(deliveryId) || retired) return;
    const event = notice.kind === 'ping' ? 'ping' : notice.kind === 'resolve' ? 'incident.resolve' : notice.alert.type;
    const alert = notice.kind === 'ping' ? null : notice.alert;
    const at = now();
    // Past the cap a delivery is not dropped silently: it is listed as failed, to be sent again by hand.
    const full = log.filter(underWay).length >= MAX_UNDER_WAY;
    notices[deliveryId] = notice;
    log.push({
      deliveryId,
      seq: ++seq,
      event,
      dealId: alert?.deal.dealId ?? null,
      alertId: alert?.id ?? null,
      createdAt: at,
      state: full ? 'failed' : 'pending',
      attempts: full
        ? [{ at, status: null, latencyMs: 0, error: `not sent: ${MAX_UNDER_WAY} deliveries already under way at this endpoint` }]
        : [],
      attemptCount: 0,
      nextAttemptAt: full ? null : at,
    });
    const kept = trimmedLog(log, input.logLimit ?? 300);
    if (kept.length < log.length) {
      const ids = new Set(kept.map((d) => d.deliveryId));
      for (const id of Object.keys(notices)) if (!ids.has(id)) delete notices[id];
      log = kept;
    }
    if (!full) start(deliveryId);
  }

  /** Resolves on the tool each incident in `alerts`, as a delivery of its own. */
  function resolveAll(alerts: readonly AlertPayload[]): void {
    for (const alert of alerts) add(`res_${stableDigest(`${incidentKey(alert)}\u0000${alert.id}`)}`, { kind: 'resolve', alert });
  }

  function start(deliveryId: string): void {
    if (running.has(deliveryId)) return;
    running.add(deliveryId);
    void send(deliveryId).finally(() => running.delete(deliveryId));
  }

  /** Tries one delivery until it is delivered, refused, or out of time; returns early when the run is draining. */
  async function send(deliveryId: string): Promise<void> {
    for (;;) {
      const record = find(deliveryId);
      if (!record || record.nextAttemptAt === null) return;
      const due = Date.parse(record.nextAttemptAt) - Date.now();
      if (due > 0 && (await condition(stopping, due))) return;
      // A free slot and room under the tool's limit, both checked with nothing awaited before the
      // send is counted: a condition released with others is checked again, so at most
      // MAX_IN_FLIGHT attempts run and none passes the throttle on a count that is already stale.
      for (;;) {
        if (stopping()) return;
        if (inFlight >= MAX_IN_FLIGHT) {
          await condition(() => inFlight < MAX_IN_FLIGHT || stopping());
          continue;
        }
        const wait = throttleWaitMs(sentAt, windows, Date.now());
        if (wait <= 0) break;
        if (await condition(stopping, wait)) return;
      }
      const sentNow = Date.now();
      sentAt = [...keptSends(sentAt, windows, sentNow), sentNow];
      inFlight++;
      const result = await attemptDelivery({
        endpointId: input.endpointId,
        deliveryId,
        notice: notices[deliveryId],
        attempt: record.attemptCount + 1,
      }).catch((error: unknown): AttemptOutcome => ({
        at: now(),
        status: null,
        latencyMs: 0,
        error: failureMessage(error),
        outcome: 'retry',
        retryAfterMs: null,
      }));
      inFlight--;
      // A request that got no answer never reached the tool: it does not count against its limit.
      const counted = sentAt.lastIndexOf(sentNow);
      if (result.status === null && counted >= 0) sentAt = [...sentAt.slice(0, counted), ...sentAt.slice(counted + 1)];
      settle(deliveryId, result);
    }
  }

  function settle(deliveryId: string, result: AttemptOutcome): void {
    const record = find(deliveryId);
    if (!record) return;
    const attempt = { at: result.at, status: result.status, latencyMs: result.latencyMs, error: result.error };
    if (result.endpointGone) retired = true;
    if (result.outcome === 'delivered') {
      replace(withAttempt(record, attempt, 'delivered', null));
      const notice = notices[deliveryId];
      if (notice?.kind === 'alert') {
        const triggered = incidentTriggered(incidents, notice.alert);
        incidents = triggered.book;
        resolveAll(triggered.resolve);
      }
      return;
    }
    const { delayMs, outOfTime } = nextTry(record, result.retryAfterMs, Date.now(), input.retryForMs);
    if (result.outcome === 'final' || outOfTime || retired) {
      const error =
        result.outcome === 'retry' && outOfTime
          ? `${result.error ?? 'failed'} (gave up after ${record.attemptCount + 1} attempts)`
          : result.error;
      replace(withAttempt(record, { ...attempt, error }, 'failed', null));
      return;
    }
    replace(withAttempt(record, attempt, 'retrying', new Date(Date.now() + delayMs).toISOString()));
  }

  /** The incidents of the alerts still on their way here. */
  function pendingIncidents(): Set<string> {
    const keys = new Set<string>();
    for (const record of log) {
      const notice = notices[record.deliveryId];
      if (underWay(record) && notice?.kind === 'alert') keys.add(incidentKey(notice.alert));
    }
    return keys;
  }

  setHandler(deliverSignal, (request: DeliveryRequest) => {
    windows = request.windows;
    add(request.deliveryId, request.notice);
  });
  setHandler(resolveIncidentsSignal, ({ keys }) => {
    const ended = incidentsEnded(incidents, keys, pendingIncidents());
    incidents = ended.book;
    resolveAll(ended.resolve);
  });
  setHandler(retireSignal, () => {
    retired = true;
  });
  setHandler(
    redeliverDeliveryUpdate,
    (deliveryId) => {
      replace(redelivered(find(deliveryId) as DeliveryRecord, now()));
      start(deliveryId);
      return { deliveryId, state: 'pending' as const };
    },
    {
      validator: (deliveryId) => {
        const record = find(deliveryId);
        if (!record || !notices[deliveryId])
          throw refused('unknown_delivery', `This endpoint has no delivery "${String(deliveryId)}" in its log.`);
        if (record.nextAttemptAt !== null)
          throw refused('delivery_pending', `Delivery ${deliveryId} is still being delivered; wait for its outcome.`);
        if (retired) throw refused('unknown_endpoint', 'The endpoint was deleted.');
      },
    },
  );
  setHandler(deliveriesQuery, (query) => deliveryPage(log, query));

  for (const record of log) if (underWay(record)) start(record.deliveryId);

  await condition(
    () => retired || workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= (input.maxHistoryEvents ?? 5_000),
  );
  draining = !retired;
  await condition(() => inFlight === 0 && allHandlersFinished());
  if (retired) {
    for (const record of log) {
      if (record.nextAttemptAt !== null) replace({ ...record, state: 'failed', nextAttemptAt: null });
    }
    return;
  }
  const rest = JSON.stringify(incidents).length + JSON.stringify(sentAt).length;
  const fitted = fitCarried(log, notices, CARRY_BUDGET, rest);
  await continueAsNew<typeof endpointDeliveriesWorkflow>({
    ...input,
    carried: { log: fitted.log, notices: fitted.notices, seq, sentAt, windows: [...windows], incidents },
  });
}
