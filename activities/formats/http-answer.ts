import type { AnswerReading } from './format';

/**
 * The HTTP rules every destination shares (`CONTRACT.md`, "Escalation webhooks"): 2xx delivered;
 * 408, 429 and 5xx worth another attempt, after `Retry-After` when the tool says so (capped at
 * 1 h); any other status final. The chat tools add their "200 with an error code" on top
 * (`readCodedAnswer`).
 */

export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
const RETRYABLE_STATUS = new Set([408, 429]);
/** How much of a tool's answer an error quotes. */
const EXCERPT_CHARS = 200;

/** A `Retry-After` header in seconds or as an HTTP date, capped at 1 h; null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - nowMs;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : null;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export function isRetryable(status: number): boolean {
  return status >= 500 || RETRYABLE_STATUS.has(status);
}

/** A retry, after `Retry-After` if the answer had one, else after `fallbackMs` if given. */
export function retry(error: string, retryAfter: string | null, nowMs: number, fallbackMs?: number): AnswerReading {
  const after = retryAfterMs(retryAfter, nowMs) ?? fallbackMs ?? null;
  return after === null ? { outcome: 'retry', error } : { outcome: 'retry', error, retryAfterMs: after };
}

/** The common reading of a tool's answer by its status alone; `detail` names what the body said. */
export function readStatus(
  tool: string,
  status: number,
  body: string,
  retryAfter: string | null,
  nowMs: number,
  detail?: string,
): AnswerReading {
  if (isSuccess(status)) return { outcome: 'delivered' };
  const said = detail ?? excerpt(body);
  const error = `${tool} answered ${status}${said ? `: ${said}` : ''}`;
  return isRetryable(status) ? retry(error, retryAfter, nowMs) : { outcome: 'final', error };
}

/** The start of an answer's body, on one line. */
export function excerpt(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length <= EXCERPT_CHARS ? line : `${line.slice(0, EXCERPT_CHARS)}…`;
}

/** A JSON answer's top-level object, or null when the body is not one. */
export function jsonObject(body: string): Readonly<Record<string, unknown>> | null {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A chat tool's result code and message, as its answer spells them. */
export interface ResultCode {
  readonly code: number;
  readonly message: string;
}

/** How to read a chat tool that answers HTTP 200 with a result code in the body. */
export interface CodedAnswer {
  readonly tool: string;
  /** The code and message in the answer, or null when it has none. */
  readonly resultOf: (answer: Readonly<Record<string, unknown>>) => ResultCode | null;
  /**
   * Codes worth another attempt (rate limits, "busy"), each with how long to wait when the answer
   * has no `Retry-After` (undefined: the usual backoff); every other non-zero code is final.
   */
  readonly retryCodes: ReadonlyMap<number, number | undefined>;
}

/**
 * A chat tool's answer: a retryable result code is retried whatever the status; otherwise the
 * status decides as for any tool, and a 2xx is delivered only with result code 0.
 */
export function readCodedAnswer(rules: CodedAnswer, status: number, body: string, retryAfter: string | null, nowMs: number): AnswerReading {
  const answer = jsonObject(body);
  const result = answer ? rules.resultOf(answer) : null;
  const said = result ? `error ${result.code}${result.message ? ` ${excerpt(result.message)}` : ''}` : undefined;
  if (result && result.code !== 0 && rules.retryCodes.has(result.code)) {
    return retry(`${rules.tool} answered ${status}: ${said}`, retryAfter, nowMs, rules.retryCodes.get(result.code));
  }
  if (!isSuccess(status)) return readStatus(rules.tool, status, body, retryAfter, nowMs, said);
  if (!result)
    return { outcome: 'final', error: `${rules.tool} answered ${status} without a result code: ${excerpt(body) || 'empty body'}` };
  return result.code === 0 ? { outcome: 'delivered' } : { outcome: 'final', error: `${rules.tool} answered ${status}: ${said}` };
}

/** A numeric field of an answer, or undefined. */
export function numberField(answer: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const value = answer[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A string field of an answer, or ''. */
export function stringField(answer: Readonly<Record<string, unknown>>, key: string): string {
  const value = answer[key];
  return typeof value === 'string' ? value : '';
}
