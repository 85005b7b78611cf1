import { createHmac } from 'node:crypto';
import type { AlertFormat, FormatContext, Notice, OutgoingRequest } from './format';
import { numberField, readCodedAnswer, stringField, type CodedAnswer } from './http-answer';
import { addressees, chatMessage, mentionsOf, type ChatMessage, type Markup } from './message';

/**
 * `dingtalk`: a DingTalk (钉钉) custom robot. Request from "自定义机器人发送群消息"
 * (https://open.dingtalk.com/document/orgapp/custom-robots-send-group-messages, formerly
 * https://open.dingtalk.com/document/group/custom-robot-access): `{"msgtype":"markdown","markdown":
 * {"title","text"},"at":{"atUserIds":[…],"isAtAll":false}}`, where each mentioned userId must also
 * appear as `@userId` in the text for the mention to show. Signature from "自定义机器人安全设置 / 加签"
 * (https://open.dingtalk.com/document/robots/customize-robot-security-settings): with a secret
 * (`SEC…`), the URL gains `&timestamp=<ms>&sign=<urlencode(base64(HMAC-SHA256 keyed with the
 * secret over "<timestamp>\n<secret>"))>`, the timestamp within an hour of DingTalk's clock. "每个
 * 机器人每分钟最多发送20条。如果超过20条，会限流10分钟." Answers `{"errcode":0,"errmsg":"ok"}`; 130101
 * ("send too fast") and 410100 (发送速度太快而限流) are retried after the 10 minutes, -1 (busy) with
 * the usual backoff, any other code is final (310000: keyword, signature or IP check failed;
 * 300001 / 400101: no such access_token…). The official pages are not in the search corpus: this
 * follows their text as copied by third parties there and as known; the error codes are from
 * knowledge.
 */

/** DingTalk's signature, before URL encoding: base64 of HMAC-SHA256 keyed with the secret over `"<timestamp>\n<secret>"`. */
export function dingtalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The robot's URL with this attempt's signature appended. */
export function signedUrl(url: string, timestampMs: number, secret: string): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}timestamp=${timestampMs}&sign=${encodeURIComponent(dingtalkSign(timestampMs, secret))}`;
}

/** DingTalk markdown has no escape: angle brackets in free text become look-alikes so no text forms a tag. */
const markup: Markup = {
  text: (value) => value.replace(/</g, '‹').replace(/>/g, '›'),
  mention: (mention) => `@${mention.id}`,
};

export function dingtalkText(message: ChatMessage): string {
  const lines = [`#### ${markup.text(message.title)}`, ...message.facts.map((fact) => `**${fact.label}**: ${markup.text(fact.value)}`)];
  const people = addressees(message.recipients, 'dingtalk', markup);
  if (people) lines.push(`**Notify**: ${people}`);
  lines.push(`[${message.linkText}](${message.link})`);
  // DingTalk markdown breaks lines only at a blank line.
  return lines.join('\n\n');
}

function request(notice: Notice, context: FormatContext): OutgoingRequest | null {
  if (notice.kind === 'resolve') return null;
  const message = chatMessage(notice.kind === 'alert' ? notice.alert : notice.ping, context.nowMs, context.publicUrl);
  const body = JSON.stringify({
    msgtype: 'markdown',
    markdown: { title: message.title, text: dingtalkText(message) },
    at: { atUserIds: mentionsOf(message.recipients, 'dingtalk').map((mention) => mention.id), isAtAll: false },
  });
  const secret = context.endpoint.secrets[0];
  const url = secret ? signedUrl(context.endpoint.url, context.nowMs, secret) : context.endpoint.url;
  return { url, headers: { 'content-type': 'application/json' }, body };
}

const THROTTLED_MS = 10 * 60 * 1000;

export const DINGTALK_ANSWER: CodedAnswer = {
  tool: 'DingTalk',
  resultOf: (answer) => {
    const code = numberField(answer, 'errcode');
    return code === undefined ? null : { code, message: stringField(answer, 'errmsg') };
  },
  retryCodes: new Map([
    [130101, THROTTLED_MS],
    [410100, THROTTLED_MS],
    [-1, undefined],
  ]),
};

export const dingtalk: AlertFormat = {
  request,
  read: (status, body, retryAfter, nowMs) => readCodedAnswer(DINGTALK_ANSWER, status, body, retryAfter, nowMs),
};
