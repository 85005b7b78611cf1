/**
 * How an alert reaches one endpoint: each destination's format is a small pure function from what
 * happened to the HTTP request its tool expects, and a reader of the tool's answer. No I/O here:
 * the delivery activity sends the request and records the attempt.
 */

export { FORMATS, type FormatName } from '../../domain/alert-endpoints';

export type { Notice, PingPayload } from '../../domain/notices';
import type { Notice } from '../../domain/notices';

/** The endpoint as a format sees it at one attempt. */
export interface FormatEndpoint {
  readonly url: string;
  /**
   * `standard`: the Standard Webhooks secrets (`whsec_…`), current first, then the previous one
   * during a rotation's 24 h overlap. `feishu` / `dingtalk`: the bot's signing secret, if it has
   * one. Other formats: empty.
   */
  readonly secrets: readonly string[];
  /** `pagerduty`: the integration's routing key. */
  readonly routingKey?: string;
}

export interface FormatContext {
  /** The attempt's instant, ms since the epoch (signatures and "how late" use it). */
  readonly nowMs: number;
  /** The board's address (`PUBLIC_URL`), no trailing slash: messages link to the deal there. */
  readonly publicUrl: string;
  /** The id of this delivery: the alert's id, or the ping's (`webhook-id` for `standard`). */
  readonly deliveryId: string;
  readonly endpoint: FormatEndpoint;
}

export interface OutgoingRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What the tool's answer means: delivered, worth another attempt, or final. */
export type AnswerReading =
  | { readonly outcome: 'delivered' }
  | { readonly outcome: 'retry'; readonly error: string; readonly retryAfterMs?: number }
  | { readonly outcome: 'final'; readonly error: string };

export interface AlertFormat {
  /** The request for this notice; null when the format has nothing to send for it (a `resolve` outside PagerDuty). */
  request(notice: Notice, context: FormatContext): OutgoingRequest | null;
  /** Reads the tool's answer: its status, body text and `Retry-After` header. */
  read(status: number, body: string, retryAfter: string | null, nowMs: number): AnswerReading;
}
