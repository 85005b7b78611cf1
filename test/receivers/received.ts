import type { FormatName } from '../../domain/alert-endpoints';

/**
 * What a local receiver takes and answers. Each format's `check` reads one request the way the real
 * tool reads it and answers what the tool answers; an accepted request also yields the message as a
 * person in that tool would see it.
 */

export type { FormatName };

/** One HTTP request as it reached the tool: the URL (absolute, or path and query), the headers, the body text. */
export interface CheckRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface ReceivedMessage {
  readonly format: FormatName;
  /** When it arrived, ms since the epoch. */
  readonly at: number;
  /** `standard`: the `webhook-id`. */
  readonly deliveryId?: string;
  readonly title?: string;
  /** A readable rendering of what the tool shows. */
  readonly text: string;
  /** The tool's user ids the message mentions. */
  readonly mentions: readonly string[];
  /** The parsed JSON body. */
  readonly body: unknown;
  /** `standard`: the indexes of the receiver's secrets whose signature is in `webhook-signature`. */
  readonly verifiedWith?: readonly number[];
  /** Whether a signature was checked and held (`standard`, and `feishu` / `dingtalk` with a secret). */
  readonly signature?: 'verified' | 'unsigned';
  /** `pagerduty`: what the event does to which incident. */
  readonly incident?: { readonly action: 'trigger' | 'acknowledge' | 'resolve'; readonly dedupKey: string };
  /** The first URL in the message (the deal on the board, for an alert). */
  readonly link?: string;
  /** Accepted, but not shown the way the sender probably meant (a DingTalk mention missing from the text…). */
  readonly warnings?: readonly string[];
}

/** The tool's answer. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Accepted extends HttpAnswer {
  readonly accepted: true;
  readonly message: ReceivedMessage;
}

export interface Refused extends HttpAnswer {
  readonly accepted: false;
  /** Why, in words, for a test's failure message and the CLI. */
  readonly reason: string;
}

export type CheckResult = Accepted | Refused;

export function refuse(status: number, body: string, reason: string, headers?: Record<string, string>): Refused {
  return headers ? { accepted: false, status, body, reason, headers } : { accepted: false, status, body, reason };
}

export function accept(status: number, body: string, message: ReceivedMessage, headers?: Record<string, string>): Accepted {
  return headers ? { accepted: true, status, body, message, headers } : { accepted: true, status, body, message };
}

/** A header by name, whatever the case it was given in. */
export function header(request: CheckRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** The request's URL, parsed; a path alone is read against a placeholder origin. */
export function requestUrl(request: CheckRequest): URL | null {
  try {
    return new URL(request.url, 'http://receiver.invalid');
  } catch {
    return null;
  }
}
