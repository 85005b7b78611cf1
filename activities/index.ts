import { createDeliverWebhook, type WebhookDeps } from './deliver-webhook';

export type ActivityDeps = WebhookDeps;

/** The deal's side effects, built from their dependencies so tests pass a real receiver, not a fake Temporal. */
export function createActivities(deps: ActivityDeps) {
  return {
    deliverWebhook: createDeliverWebhook(deps),
  };
}

export { webhookKey, signedHeaders, WebhookSecretError } from './webhook-signature';
export { retryAfterMs, type WebhookTarget } from './deliver-webhook';
