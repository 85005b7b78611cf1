import { createDeliverWebhook, type WebhookDeps } from './deliver-webhook';
import { createRecordDealFacts, type AnalyticsDeps } from './record-deal-facts';
import { createMigrationSteps } from './migrate-deals';
import { createSendAlert } from './send-alert';

export type ActivityDeps = WebhookDeps & AnalyticsDeps;

/** The deal's side effects, built from their dependencies so tests pass a real receiver, not a fake Temporal. */
export function createActivities(deps: ActivityDeps) {
  const deliverWebhook = createDeliverWebhook(deps);
  const recordDealFacts = createRecordDealFacts(deps);
  return {
    deliverWebhook,
    recordDealFacts,
    sendAlert: createSendAlert(deliverWebhook, recordDealFacts),
    ...createMigrationSteps(deps),
  };
}

export { webhookKey, signedHeaders, WebhookSecretError } from './webhook-signature';
export { createDeliverWebhook, retryAfterMs, type WebhookTarget } from './deliver-webhook';
export type { AlertDispatch, AlertDispatchOutcome } from './send-alert';
export { openDealsPage, type MigratedDeal, type OpenDealsPage } from './migrate-deals';
