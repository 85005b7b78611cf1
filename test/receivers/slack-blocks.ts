import { arrayAt, at, isRecord, stringAt } from './json';

/**
 * Block Kit's limits as Slack enforces them on a message ("Blocks" reference,
 * https://api.slack.com/reference/block-kit/blocks, and "Composition objects",
 * https://api.slack.com/reference/block-kit/composition-objects; from knowledge, the pages were
 * not in the search corpus): at most 50 blocks; a section's text at most 3000 characters and at
 * most 10 fields of 2000; a header's plain_text at most 150; a context at most 10 elements; an
 * actions block at most 25 elements, a button's text at most 75 and its url at most 3000; a
 * block_id at most 255. A violation is answered `invalid_blocks`.
 */

export const MAX_BLOCKS = 50;

type Problem = string | null;

function textObject(value: unknown, where: string, max: number, plainOnly = false): Problem {
  const type = stringAt(value, 'type');
  const text = stringAt(value, 'text');
  if (type !== 'plain_text' && (plainOnly || type !== 'mrkdwn'))
    return `${where}: text type must be ${plainOnly ? 'plain_text' : 'plain_text or mrkdwn'}`;
  if (text === undefined || text.length === 0) return `${where}: text must not be empty`;
  return text.length > max ? `${where}: text is ${text.length} characters, over ${max}` : null;
}

function element(value: unknown, where: string): Problem {
  const type = stringAt(value, 'type');
  if (type === 'button') {
    const url = stringAt(value, 'url');
    if (url !== undefined && url.length > 3000) return `${where}: button url over 3000 characters`;
    return textObject(at(value, 'text'), `${where}.text`, 75, true);
  }
  return type ? null : `${where}: element has no type`;
}

function section(block: Record<string, unknown>, where: string): Problem {
  const fields = arrayAt(block, 'fields');
  if (block.text === undefined && !fields) return `${where}: a section needs text or fields`;
  if (block.text !== undefined) {
    const problem = textObject(block.text, `${where}.text`, 3000);
    if (problem) return problem;
  }
  if (fields) {
    if (fields.length > 10) return `${where}: ${fields.length} fields, over 10`;
    for (const [index, field] of fields.entries()) {
      const problem = textObject(field, `${where}.fields[${index}]`, 2000);
      if (problem) return problem;
    }
  }
  return block.accessory === undefined ? null : element(block.accessory, `${where}.accessory`);
}

function elements(block: Record<string, unknown>, where: string, max: number, check: (value: unknown, at: string) => Problem): Problem {
  const list = arrayAt(block, 'elements');
  if (!list || list.length === 0) return `${where}: elements must not be empty`;
  if (list.length > max) return `${where}: ${list.length} elements, over ${max}`;
  for (const [index, value] of list.entries()) {
    const problem = check(value, `${where}.elements[${index}]`);
    if (problem) return problem;
  }
  return null;
}

function contextElement(value: unknown, where: string): Problem {
  return stringAt(value, 'type') === 'image' ? null : textObject(value, where, 3000);
}

function block(value: unknown, where: string): Problem {
  if (!isRecord(value)) return `${where}: a block must be an object`;
  const blockId = value.block_id;
  if (blockId !== undefined && (typeof blockId !== 'string' || blockId.length > 255))
    return `${where}: block_id must be a string of at most 255`;
  switch (value.type) {
    case 'section':
      return section(value, where);
    case 'header':
      return textObject(value.text, `${where}.text`, 150, true);
    case 'divider':
      return null;
    case 'context':
      return elements(value, where, 10, contextElement);
    case 'actions':
      return elements(value, where, 25, element);
    case 'image':
      return stringAt(value, 'alt_text') && (stringAt(value, 'image_url') || at(value, 'slack_file'))
        ? null
        : `${where}: an image needs image_url and alt_text`;
    case 'markdown':
      return (stringAt(value, 'text') ?? '').length <= 12_000 && stringAt(value, 'text')
        ? null
        : `${where}: markdown text must be 1 to 12000 characters`;
    case 'rich_text':
    case 'input':
    case 'file':
    case 'video':
      return null;
    default:
      return `${where}: unknown block type ${JSON.stringify(value.type)}`;
  }
}

/** Why Slack refuses these blocks, or null when it takes them. */
export function blocksProblem(blocks: unknown): Problem {
  if (!Array.isArray(blocks)) return 'blocks must be an array';
  if (blocks.length > MAX_BLOCKS) return `${blocks.length} blocks, over ${MAX_BLOCKS}`;
  for (const [index, value] of blocks.entries()) {
    const problem = block(value, `blocks[${index}]`);
    if (problem) return problem;
  }
  return null;
}

/** The readable text of blocks: headers, sections, fields and context, one line each. */
export function blocksText(blocks: readonly unknown[]): string[] {
  return blocks.flatMap((value) => {
    const texts = [stringAt(value, 'text', 'text'), stringAt(value, 'text')];
    const fields = (arrayAt(value, 'fields') ?? []).map((field) => stringAt(field, 'text'));
    const context = stringAt(value, 'type') === 'context' ? (arrayAt(value, 'elements') ?? []).map((e) => stringAt(e, 'text')) : [];
    return [...texts, ...fields, ...context].filter((text): text is string => !!text);
  });
}
