import { ApplicationFailure } from '@temporalio/activity';
import type { AlertPayload, DealFact } from '../domain';
import { FINAL_DELIVERY_FAILURES } from '../workflows/activity-options';
import type { createDeliverWebhook } from './deliver-webhook';
import type { createFanOutAlert } from './fan-out-alert';
import type { createRecordDealFacts } from './record-deal-facts';

/** An alert's first delivery attempt, with the analytics facts of the event that raised it. */
export interface AlertDispatch {
  readonly alert: AlertPayload;
  readonly sopId: string;
  readonly facts: readonly DealFact[];
}

/**
 * How the first attempt went. `retry`: the alert system failed in a way worth trying again (after
 * `retryAfterMs` when it said so); the deal then retries it with the ordinary delivery activity.
 */
export interface AlertDispatchOutcome {
  readonly delivery: 'delivered' | 'skipped' | 'failed' | 'retry';
  readonly error: string | null;
  readonly retryAfterMs: number | null;
  /** False when the facts did not reach the analytics: the deal reports them itself. */
  readonly factsRecorded: boolean;
  /** The alert as sent, when the people directory changed its recipients: its retries send the same. */
  readonly alert?: AlertPayload;
}

/**
 * One activity per alert where there used to be two (the webhook and the facts): the alert is
 * sent and its facts handed to the analytics at the same time, and the outcome of both comes back
 * as a result, never as a failure, so this activity is retried only when its worker died. A deal
 * whose alert system is down, or whose facts did not arrive, falls back to the ordinary paths for
 * that alert alone; the usual alert costs the server one activity and two workflow tasks, as a
 * bare timer with one activity does (`bench/README.md`, "Server work per alert").
 */
export function createSendAlert(
  deliverWebhook: ReturnType<typeof createDeliverWebhook>,
  recordDealFacts: ReturnType<typeof createRecordDealFacts>,
  fanOutAlert: ReturnType<typeof createFanOutAlert>,
) {
  return async function sendAlert(dispatch: AlertDispatch): Promise<AlertDispatchOutcome> {
    // First the other endpoints (each takes an id once, so a retry of this activity is safe), then the built-in one.
    const alert = await fanOutAlert(dispatch.alert);
    const addressed = JSON.stringify(alert.recipients) !== JSON.stringify(dispatch.alert.recipients);
    const outcome = await attempt({ ...dispatch, alert });
    return addressed ? { ...outcome, alert } : outcome;
  };

  async function attempt(dispatch: AlertDispatch): Promise<AlertDispatchOutcome> {
    const [delivery, facts] = await Promise.allSettled([
      deliverWebhook(dispatch.alert),
      dispatch.facts.length > 0 ? recordDealFacts({ sopId: dispatch.sopId, facts: dispatch.facts }) : Promise.resolve(),
    ]);
    const factsRecorded = facts.status === 'fulfilled';
    if (delivery.status === 'fulfilled') return { delivery: delivery.value, error: null, retryAfterMs: null, factsRecorded };
    const failure = delivery.reason as unknown;
    const message = failure instanceof Error ? failure.message : String(failure);
    if (failure instanceof ApplicationFailure && (failure.nonRetryable || FINAL_DELIVERY_FAILURES.includes(failure.type ?? ''))) {
      return { delivery: 'failed', error: message, retryAfterMs: null, factsRecorded };
    }
    const retryAfterMs =
      failure instanceof ApplicationFailure && typeof failure.nextRetryDelay === 'number' ? failure.nextRetryDelay : null;
    return { delivery: 'retry', error: message, retryAfterMs, factsRecorded };
  }
}
