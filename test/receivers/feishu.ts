import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { contentProblem, shown } from './feishu-content';
import { isRecord, parseJson } from './json';
import { accept, refuse, requestUrl, type CheckRequest, type CheckResult } from './received';
import { countWithin } from './rate';
import { sameText } from './secure-compare';
import { utf8Bytes } from './text';

/**
 * `feishu`: a Feishu / Lark custom bot (自定义机器人). Rules from "自定义机器人使用指南"
 * (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot; the official page was not
 * in the search corpus, its text was read as quoted by third parties there: the signing, the
 * 19021 message, the 100 a minute / 5 a second limit and 11232, the 20 KB body; the other codes are
 * from knowledge): POST `…/open-apis/bot/v2/hook/<token>`; with signature verification on, the
 * body carries `timestamp` (unix seconds, within an hour of now) and `sign` = base64 of
 * HMAC-SHA256 keyed with `"<timestamp>\n<secret>"` over an empty message; `msg_type` text | post |
 * image | share_chat | interactive (with `card`). Every answer is HTTP 200 with `{code, msg, data}`.
 */

export interface FeishuSettings {
  /** The hook's token, the last segment of its URL. */
  readonly token: string;
  /** The bot's signing secret; null for a bot without signature verification. */
  readonly secret: string | null;
}

export const FEISHU_HOOK_PATH = '/open-apis/bot/v2/hook/';
export const FEISHU_MAX_BODY_BYTES = 20 * 1024;
export const FEISHU_PER_MINUTE = 100;
export const FEISHU_PER_SECOND = 5;
const SIGN_WINDOW_SECONDS = 60 * 60;

export function defaults(given: Partial<FeishuSettings>): FeishuSettings {
  return { token: given.token ?? randomUUID(), secret: given.secret === undefined ? randomBytes(16).toString('base64url') : given.secret };
}

export function endpointPath(settings: FeishuSettings): string {
  return `${FEISHU_HOOK_PATH}${encodeURIComponent(settings.token)}`;
}

function answer(code: number, msg: string, reason: string): CheckResult {
  return refuse(200, JSON.stringify({ code, data: {}, msg }), reason);
}

const SIGN_FAIL = 'sign match fail or timestamp is not within one hour from current time';

function signatureProblem(body: Record<string, unknown>, secret: string, nowMs: number): string | null {
  const timestamp = typeof body.timestamp === 'number' ? String(body.timestamp) : body.timestamp;
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return 'no timestamp (unix seconds) in the body';
  const skew = Math.abs(nowMs / 1000 - Number(timestamp));
  if (skew > SIGN_WINDOW_SECONDS) return `timestamp is ${Math.round(skew)} s from now (limit one hour)`;
  if (typeof body.sign !== 'string') return 'no sign in the body';
  const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return sameText(body.sign, expected) ? null : 'sign does not match the secret';
}

/** `earlier`: the instants of the messages this bot accepted before (100 a minute, 5 a second). */
export function check(request: CheckRequest, settings: FeishuSettings, nowMs: number, earlier: readonly number[] = []): CheckResult {
  const url = requestUrl(request);
  if (!url || !url.pathname.startsWith(FEISHU_HOOK_PATH)) return refuse(404, '404 page not found', `not a hook path ${FEISHU_HOOK_PATH}…`);
  if (decodeURIComponent(url.pathname.slice(FEISHU_HOOK_PATH.length)) !== settings.token) {
    return answer(19001, 'param invalid: incoming webhook access token invalid', 'token is not this bot');
  }
  const bytes = utf8Bytes(request.body);
  if (bytes > FEISHU_MAX_BODY_BYTES) return answer(9499, 'Bad Request', `body is ${bytes} bytes, over 20 KB`);
  const parsed = parseJson(request.body);
  if (!parsed.ok || !isRecord(parsed.value)) return answer(9499, 'Bad Request', 'body is not a JSON object');
  const body = parsed.value;

  if (settings.secret !== null) {
    const problem = signatureProblem(body, settings.secret, nowMs);
    if (problem) return answer(19021, SIGN_FAIL, problem);
  }
  if (countWithin(earlier, nowMs, 1000) >= FEISHU_PER_SECOND || countWithin(earlier, nowMs, 60_000) >= FEISHU_PER_MINUTE) {
    return answer(11232, 'frequency limited', `over ${FEISHU_PER_SECOND} a second or ${FEISHU_PER_MINUTE} a minute`);
  }
  const msgType = body.msg_type;
  if (typeof msgType !== 'string' || !msgType) return answer(19002, 'params error, msg_type need', 'no msg_type');
  const problem = contentProblem(msgType, body);
  if (problem) return answer(9499, 'Bad Request', problem);

  const view = shown(msgType, body);
  return accept(200, JSON.stringify({ code: 0, data: {}, msg: 'success' }), {
    format: 'feishu',
    at: nowMs,
    title: view.title,
    text: view.text,
    mentions: view.mentions,
    body,
    signature: settings.secret === null ? 'unsigned' : 'verified',
    link: view.link,
  });
}
