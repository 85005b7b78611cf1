import { createHmac, randomBytes } from 'node:crypto';
import { arrayAt, at, isRecord, parseJson, recordAt, stringAt, stringsIn } from './json';
import { accept, header, refuse, requestUrl, type CheckRequest, type CheckResult } from './received';
import { countWithin } from './rate';
import { sameText } from './secure-compare';
import { firstUrl, utf8Bytes } from './text';

/**
 * `dingtalk`: a DingTalk (钉钉) custom robot (自定义机器人). Rules from "自定义机器人接入"
 * (https://open.dingtalk.com/document/robots/custom-robot-access), "自定义机器人安全设置 / 加签"
 * (https://open.dingtalk.com/document/robots/customize-robot-security-settings) and "消息类型"
 * (https://open.dingtalk.com/document/robots/message-types-and-data-format); the official pages
 * were not in the search corpus, their text was read as quoted by third parties there (the signing,
 * "每个机器人每分钟最多发送20条") and is otherwise from knowledge: POST
 * `…/robot/send?access_token=<token>` with `Content-Type: application/json`; with 加签 on, query
 * `timestamp` (ms, within an hour) and `sign` = urlencode(base64(HMAC-SHA256 keyed with the secret
 * over `"<timestamp>\n<secret>"`)); markdown needs `markdown.title` and `markdown.text`; `at.atUserIds`
 * mentions a member, and the mention is shown only where `@<userId>` is in the text. Every answer
 * is HTTP 200 with `{errcode, errmsg}`.
 */

export interface DingtalkSettings {
  readonly accessToken: string;
  /** The robot's 加签 secret (`SEC…`); null for a robot without it. */
  readonly secret: string | null;
  /** The robot's 自定义关键词: a message must contain one of them. */
  readonly keywords?: readonly string[];
}

export const DINGTALK_PATH = '/robot/send';
export const DINGTALK_PER_MINUTE = 20;
const SIGN_WINDOW_MS = 60 * 60 * 1000;
const MAX_TEXT_BYTES = 20_000;
const SIGN_HELP = 'more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]';

/** The fields each `msgtype` needs, as paths into its object. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  text: ['content'],
  markdown: ['title', 'text'],
  link: ['title', 'text', 'messageUrl'],
  actionCard: ['title', 'text'],
  feedCard: ['links'],
};

export function defaults(given: Partial<DingtalkSettings>): DingtalkSettings {
  return {
    accessToken: given.accessToken ?? randomBytes(32).toString('hex'),
    secret: given.secret === undefined ? `SEC${randomBytes(32).toString('hex')}` : given.secret,
    ...(given.keywords ? { keywords: given.keywords } : {}),
  };
}

export function endpointPath(settings: DingtalkSettings): string {
  return `${DINGTALK_PATH}?access_token=${encodeURIComponent(settings.accessToken)}`;
}

function answer(errcode: number, errmsg: string, reason: string): CheckResult {
  return refuse(200, JSON.stringify({ errcode, errmsg }), reason);
}

function signatureProblem(url: URL, secret: string, nowMs: number): { errmsg: string; reason: string } | null {
  const timestamp = url.searchParams.get('timestamp');
  if (!timestamp || !/^\d+$/.test(timestamp)) return { errmsg: `sign not match, ${SIGN_HELP}`, reason: 'no timestamp (ms) in the query' };
  if (Math.abs(nowMs - Number(timestamp)) > SIGN_WINDOW_MS)
    return { errmsg: 'invalid timestamp', reason: 'timestamp is more than an hour from now' };
  // searchParams has undone the URL encoding once: what is left must be the base64 itself.
  const sign = url.searchParams.get('sign') ?? '';
  const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return sameText(sign, expected)
    ? null
    : { errmsg: `sign not match, ${SIGN_HELP}`, reason: 'sign does not match the secret (or was not URL-encoded once)' };
}

/** `earlier`: the instants of the messages this robot accepted before (20 a minute). */
export function check(request: CheckRequest, settings: DingtalkSettings, nowMs: number, earlier: readonly number[] = []): CheckResult {
  const url = requestUrl(request);
  if (!url || url.pathname !== DINGTALK_PATH) return refuse(404, '', `not the robot's path ${DINGTALK_PATH}`);
  if (url.searchParams.get('access_token') !== settings.accessToken)
    return answer(300001, 'token is not exist', 'access_token is not this robot');
  if (!(header(request, 'content-type') ?? '').toLowerCase().includes('application/json')) {
    return answer(43004, '无效的HTTP HEADER Content-Type', 'Content-Type is not application/json');
  }
  if (settings.secret !== null) {
    const problem = signatureProblem(url, settings.secret, nowMs);
    if (problem) return answer(310000, problem.errmsg, problem.reason);
  }
  const parsed = parseJson(request.body);
  if (!parsed.ok || !isRecord(parsed.value)) return answer(40035, '缺少参数 json', 'body is not a JSON object');
  const body = parsed.value;
  const msgtype = typeof body.msgtype === 'string' ? body.msgtype : '';
  const required = REQUIRED[msgtype];
  if (!required) return answer(40035, '缺少参数 msgtype', `msgtype ${JSON.stringify(body.msgtype)}`);
  const missing = required.find((field) => {
    const value = at(body, msgtype, field);
    return !(typeof value === 'string' ? value.trim() : Array.isArray(value) && value.length);
  });
  if (missing) return answer(40035, `缺少参数 ${msgtype}.${missing}`, `${msgtype}.${missing} is required`);

  const text = stringAt(body, msgtype, msgtype === 'text' ? 'content' : 'text') ?? '';
  if (utf8Bytes(text) > MAX_TEXT_BYTES) return answer(460101, 'message too long, exceed 20000 bytes', `text is ${utf8Bytes(text)} bytes`);
  const keywords = settings.keywords ?? [];
  const title = stringAt(body, msgtype, 'title');
  if (keywords.length && !keywords.some((word) => `${title ?? ''}\n${text}`.includes(word))) {
    return answer(310000, `keywords not in content, ${SIGN_HELP}`, `none of the keywords ${keywords.join(', ')} is in the message`);
  }
  if (countWithin(earlier, nowMs, 60_000) >= DINGTALK_PER_MINUTE) {
    return answer(130101, 'send too fast, exceed 20 times per minute', `over ${DINGTALK_PER_MINUTE} messages a minute`);
  }

  const mentions = stringsIn(at(body, 'at', 'atUserIds'));
  const warnings = mentions
    .filter((id) => !text.includes(`@${id}`))
    .map((id) => `at.atUserIds has ${id} but the text has no @${id}: DingTalk does not show that mention`);
  return accept(200, JSON.stringify({ errcode: 0, errmsg: 'ok' }), {
    format: 'dingtalk',
    at: nowMs,
    title: title ?? text.split('\n')[0],
    text,
    mentions,
    body,
    signature: settings.secret === null ? 'unsigned' : 'verified',
    link: firstUrl(text, recordAt(body, msgtype), arrayAt(body, msgtype, 'links')),
    ...(warnings.length ? { warnings } : {}),
  });
}
