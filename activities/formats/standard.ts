import { signedHeadersForKeys, webhookKey } from '../webhook-signature';
import type { AlertFormat, FormatContext, Notice, OutgoingRequest } from './format';
import { readStatus } from './http-answer';

/**
 * `standard`: the v1 payload of `CONTRACT.md` ("Escalation webhooks"), as it is, signed per the
 * Standard Webhooks specification (https://www.standardwebhooks.com/, "Standard Webhooks
 * specification", spec/standard-webhooks.md in github.com/standard-webhooks/standard-webhooks):
 * `webhook-id`, `webhook-timestamp` (unix seconds of this attempt) and `webhook-signature`, one
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` per secret, space-separated — two during a
 * rotation's overlap, the new one first, as the specification allows. A `resolve` has no v1 form.
 */

function request(notice: Notice, context: FormatContext): OutgoingRequest | null {
  if (notice.kind === 'resolve') return null;
  const body = JSON.stringify(notice.kind === 'alert' ? notice.alert : notice.ping);
  const keys = context.endpoint.secrets.map(webhookKey);
  const signed = signedHeadersForKeys(keys, context.deliveryId, body, Math.floor(context.nowMs / 1000));
  return { url: context.endpoint.url, headers: { 'content-type': 'application/json', ...signed }, body };
}

export const standard: AlertFormat = {
  request,
  read: (status, body, retryAfter, nowMs) => readStatus('the alert system', status, body, retryAfter, nowMs),
};
