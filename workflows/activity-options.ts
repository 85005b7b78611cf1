import type { ActivityOptions, LocalActivityOptions } from '@temporalio/workflow';

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
 * The same, run as a local activity: inside the deal's workflow task, with no activity task to
 * schedule, dispatch and complete through the server, which halves the server's work per fact batch
 * (measured by `npm run bench`). Retries past a minute's back-off wait on a timer, as the SDK does.
 */
export const FACT_REPORTING_LOCAL: LocalActivityOptions = {
  startToCloseTimeout: FACT_REPORTING.startToCloseTimeout,
  retry: FACT_REPORTING.retry,
};
