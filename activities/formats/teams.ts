import type { AlertFormat, FormatContext, Notice, OutgoingRequest } from './format';
import { readStatus } from './http-answer';
import { addressees, chatMessage, type ChatMessage, type Markup, type Mention } from './message';

/**
 * `teams`: a Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is
 * received"). Request from "Create incoming webhooks with Workflows for Microsoft Teams"
 * (https://support.microsoft.com/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498)
 * and "Create an Incoming Webhook" (MicrosoftDocs/msteams-docs,
 * msteams-platform/webhooks-and-connectors/how-to/add-incoming-webhook.md): `{"type":"message",
 * "attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,
 * "content":<an Adaptive Card 1.4>}]}`. Mentions from "Format cards in Microsoft Teams"
 * (msteams-platform/task-modules-and-cards/cards/cards-format.md, "Mention support within Adaptive
 * Cards"): `<at>Name</at>` in the text and an entity `{"type":"mention","text":"<at>Name</at>",
 * "mentioned":{"id":…,"name":…}}` in `msteams.entities`; incoming webhooks take the user's UPN
 * (their email here) or Entra object id as the id. A message is at most about 28 KB. The flow answers
 * 202 Accepted (200 from older connectors); 429 and 5xx are retried, any other status is final.
 * Limits: the Teams connector's 100 calls per 60 s per connection ("Microsoft Teams" connector
 * reference, https://learn.microsoft.com/connectors/teams/, "Throttling limits", as known — not in
 * the search corpus); the retired Office 365 connectors also had 4 per second, 60 per 30 s, 100 per
 * hour, 150 per 2 h and 1800 per day ("Rate limiting for connectors", add-incoming-webhook.md).
 */

/** Adaptive Card text is not HTML: angle brackets in free text become look-alikes so none forms an `<at>` tag. */
function plain(value: string): string {
  return value.replace(/</g, '‹').replace(/>/g, '›');
}

const COLOUR = { critical: 'Attention', error: 'Attention', warning: 'Warning', info: 'Accent' } as const;

export function teamsCard(message: ChatMessage): Record<string, unknown> {
  // The entities are those the text mentions, each once, so every `<at>` has its entity.
  const mentioned = new Map<string, Mention>();
  const markup: Markup = {
    text: plain,
    mention: (mention) => {
      const named = { id: mention.id, name: plain(mention.name) };
      mentioned.set(`<at>${named.name}</at>`, named);
      return `<at>${named.name}</at>`;
    },
  };
  const people = addressees(message.recipients, 'email', markup);
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: plain(message.title), size: 'Medium', weight: 'Bolder', color: COLOUR[message.severity], wrap: true },
    { type: 'FactSet', facts: message.facts.map((fact) => ({ title: fact.label, value: plain(fact.value) })) },
  ];
  if (people) body.push({ type: 'TextBlock', text: `Notify: ${people}`, wrap: true });
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    actions: [{ type: 'Action.OpenUrl', title: message.linkText, url: message.link }],
    msteams: {
      entities: [...mentioned].map(([text, mention]) => ({ type: 'mention', text, mentioned: { id: mention.id, name: mention.name } })),
    },
  };
}

function request(notice: Notice, context: FormatContext): OutgoingRequest | null {
  if (notice.kind === 'resolve') return null;
  const message = chatMessage(notice.kind === 'alert' ? notice.alert : notice.ping, context.nowMs, context.publicUrl);
  const body = JSON.stringify({
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: teamsCard(message) }],
  });
  return { url: context.endpoint.url, headers: { 'content-type': 'application/json' }, body };
}

export const teams: AlertFormat = {
  request,
  read: (status, body, retryAfter, nowMs) => readStatus('Teams', status, body, retryAfter, nowMs),
};
