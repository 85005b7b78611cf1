import { ApplicationFailure, Context } from '@temporalio/activity';
import type { AlertPayload } from '../domain';
import { isRetryable, retryAfterMs } from './formats/http-answer';
import { signedHeaders } from './webhook-signature';

export interface WebhookTarget {
  readonly url: string;
  readonly key: Buffer;
}

export interface WebhookDeps {
  /** Where alerts go; null records them on the deal only (`delivery: skipped`). */
  readonly target: WebhookTarget | null;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Kept below the activity's start-to-close timeout. */
  readonly requestTimeoutMs: number;
}

/**
 * Sends one alert to the alert system, signed per Standard Webhooks. Resolves `delivered` on 2xx
 * (and 3xx, which fetch follows), throws a retryable failure on network errors, timeouts, 408, 429
 * and 5xx, and a final one on any other 4xx.
 */
export function createDeliverWebhook(deps: WebhookDeps) {
  return async function deliverWebhook(alert: AlertPayload): Promise<'delivered' | 'skipped'> {
    if (!deps.target) return 'skipped';
    const body = JSON.stringify(alert);
    const headers = {
      'content-type': 'application/json',
      ...signedHeaders(deps.target.key, alert.id, body, Math.floor(deps.now() / 1000)),
    };
    const signal = AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(deps.requestTimeoutMs)]);
    let response: Response;
    try {
      response = await deps.fetch(deps.target.url, { method: 'POST', headers, body, signal, redirect: 'follow' });
    } catch (error) {
      throw ApplicationFailure.create({
        type: 'WebhookUnreachable',
        message: `alert system unreachable: ${describe(error)}`,
        cause: asError(error),
      });
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.ok) return 'delivered';
    const message = `alert system answered ${response.status} ${response.statusText}`.trim();
    if (isRetryable(response.status)) {
      const delay = retryAfterMs(response.headers.get('retry-after'), deps.now());
      throw ApplicationFailure.create({ type: 'WebhookRetry', message, ...(delay !== null && { nextRetryDelay: delay }) });
    }
    throw ApplicationFailure.create({ type: 'WebhookRejected', message, nonRetryable: true, details: [{ status: response.status }] });
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function describe(error: unknown): string {
  const err = asError(error);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
