import type { AlertFormat, FormatContext, Notice, OutgoingRequest } from './format';
import { numberField, readCodedAnswer, stringField, type CodedAnswer } from './http-answer';
import { addressees, chatMessage, fitBytes, type ChatMessage, type Markup } from './message';

/**
 * `wecom`: a WeCom (企业微信) group robot. Request from "群机器人配置说明"
 * (https://developer.work.weixin.qq.com/document/path/91770, also
 * https://work.weixin.qq.com/api/doc/90000/90136/91770): POST the webhook URL as it is
 * (`…/cgi-bin/webhook/send?key=…`), `{"msgtype":"markdown","markdown":{"content":…}}`, content at
 * most 4096 bytes of UTF-8, `<@userid>` mentions a member, `<font color="warning|info|comment">`
 * colours text; "每个机器人发送的消息不能超过20条/分钟". Answers `{"errcode":0,"errmsg":"ok"}`; the
 * codes from "全局错误码" (https://developer.work.weixin.qq.com/document/path/90313): 45009 (call
 * frequency over the limit) and -1 (system busy) are retried, any other non-zero code is final
 * (93000: invalid webhook URL, 40008: invalid msgtype…). The official pages were read through
 * mirrors in the search corpus; the error codes are from the global code list as known, not
 * re-read here.
 */

export const WECOM_MAX_BYTES = 4096;

/** WeCom markdown has no escape: angle brackets in free text become look-alikes so no text forms a tag or mention. */
const markup: Markup = {
  text: (value) => value.replace(/</g, '‹').replace(/>/g, '›'),
  mention: (mention) => `<@${mention.id}>`,
};

const COLOUR = { critical: 'warning', error: 'warning', warning: 'warning', info: 'info' } as const;

export function wecomContent(message: ChatMessage): string {
  const lines = [
    `**<font color="${COLOUR[message.severity]}">${markup.text(message.title)}</font>**`,
    ...message.facts.map((fact) => `> ${fact.label}: <font color="comment">${markup.text(fact.value)}</font>`),
  ];
  // The link must survive any cut: it is kept whole, and the rest is fitted before it.
  const link = `\n[${message.linkText}](${message.link})`;
  const room = WECOM_MAX_BYTES - Buffer.byteLength(lines.join('\n') + link, 'utf8') - Buffer.byteLength('\nNotify: ');
  // Whole names only: a UTF-16 unit is at most 3 bytes of UTF-8, so this many characters always fit.
  const people = addressees(message.recipients, 'wecom', markup, Math.max(0, Math.floor(room / 3)));
  if (people) lines.push(`Notify: ${people}`);
  return fitBytes(lines.join('\n'), WECOM_MAX_BYTES - Buffer.byteLength(link, 'utf8')) + link;
}

function request(notice: Notice, context: FormatContext): OutgoingRequest | null {
  if (notice.kind === 'resolve') return null;
  const message = chatMessage(notice.kind === 'alert' ? notice.alert : notice.ping, context.nowMs, context.publicUrl);
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomContent(message) } });
  return { url: context.endpoint.url, headers: { 'content-type': 'application/json' }, body };
}

export const WECOM_ANSWER: CodedAnswer = {
  tool: 'WeCom',
  resultOf: (answer) => {
    const code = numberField(answer, 'errcode');
    return code === undefined ? null : { code, message: stringField(answer, 'errmsg') };
  },
  // The limit is per minute: a rate-limited robot is tried again once the minute has passed.
  retryCodes: new Map([
    [45009, 60_000],
    [-1, undefined],
  ]),
};

export const wecom: AlertFormat = {
  request,
  read: (status, body, retryAfter, nowMs) => readCodedAnswer(WECOM_ANSWER, status, body, retryAfter, nowMs),
};
