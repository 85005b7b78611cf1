import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
// Domain modules one by one, never the '../domain' index: it would build every zod schema for every workflow (see lazy-validation.ts).
import { deadlines } from '../domain/deadlines';
import type { AlertEvent } from '../domain/deal-events';
import type { DealFact } from '../domain/deal-fact-schema';
import type { Actor } from '../domain/deal-schema';
import type { AlertPayload } from '../domain/deal-state';
import type { DealOpening } from '../domain/open-deal';
import { isRejection, type Rejection } from '../domain/rejection';
import type { Sop } from '../domain/sop-schema';
import type { StoredTimelinePage, TimelinePaging } from '../domain/timeline-pages';
import type { ClosedDeal } from '../domain/view';
import { ALERT_DISPATCH, FACT_REPORTING, INCIDENT_RESOLUTION, WEBHOOK_DELIVERY } from './activity-options';
import { DeadlineTimer } from './deadline-timer';
import { DealSession, type CarriedDeal } from './deal-session';
import { DealVisibility } from './deal-visibility';
import { FactOutbox } from './fact-outbox';
import {
  actSignal,
  actUpdate,
  closeTimelinePageSignal,
  migrateUpdate,
  migrationPreviewQuery,
  redeliverUpdate,
  REJECTED_FAILURE,
  rememberRefusalSignal,
  stateQuery,
  timelinePageWorkflowId,
  timelineQuery,
  timelineTailQuery,
  type ActRequest,
} from './messages';
import { timelinePageWorkflow } from './timeline-page';

export interface DealWorkflowInput {
  readonly opening: DealOpening;
  /** The SOP version the deal runs on: publishing a new version never changes it, a migration does. */
  readonly sop: Sop;
  readonly openedBy: Actor;
  /**
   * When the API opened the deal: the deal's clock starts here, so the API can answer the start
   * with the deal's first state without waiting for this workflow to run. Absent in runs started
   * before it existed; those start at their first workflow task.
   */
  readonly openedAt?: string;
  /** Continue-as-new once history reaches this many events, if the server has not suggested it sooner. */
  readonly maxHistoryEvents?: number;
  /** How big the timeline pages the deal moves its older events to grow (default `TIMELINE_PAGING`; tests use small ones). */
  readonly timelinePaging?: TimelinePaging;
  /**
   * How long after `mark_lost` the deal may be reopened (`REOPEN_WINDOW`, in ms): the workflow stays
   * open that long, taking only `reopen` and reads. Absent: the domain's default (30 days); 0: never.
   */
  readonly reopenWindowMs?: number;
  readonly carried?: CarriedDeal;
}

const { deliverWebhook } = proxyActivities<ReturnType<typeof createActivities>>(WEBHOOK_DELIVERY);
const { recordDealFacts } = proxyActivities<ReturnType<typeof createActivities>>(FACT_REPORTING);
const { sendAlert } = proxyActivities<ReturnType<typeof createActivities>>(ALERT_DISPATCH);
const { resolveIncidents } = proxyActivities<ReturnType<typeof createActivities>>(INCIDENT_RESOLUTION);
const now = (): string => new Date(Date.now()).toISOString();
const failureMessage = (error: unknown): string =>
  error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
/** Before the alert system's first retry, when it did not say how long to wait (WEBHOOK_DELIVERY's first interval). */
const FIRST_RETRY_MS = 2_000;

/**
 * A refused message as its caller sees it: type `REJECTED_FAILURE`, the rejection in `details`.
 * `final` in an update's handler, where the state moved after validation: it fails that update only.
 */
function refusal(rejection: Rejection, final = false): ApplicationFailure {
  return ApplicationFailure.create({ type: REJECTED_FAILURE, message: rejection.message, nonRetryable: final, details: [rejection] });
}

/** One sales deal walking its SOP: actions arrive as updates or signals, time arrives as deadlines. */
export async function dealWorkflow(input: DealWorkflowInput): Promise<ClosedDeal> {
  // Runs begun before analytics existed replay without reporting; their next run reports everything.
  const reportsFacts = patched('sop-analytics');
  // Runs begun before it replay with an alert's webhook and facts as two activities, and a new timer on every change.
  const leanAlerts = reportsFacts && patched('lean-alerts');
  const pending = new Set<string>();
  /** Facts travelling with an alert's first attempt: carried over a continue-as-new until it reports them. */
  const alertFacts = new Map<string, DealFact[]>();
  const deliver = (alert: AlertPayload, facts: DealFact[]): void => {
    if (pending.has(alert.id)) return;
    pending.add(alert.id);
    // Started, never awaited here: a receiver that is down must not hold up other deadlines.
    if (!leanAlerts) return void retry(alert, 0);
    if (facts.length > 0) alertFacts.set(alert.id, facts);
    void sendAlert({ alert, sopId: input.sop.id, facts }).then(
      (outcome) => {
        alertFacts.delete(alert.id);
        if (!outcome.factsRecorded) onFacts(facts);
        // Retries send the alert as first sent: its recipients as the people directory had them then.
        if (outcome.delivery === 'retry') return void retry(outcome.alert ?? alert, outcome.retryAfterMs ?? FIRST_RETRY_MS);
        settle(alert.id, outcome.delivery, outcome.error);
      },
      (error: unknown) => {
        alertFacts.delete(alert.id);
        onFacts(facts);
        settle(alert.id, 'failed', failureMessage(error));
      },
    );
  };
  /** The alert through the delivery activity and its retry policy, after `delayMs`. */
  const retry = async (alert: AlertPayload, delayMs: number): Promise<void> => {
    if (delayMs > 0) await sleep(delayMs);
    await deliverWebhook(alert).then(
      (delivery) => settle(alert.id, delivery, null),
      (error: unknown) => settle(alert.id, 'failed', failureMessage(error)),
    );
  };
  const onAlert = (event: AlertEvent, facts: DealFact[]): void => {
    if (!leanAlerts) onFacts(facts);
    deliver(event.data.alert, facts);
  };
  const outbox = new FactOutbox(
    (facts) => recordDealFacts({ sopId: input.sop.id, facts }),
    (error) => {
      log.warn('Deal facts not recorded; trying again in a minute', { error: failureMessage(error) });
      return sleep('1 minute');
    },
  );
  const onFacts = (facts: DealFact[]): void => (reportsFacts ? outbox.push(facts) : undefined);
  /**
   * Incidents' ends on their way to the on-call endpoints, by send: the deal completes once they
   * arrived, and a continue-as-new carries those still on their way for the next run to send.
   */
  const resolving = new Map<number, string[]>();
  let resolveSends = 0;
  const onIncidentsEnded = (keys: string[]): void => {
    // Runs begun before alert endpoints replay without telling on-call endpoints anything.
    if (!leanAlerts || !patched('alert-endpoints')) return;
    const send = ++resolveSends;
    resolving.set(send, keys);
    void resolveIncidents({ keys })
      .catch((error: unknown) => log.warn('Incidents not resolved on on-call endpoints', { error: failureMessage(error) }))
      .finally(() => resolving.delete(send));
  };
  const unreported = (): DealFact[] | undefined => (reportsFacts ? [...outbox.unsent(), ...[...alertFacts.values()].flat()] : undefined);
  const deal = input.carried
    ? DealSession.resume(input.carried, input.sop, { onAlert, onFacts, onIncidentsEnded }, input.reopenWindowMs)
    : DealSession.open(
        input.opening,
        input.sop,
        input.openedBy,
        input.openedAt ?? now(),
        { onAlert, onFacts, onIncidentsEnded },
        input.reopenWindowMs,
      );
  function settle(alertId: string, delivery: 'delivered' | 'skipped' | 'failed', error: string | null): void {
    pending.delete(alertId);
    if (error) log.warn('Escalation webhook failed for good', { alertId, error });
    deal.record({ type: 'delivery_recorded', at: now(), actor: 'system', data: { alertId, delivery, error } });
  }

  setHandler(
    actUpdate,
    (request) => {
      const answer = deal.act(request, now());
      if (isRejection(answer)) {
        // The state moved between validation and execution (a deadline fell due): refuse only this update.
        throw refusal(answer, true);
      }
      return answer;
    },
    {
      validator: (request) => {
        const outcome = deal.evaluate(request, now());
        if (isRejection(outcome)) throw refusal(outcome);
      },
    },
  );
  setHandler(actSignal, (request) => {
    const answer = deal.act(request, now());
    if (isRejection(answer)) {
      const sender = request as Partial<ActRequest> | undefined;
      if (sender?.idempotencyKey && sender.actor) {
        deal.rememberRefusal(
          { actor: sender.actor, idempotencyKey: sender.idempotencyKey, bodyHash: sender.bodyHash ?? '', rejection: answer },
          now(),
        );
      }
      deal.record({
        type: 'action_rejected',
        at: now(),
        actor: typeof sender?.actor?.subject === 'string' ? sender.actor.subject.slice(0, 128) : 'unknown',
        data: { action: String(sender?.action?.type ?? 'unknown').slice(0, 64), code: answer.code, message: answer.message },
      });
    }
  });
  setHandler(
    migrateUpdate,
    (request) => {
      const row = deal.migrate(request, now());
      if (isRejection(row)) throw refusal(row, true);
      return row;
    },
    {
      validator: (request) => {
        const outcome = deal.previewMigration(request, now());
        if (isRejection(outcome)) throw refusal(outcome);
      },
    },
  );
  setHandler(migrationPreviewQuery, (request, at) => {
    const instant = typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? new Date(at).toISOString() : now();
    const outcome = deal.previewMigration(request, instant > now() ? instant : now());
    if (isRejection(outcome)) throw refusal(outcome);
    return outcome.row;
  });
  setHandler(
    redeliverUpdate,
    (request) => {
      const payload = deal.redeliver(request, now());
      if (isRejection(payload)) throw refusal(payload, true);
      deliver(payload, []);
      return { alertId: payload.id, delivery: 'pending' as const };
    },
    {
      validator: (request) => {
        const outcome = deal.checkRedelivery(request, now());
        if (isRejection(outcome)) throw refusal(outcome);
      },
    },
  );
  setHandler(rememberRefusalSignal, (refused) => deal.rememberRefusal(refused, now()));
  setHandler(stateQuery, () => deal.view());
  setHandler(timelineTailQuery, () => deal.timeline());
  setHandler(timelineQuery, () => deal.timeline().events);

  /** Closes pages: all of them once the deal closes, to be kept exactly as long as it is. */
  async function closePages(pages: readonly StoredTimelinePage[]): Promise<void> {
    await Promise.all(
      pages.map((page) =>
        getExternalWorkflowHandle(page.workflowId)
          .signal(closeTimelinePageSignal)
          .catch((error: unknown) => log.warn('Timeline page not closed', { from: page.from, error: failureMessage(error) })),
      ),
    );
  }

  /**
   * Moves the timeline's full older pages out of the deal, each into a workflow of its own, before
   * the deal continues as new: what the deal carries stays bounded however long it lives. The pages
   * start together (one workflow task: the deal answers no query while it is continuing as new). If
   * one cannot start, the deal keeps it and every page after it until next time, and closes those
   * after it that did start: no page stays open that the deal does not know of. Next time (a whole
   * run later, long after those closed) they start again under the same ids, as new runs of them.
   */
  async function movePagesOut(): Promise<void> {
    const pages = deal.pagesToArchive(now(), input.timelinePaging).map(({ from, count, events }) => ({
      from,
      count,
      events,
      workflowId: timelinePageWorkflowId(deal.current.dealId, workflowInfo().firstExecutionRunId, from),
    }));
    const started = await Promise.all(
      pages.map(({ workflowId, from, events }) =>
        startChild(timelinePageWorkflow, {
          workflowId,
          args: [{ dealId: deal.current.dealId, from, events }],
          // The page outlives this run (it continues as new at once) and stays open until the deal closes it.
          parentClosePolicy: ParentClosePolicy.ABANDON,
        }).then(
          () => true,
          (error: unknown) => {
            if (error instanceof WorkflowExecutionAlreadyStartedError) return true;
            log.warn('Timeline page not started; the deal keeps its events until next time', { from, error: failureMessage(error) });
            return false;
          },
        ),
      ),
    );
    const kept = started.indexOf(false) === -1 ? pages.length : started.indexOf(false);
    await closePages(pages.slice(kept).filter((_, i) => started[kept + i]));
    deal.archived(pages.slice(0, kept), now());
  }

  // Incidents' ends a previous run did not see arrive go out again (an endpoint resolves each once).
  if (input.carried?.unresolved?.length) onIncidentsEnded(input.carried.unresolved);
  // Deliveries a previous run started and did not see finish go out again under the same ids.
  deal.current.alerts
    .filter((alert) => alert.delivery === 'pending' && alert.payload)
    .forEach((alert) => deliver(alert.payload as AlertPayload, []));

  const visibility = new DealVisibility();
  const timer = new DeadlineTimer();
  const historyLimit = input.maxHistoryEvents ?? 10_000;
  /** A lost deal stays open for `reopen` until its window ends. Runs that lost a deal before this existed completed at once. */
  const reopenable = (): boolean => {
    const until = deal.reopenableUntil;
    return until !== null && now() < until && patched('reopen-window');
  };
  while (deal.current.status === 'open' || reopenable()) {
    deal.catchUp(now());
    visibility.sync(deal.current, deal.sop, deal.visit);
    if (deal.current.status !== 'open' && !reopenable()) break;
    if (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit) {
      await condition(allHandlersFinished);
      // Runs from before analytics carry their whole timeline, for the next run to report every fact from.
      if (reportsFacts && patched('timeline-pages')) {
        await movePagesOut();
        await condition(allHandlersFinished);
      }
      // A migrated deal runs on its new version from here on.
      const unresolved = [...resolving.values()].flat();
      return continueAsNew<typeof dealWorkflow>({ ...input, sop: deal.sop, carried: deal.carry(unreported(), unresolved) });
    }
    const seen = deal.version;
    const next = deal.current.status === 'open' ? deadlines(deal.current, deal.sop)[0] : { at: deal.reopenableUntil as string };
    if (leanAlerts) {
      timer.aim(next?.at ?? null, Date.now());
      await condition(() => deal.version !== seen || timer.rang);
      continue;
    }
    const wait = next ? Math.max(Date.parse(next.at) - Date.now(), 1) : undefined;
    await (wait === undefined ? condition(() => deal.version !== seen) : condition(() => deal.version !== seen, wait));
  }
  visibility.sync(deal.current, deal.sop, deal.visit);
  // A closed deal completes once its last webhooks have an outcome and its last facts arrived.
  await condition(() => pending.size === 0 && resolving.size === 0 && outbox.idle && allHandlersFinished());
  const { from, pages, events } = deal.timeline();
  await closePages(pages);
  return { ...deal.view(), timeline: events, ...(pages.length > 0 && { timelinePages: { from, pages } }) };
}
