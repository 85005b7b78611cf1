import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

/** Thrown when an `ALERT_WEBHOOK_SECRET` is not `whsec_` + base64 of 24 to 64 bytes. */
export class WebhookSecretError extends Error {
  override readonly name = 'WebhookSecretError';
}

/** The HMAC key of a Standard Webhooks secret: the base64-decoded bytes after `whsec_`. */
export function webhookKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new WebhookSecretError('the secret must start with "whsec_"');
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw new WebhookSecretError('after "whsec_" the secret must be base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.length > 64) {
    throw new WebhookSecretError(`the secret decodes to ${key.length} bytes; use 24 to 64 random bytes`);
  }
  return key;
}

/** Standard Webhooks headers for one attempt: signed afresh, with this attempt's timestamp. */
export function signedHeaders(key: Buffer, id: string, body: string, nowSeconds: number): Record<string, string> {
  return signedHeadersForKeys([key], id, body, nowSeconds);
}

/**
 * Standard Webhooks headers signed with several keys at once (the current secret first, then the
 * one it replaced, during a rotation's overlap): `webhook-signature` carries one `v1,` signature per
 * key, space-separated, and a receiver accepts the message when any of them verifies.
 */
export function signedHeadersForKeys(keys: readonly Buffer[], id: string, body: string, nowSeconds: number): Record<string, string> {
  if (keys.length === 0) throw new WebhookSecretError('a Standard Webhooks message needs at least one signing secret');
  const timestamp = String(nowSeconds);
  const signatures = keys.map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`);
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}
