import { createHmac } from 'node:crypto';
import type { AlertFormat, FormatContext, Notice, OutgoingRequest } from './format';
import { numberField, readCodedAnswer, stringField, type CodedAnswer } from './http-answer';
import { addressees, chatMessage, type ChatMessage, type Markup } from './message';

/**
 * `feishu`: a Feishu / Lark custom bot (自定义机器人). Request and signature from "自定义机器人使用指南"
 * (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, formerly
 * https://open.feishu.cn/document/ukTMukTMukTM/ucTM5YjL3ETO24yNxkjN): POST the webhook URL with
 * `{"msg_type":"interactive","card":{…}}`, a message card whose `markdown` element mentions a
 * person with `<at id=ou_xxx></at>` (open_id or user_id); with signature verification on, the body
 * also carries `"timestamp"` (unix seconds, as a string, within an hour of Feishu's clock) and
 * `"sign"` = base64(HMAC-SHA256 keyed with `"<timestamp>\n<secret>"` over an empty message). Limits
 * there: 100 requests a minute and 5 a second per bot, a body of at most 20 KB. Answers
 * `{"code":0,"msg":"success","data":{}}` (older bots: `{"StatusCode":0,"StatusMessage":"success"}`);
 * 11232 (frequency limited) is retried, any other non-zero code is final (19021: sign mismatch or
 * stale timestamp, 19022: IP not allowed, 19024: keyword missing, 9499: bad request). The official
 * pages are not in the search corpus: this follows their text as copied by third parties there
 * (open-lark, feishu-bot-api) and as known; the error codes are from knowledge.
 */

/** Feishu's signature: base64 of HMAC-SHA256 keyed with `"<timestamp>\n<secret>"`, over no data. */
export function feishuSign(timestampSeconds: number, secret: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

/** Card markdown takes HTML entities: escaped angle brackets keep free text from forming an `<at>` tag. */
const markup: Markup = {
  text: (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  mention: (mention) => `<at id=${mention.id}></at>`,
};

const TEMPLATE = { critical: 'red', error: 'red', warning: 'orange', info: 'blue' } as const;

export function feishuCard(message: ChatMessage): Record<string, unknown> {
  const lines = message.facts.map((fact) => `**${fact.label}**: ${markup.text(fact.value)}`);
  const people = addressees(message.recipients, 'feishu', markup);
  if (people) lines.push(`**Notify**: ${people}`);
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: message.title }, template: TEMPLATE[message.severity] },
    elements: [
      { tag: 'markdown', content: lines.join('\n') },
      {
        tag: 'action',
        actions: [{ tag: 'button', text: { tag: 'plain_text', content: message.linkText }, type: 'primary', url: message.link }],
      },
    ],
  };
}

function request(notice: Notice, context: FormatContext): OutgoingRequest | null {
  if (notice.kind === 'resolve') return null;
  const message = chatMessage(notice.kind === 'alert' ? notice.alert : notice.ping, context.nowMs, context.publicUrl);
  const secret = context.endpoint.secrets[0];
  const timestamp = Math.floor(context.nowMs / 1000);
  const signature = secret ? { timestamp: String(timestamp), sign: feishuSign(timestamp, secret) } : {};
  const body = JSON.stringify({ ...signature, msg_type: 'interactive', card: feishuCard(message) });
  return { url: context.endpoint.url, headers: { 'content-type': 'application/json' }, body };
}

export const FEISHU_ANSWER: CodedAnswer = {
  tool: 'Feishu',
  resultOf: (answer) => {
    const code = numberField(answer, 'code');
    if (code !== undefined) return { code, message: stringField(answer, 'msg') };
    const status = numberField(answer, 'StatusCode');
    return status === undefined ? null : { code: status, message: stringField(answer, 'StatusMessage') };
  },
  retryCodes: new Map([[11232, undefined]]),
};

export const feishu: AlertFormat = {
  request,
  read: (status, body, retryAfter, nowMs) => readCodedAnswer(FEISHU_ANSWER, status, body, retryAfter, nowMs),
};
