import { createDeliverWebhook, type WebhookDeps } from './deliver-webhook';
import { createRecordDealFacts, type AnalyticsDeps } from './record-deal-facts';
import { createMigrationSteps } from './migrate-deals';
import { createSendAlert } from './send-alert';
import { AlertSettings } from './alert-settings';
import { alertIds, type AlertIds } from '../workflows/alert-messages';
import { createAttemptDelivery } from './attempt-delivery';
import { createFanOutAlert, createResolveIncidents } from './fan-out-alert';

export type ActivityDeps = WebhookDeps &
  AnalyticsDeps & {
    /** How long each alert endpoint retries a delivery (`ALERT_RETRY_WINDOW`). */
    readonly alertRetryForMs: number;
    /** The board's address, for links in messages (`PUBLIC_URL`). */
    readonly publicUrl: string;
    /** The alert settings' workflow ids (default: production's). */
    readonly alertIds?: AlertIds;
  };

/** The deal's side effects, built from their dependencies so tests pass a real receiver, not a fake Temporal. */
export function createActivities(deps: ActivityDeps) {
  const deliverWebhook = createDeliverWebhook(deps);
  const recordDealFacts = createRecordDealFacts(deps);
  const settings = new AlertSettings(deps.client, deps.alertIds ?? alertIds(), deps.now);
  const endpoints = { client: deps.client, settings, retryForMs: deps.alertRetryForMs };
  return {
    deliverWebhook,
    recordDealFacts,
    sendAlert: createSendAlert(deliverWebhook, recordDealFacts, createFanOutAlert(endpoints)),
    resolveIncidents: createResolveIncidents(endpoints),
    attemptDelivery: createAttemptDelivery({ ...deps, settings }),
    ...createMigrationSteps(deps),
  };
}

export { webhookKey, signedHeaders, WebhookSecretError } from './webhook-signature';
export { createDeliverWebhook, type WebhookTarget } from './deliver-webhook';
export { retryAfterMs } from './formats/http-answer';
export type { AlertDispatch, AlertDispatchOutcome } from './send-alert';
export { openDealsPage, type MigratedDeal, type OpenDealsPage } from './migrate-deals';
export { enqueueDelivery } from './fan-out-alert';
