import type { ActivityOptions } from '@temporalio/workflow';

/** Failure types a webhook delivery ends on without retrying. */
export const FINAL_DELIVERY_FAILURES = ['WebhookRejected', 'WebhookMisconfigured'];

/**
 * Escalation webhooks: the first retry within 5 s, backing off ×2 to at most 1 h between attempts,
 * for at least 24 h (`CONTRACT.md`). The HTTP call itself times out well inside `startToCloseTimeout`.
 */
export const WEBHOOK_DELIVERY: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '25h',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '1h',
    nonRetryableErrorTypes: FINAL_DELIVERY_FAILURES,
  },
};

/**
 * Deal facts for the SOP's analytics: retried for as long as it takes (the analytics workflow is
 * in the same Temporal), so no fact is dropped; a deal waits for its last facts before it completes.
 */
export const FACT_REPORTING: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/**
 * An alert's first attempt with its facts (`sendAlert`): it reports the alert system's answer
 * as its result, so it is retried only when its worker died or the attempt timed out, for as long
 * as that takes; the alert's own retries go through WEBHOOK_DELIVERY.
 */
export const ALERT_DISPATCH: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/**
 * One deal's migration, or one page of the deals to migrate: retried for as long as it takes (a
 * deal answers once its worker runs; the update id makes a retry get the first answer).
 */
export const MIGRATION_STEP: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
};

/**
 * One attempt at one endpoint's delivery: it reports the tool's answer as its result, so it is
 * retried only when its worker died or the attempt timed out; the delivery's own retries (backoff,
 * `Retry-After`, 24 h) are the endpoint workflow's, which records every attempt.
 */
export const ENDPOINT_ATTEMPT: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5 },
};

/** Telling on-call endpoints that a deal's incidents ended: retried for a day, as a delivery would be. */
export const INCIDENT_RESOLUTION: ActivityOptions = {
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '25h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10m' },
};
