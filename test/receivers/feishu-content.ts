import { arrayAt, at, isRecord, recordAt, stringAt } from './json';
import { capturesOf, firstUrl } from './text';

/**
 * What a Feishu custom bot shows for each `msg_type` ("自定义机器人使用指南",
 * https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot, and the message card docs):
 * the content a message needs, its readable text, and its `<at>` mentions.
 */

export interface FeishuShown {
  readonly title?: string;
  readonly text: string;
  readonly mentions: string[];
  readonly link?: string;
}

/** `<at user_id="ou_x">Name</at>` (text, post), `<at id=ou_x></at>` (card markdown); `all` is everyone. */
const AT_TAG = /<at\s+(?:user_id|open_id|id)\s*=\s*["']?([^"'\s>]+)["']?\s*>/;

/** Why the content does not fit its `msg_type`, or null when it does. */
export function contentProblem(msgType: string, body: Record<string, unknown>): string | null {
  switch (msgType) {
    case 'text':
      return stringAt(body, 'content', 'text') ? null : 'content.text is required for msg_type text';
    case 'post': {
      const post = recordAt(body, 'content', 'post');
      const locales = post ? Object.values(post) : [];
      return locales.length && locales.every((locale) => Array.isArray(at(locale, 'content')))
        ? null
        : 'content.post needs a locale with content rows';
    }
    case 'image':
      return stringAt(body, 'content', 'image_key') ? null : 'content.image_key is required for msg_type image';
    case 'share_chat':
      return stringAt(body, 'content', 'share_chat_id') ? null : 'content.share_chat_id is required for msg_type share_chat';
    case 'interactive':
      return cardProblem(body.card);
    default:
      return `msg_type ${msgType} is not one a custom bot sends`;
  }
}

function cardProblem(card: unknown): string | null {
  if (!isRecord(card)) return 'card (an object) is required for msg_type interactive';
  if (card.type === 'template') return stringAt(card, 'data', 'template_id') ? null : 'a template card needs data.template_id';
  const elements = card.schema === '2.0' ? arrayAt(card, 'body', 'elements') : arrayAt(card, 'elements');
  if (!elements) return card.schema === '2.0' ? 'card.body.elements is required' : 'card.elements is required';
  const untagged = elements.findIndex((element) => typeof at(element, 'tag') !== 'string');
  return untagged === -1 ? null : `card element ${untagged} has no tag`;
}

export function shown(msgType: string, body: Record<string, unknown>): FeishuShown {
  if (msgType === 'interactive') return shownCard(body.card);
  if (msgType === 'post') return shownPost(recordAt(body, 'content', 'post') ?? {});
  const text = stringAt(body, 'content', 'text') ?? `[${msgType}]`;
  return { title: text.split('\n')[0], text, mentions: capturesOf(AT_TAG, text), link: firstUrl(text) };
}

function shownPost(post: Record<string, unknown>): FeishuShown {
  const locale = post.zh_cn ?? post.en_us ?? Object.values(post)[0];
  const rows = arrayAt(locale, 'content') ?? [];
  const mentions: string[] = [];
  const lines = rows.map((row) =>
    (Array.isArray(row) ? row : [])
      .map((element) => {
        const tag = stringAt(element, 'tag');
        if (tag === 'at') {
          const id = stringAt(element, 'user_id') ?? '';
          if (id) mentions.push(id);
          return `@${stringAt(element, 'user_name') ?? id}`;
        }
        if (tag === 'a') return `${stringAt(element, 'text') ?? ''} (${stringAt(element, 'href') ?? ''})`;
        return stringAt(element, 'text') ?? '';
      })
      .join(''),
  );
  return { title: stringAt(locale, 'title'), text: lines.join('\n'), mentions: [...new Set(mentions)], link: firstUrl(rows) };
}

function shownCard(card: unknown): FeishuShown {
  const title = stringAt(card, 'header', 'title', 'content');
  const elements = stringAt(card, 'schema') === '2.0' ? at(card, 'body', 'elements') : at(card, 'elements');
  const texts = contentsOf(elements);
  const text = texts.join('\n');
  return { title, text: title ? `${title}\n${text}` : text, mentions: capturesOf(AT_TAG, text), link: firstUrl(elements) };
}

/** The `content` strings of a card's text objects and markdown elements, depth first. */
function contentsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(contentsOf);
  if (!isRecord(value)) return [];
  const own = typeof value.content === 'string' ? [value.content] : [];
  return [
    ...own,
    ...Object.entries(value)
      .filter(([key]) => key !== 'content')
      .flatMap(([, child]) => contentsOf(child)),
  ];
}
