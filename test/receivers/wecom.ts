import { randomUUID } from 'node:crypto';
import { isRecord, parseJson, recordAt, stringsIn } from './json';
import { accept, refuse, requestUrl, type CheckRequest, type CheckResult } from './received';
import { countWithin } from './rate';
import { capturesOf, firstUrl, titleLine, utf8Bytes } from './text';

/**
 * `wecom`: a WeCom (企业微信) group robot. Rules from "群机器人配置说明"
 * (https://developer.work.weixin.qq.com/document/path/91770; the official page was not in the
 * search corpus, its text was read as copied by third parties there and is otherwise from
 * knowledge): POST `…/cgi-bin/webhook/send?key=<key>`; `msgtype` text | markdown | markdown_v2 |
 * image | news | file | voice | template_card; `text.content` at most 2048 bytes of UTF-8,
 * `markdown.content` / `markdown_v2.content` at most 4096; `<@userid>` in markdown mentions a
 * member, `text.mentioned_list` lists them for text; "每个机器人发送的消息不能超过20条/分钟". Every
 * answer is HTTP 200 with `{"errcode","errmsg"}`; codes from the global error code list
 * (https://developer.work.weixin.qq.com/document/path/90313), from knowledge: 93000 invalid
 * webhook url, 40008 invalid message type, 44004 empty content, 40058 a parameter out of range,
 * 45009 api freq out of limit.
 */

export interface WecomSettings {
  /** The robot's `key` in its webhook URL. */
  readonly key: string;
}

export const WECOM_PATH = '/cgi-bin/webhook/send';
export const WECOM_PER_MINUTE = 20;
const CONTENT_LIMITS: Readonly<Record<string, number>> = { text: 2048, markdown: 4096, markdown_v2: 4096 };
const MSGTYPES = ['text', 'markdown', 'markdown_v2', 'image', 'news', 'file', 'voice', 'template_card'];

export function defaults(given: Partial<WecomSettings>): WecomSettings {
  return { key: given.key ?? randomUUID() };
}

export function endpointPath(settings: WecomSettings): string {
  return `${WECOM_PATH}?key=${encodeURIComponent(settings.key)}`;
}

function answer(errcode: number, errmsg: string, reason: string): CheckResult {
  return refuse(200, JSON.stringify({ errcode, errmsg }), reason);
}

/** `earlier`: the instants of the messages this robot accepted before (for its 20 a minute). */
export function check(request: CheckRequest, settings: WecomSettings, nowMs: number, earlier: readonly number[] = []): CheckResult {
  const url = requestUrl(request);
  if (!url || url.pathname !== WECOM_PATH) return refuse(404, '', `not the robot's path ${WECOM_PATH}`);
  if (url.searchParams.get('key') !== settings.key) return answer(93000, 'invalid webhook url', 'key is not this robot');

  const parsed = parseJson(request.body);
  if (!parsed.ok || !isRecord(parsed.value)) return answer(40035, 'invalid Request Parameter', 'body is not a JSON object');
  const body = parsed.value;
  const msgtype = body.msgtype;
  if (typeof msgtype !== 'string' || !MSGTYPES.includes(msgtype))
    return answer(40008, 'invalid message type', `msgtype ${JSON.stringify(msgtype)}`);
  if (countWithin(earlier, nowMs, 60_000) >= WECOM_PER_MINUTE)
    return answer(45009, 'api freq out of limit', `over ${WECOM_PER_MINUTE} messages a minute`);

  const part = recordAt(body, msgtype);
  if (!part) return answer(40058, `${msgtype} is required. invalid Request Parameter`, `no ${msgtype} object`);
  const limit = CONTENT_LIMITS[msgtype];
  const content = typeof part.content === 'string' ? part.content : '';
  if (limit !== undefined) {
    if (!content) return answer(44004, 'empty content', `${msgtype}.content is empty or missing`);
    const bytes = utf8Bytes(content);
    if (bytes > limit) {
      return answer(
        40058,
        `${msgtype}.content exceed max length ${limit}. invalid Request Parameter`,
        `${msgtype}.content is ${bytes} bytes`,
      );
    }
  }

  const mentions = [...new Set([...capturesOf(/<@([^>\s]+)>/, content), ...stringsIn(part.mentioned_list)])];
  return accept(200, JSON.stringify({ errcode: 0, errmsg: 'ok' }), {
    format: 'wecom',
    at: nowMs,
    title: titleLine(content) ?? msgtype,
    text: content || `[${msgtype}]`,
    mentions,
    body,
    link: firstUrl(content, part),
  });
}
