import { createDeliverWebhook, type WebhookDeps } from './deliver-webhook';
import { createRecordDealFacts, type AnalyticsDeps } from './record-deal-facts';

export type ActivityDeps = WebhookDeps & AnalyticsDeps;

/** The deal's side effects, built from their dependencies so tests pass a real receiver, not a fake Temporal. */
export function createActivities(deps: ActivityDeps) {
  return {
    deliverWebhook: createDeliverWebhook(deps),
    recordDealFacts: createRecordDealFacts(deps),
  };
}

export { webhookKey, signedHeaders, WebhookSecretError } from './webhook-signature';
export { createDeliverWebhook, retryAfterMs, type WebhookTarget } from './deliver-webhook';
