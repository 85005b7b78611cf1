import type { AlertFormat, FormatContext, Notice, OutgoingRequest } from './format';
import { readStatus } from './http-answer';
import { addressees, chatMessage, clip, type ChatMessage, type Markup } from './message';

/**
 * `slack`: a Slack incoming webhook. Request from "Sending messages using incoming webhooks"
 * (https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks, formerly
 * https://api.slack.com/messaging/webhooks): `{"text": fallback, "blocks": […]}`, Block Kit limits
 * from "Block Kit reference" (https://docs.slack.dev/reference/block-kit/blocks): at most 50
 * blocks, a header's plain text 150 characters, a section's text 3000 and each of at most 10 fields
 * 2000, a button's text 75 and URL 3000. `<@U…>` mentions a user; `&`, `<` and `>` in text are
 * escaped as "Formatting text for app surfaces" says. Limit from "Rate limits"
 * (https://docs.slack.dev/apis/web-api/rate-limits): posting messages, 1 per second (short bursts
 * allowed). Answers: 200 `ok`; 429 with `Retry-After`; a 4xx with the error as plain text
 * (`invalid_payload`, `no_text`, `channel_not_found`, `channel_is_archived`, `action_prohibited`,
 * `posting_to_general_channel_denied`, `no_service`, `invalid_token`…), final; a 5xx, retried.
 * The webhook page itself is not in the search corpus; its error list is as known and as quoted by
 * third parties there.
 */

export const SLACK_LIMITS = { headerChars: 150, sectionChars: 3000, fieldChars: 2000, fields: 10, buttonChars: 75 } as const;

const markup: Markup = {
  text: (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  mention: (mention) => `<@${mention.id}>`,
};

export function slackMessage(message: ChatMessage): { text: string; blocks: Record<string, unknown>[] } {
  // A fact's value is already cut to about 200 characters: escaped, it stays well inside a field's 2000.
  const fields = message.facts
    .slice(0, SLACK_LIMITS.fields)
    .map((fact) => ({ type: 'mrkdwn', text: `*${fact.label}*\n${markup.text(fact.value)}` }));
  const notify = '*Notify*: ';
  const people = addressees(message.recipients, 'slack', markup, SLACK_LIMITS.sectionChars - notify.length);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(message.title, SLACK_LIMITS.headerChars), emoji: false } },
    { type: 'section', fields },
  ];
  if (people) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${notify}${people}` } });
  blocks.push({
    type: 'actions',
    elements: [{ type: 'button', text: { type: 'plain_text', text: clip(message.linkText, SLACK_LIMITS.buttonChars) }, url: message.link }],
  });
  const summary = message.facts.map((fact) => `${fact.label}: ${fact.value}`).join(' · ');
  return { text: markup.text(clip(`${message.title} — ${summary}`, SLACK_LIMITS.sectionChars)), blocks };
}

function request(notice: Notice, context: FormatContext): OutgoingRequest | null {
  if (notice.kind === 'resolve') return null;
  const message = chatMessage(notice.kind === 'alert' ? notice.alert : notice.ping, context.nowMs, context.publicUrl);
  return { url: context.endpoint.url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(slackMessage(message)) };
}

export const slack: AlertFormat = {
  request,
  read: (status, body, retryAfter, nowMs) => readStatus('Slack', status, body, retryAfter, nowMs),
};
