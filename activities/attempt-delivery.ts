import { Context } from '@temporalio/activity';
import { signingSecrets, type AttemptOutcome, type Notice } from '../domain';
import type { AlertSettings } from './alert-settings';
import { formatOf } from './formats';

export interface EndpointDeliveryDeps {
  readonly settings: AlertSettings;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  /** Kept below the activity's start-to-close timeout. */
  readonly requestTimeoutMs: number;
  /** The board's address, for the link to the deal in each message (`PUBLIC_URL`). */
  readonly publicUrl: string;
}

export interface AttemptInput {
  readonly endpointId: string;
  readonly deliveryId: string;
  readonly notice: Notice;
  readonly attempt: number;
}

/**
 * One attempt at one endpoint: the endpoint as it stands now (its secrets never leave the worker),
 * the request in its format, the tool's answer read the tool's way. The outcome is the result,
 * never a failure: the endpoint's workflow records it and decides when to try again.
 */
export function createAttemptDelivery(deps: EndpointDeliveryDeps) {
  return async function attemptDelivery(input: AttemptInput): Promise<AttemptOutcome> {
    const startedAt = deps.now();
    const at = new Date(startedAt).toISOString();
    const outcome = (rest: Omit<AttemptOutcome, 'at' | 'latencyMs'>): AttemptOutcome => ({
      at,
      latencyMs: deps.now() - startedAt,
      ...rest,
    });
    const endpoint = await deps.settings.endpoint(input.endpointId);
    if (!endpoint)
      return outcome({ status: null, error: 'the endpoint was deleted', outcome: 'final', retryAfterMs: null, endpointGone: true });
    const format = formatOf(endpoint.format);
    const request = format.request(input.notice, {
      nowMs: startedAt,
      publicUrl: deps.publicUrl,
      deliveryId: input.deliveryId,
      endpoint: {
        url: endpoint.url,
        secrets: signingSecrets(endpoint, at),
        ...(endpoint.routingKey && { routingKey: endpoint.routingKey }),
      },
    });
    if (!request) return outcome({ status: null, error: null, outcome: 'delivered', retryAfterMs: null });
    const signal = AbortSignal.any([Context.current().cancellationSignal, AbortSignal.timeout(deps.requestTimeoutMs)]);
    let response: Response;
    try {
      response = await deps.fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal,
        redirect: 'follow',
      });
    } catch (error) {
      // The message names the failure, never the URL: a chat robot's URL is its credential.
      return outcome({ status: null, error: `unreachable: ${reason(error)}`, outcome: 'retry', retryAfterMs: null });
    }
    const text = await response.text().catch(() => '');
    const reading = format.read(response.status, text, response.headers.get('retry-after'), deps.now());
    if (reading.outcome === 'delivered') return outcome({ status: response.status, error: null, outcome: 'delivered', retryAfterMs: null });
    return outcome({
      status: response.status,
      error: reading.error.slice(0, 300),
      outcome: reading.outcome,
      retryAfterMs: reading.outcome === 'retry' ? (reading.retryAfterMs ?? null) : null,
    });
  };
}

function reason(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer in time';
  const cause = error.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' ? cause.code : 'network error';
}
