import { randomBytes } from 'node:crypto';
import { isRecord, parseJson, stringAt } from './json';
import { accept, header, refuse, requestUrl, type CheckRequest, type CheckResult } from './received';
import { bucketWaitMs } from './rate';
import { blocksProblem, blocksText } from './slack-blocks';
import { capturesOf, firstUrl, titleLine } from './text';

/**
 * `slack`: a Slack incoming webhook. Rules from "Sending messages using incoming webhooks"
 * (https://api.slack.com/messaging/webhooks), "Improving error conditions for Incoming Webhooks"
 * (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks, read in the
 * search corpus: errors are plain-text bodies, 400 `invalid_payload`…), "Rate limits"
 * (https://api.slack.com/docs/rate-limits: incoming webhooks, 1 message a second with short
 * bursts, then 429 with `Retry-After` in seconds) and Block Kit's limits (`slack-blocks.ts`); the
 * rest from knowledge: POST `…/services/T…/B…/<secret>` with JSON (or a form's `payload`), `text` or
 * `blocks` (or `attachments`), else 400 `no_text`; success is 200 `ok`. `<@U…>` mentions a user.
 */

export interface SlackSettings {
  /** The webhook's path after `/services/`: `T…/B…/<secret>`. */
  readonly path: string;
  /** Messages allowed at once before the one-a-second limit applies. */
  readonly burst: number;
}

export const SLACK_PREFIX = '/services/';

function id(letter: string): string {
  return `${letter}${randomBytes(5).toString('hex').toUpperCase()}`;
}

export function defaults(given: Partial<SlackSettings>): SlackSettings {
  return { path: given.path ?? `${id('T')}/${id('B')}/${randomBytes(12).toString('hex')}`, burst: given.burst ?? 3 };
}

export function endpointPath(settings: SlackSettings): string {
  return `${SLACK_PREFIX}${settings.path}`;
}

function readPayload(request: CheckRequest): unknown {
  const form = (header(request, 'content-type') ?? '').includes('application/x-www-form-urlencoded');
  const text = form ? (new URLSearchParams(request.body).get('payload') ?? '') : request.body;
  const parsed = parseJson(text);
  return parsed.ok ? parsed.value : undefined;
}

/** `earlier`: the instants of the messages this webhook accepted before (its rate limit). */
export function check(request: CheckRequest, settings: SlackSettings, nowMs: number, earlier: readonly number[] = []): CheckResult {
  const url = requestUrl(request);
  if (!url || url.pathname !== endpointPath(settings)) return refuse(404, 'no_service', 'not this webhook (no_service)');
  const waitMs = bucketWaitMs(earlier, nowMs, 1, settings.burst);
  if (waitMs > 0) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return refuse(429, 'rate_limited', `over 1 message a second (burst ${settings.burst})`, { 'retry-after': String(seconds) });
  }
  const payload = readPayload(request);
  if (!isRecord(payload)) return refuse(400, 'invalid_payload', 'body is not a JSON object');
  const text = typeof payload.text === 'string' ? payload.text : '';
  const hasBlocks = payload.blocks !== undefined;
  if (!text && !hasBlocks && !Array.isArray(payload.attachments)) return refuse(400, 'no_text', 'neither text nor blocks');
  if (hasBlocks) {
    const problem = blocksProblem(payload.blocks);
    if (problem) return refuse(400, 'invalid_blocks', problem);
  }
  const blocks = Array.isArray(payload.blocks) ? payload.blocks : [];
  const lines = blocks.length ? blocksText(blocks) : [text];
  const shown = lines.join('\n');
  const headerBlock = blocks.find((block) => stringAt(block, 'type') === 'header');
  const warnings = text ? [] : ['no top-level text: notifications and screen readers show no fallback'];
  return accept(200, 'ok', {
    format: 'slack',
    at: nowMs,
    title: stringAt(headerBlock, 'text', 'text') ?? titleLine(shown),
    text: shown,
    mentions: capturesOf(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/, `${text}\n${shown}`),
    body: payload,
    link: firstUrl(blocks, text),
    ...(warnings.length ? { warnings } : {}),
  });
}
