import { arrayAt, isRecord, stringAt } from './json';
import { capturesOf } from './text';

/**
 * Reading an Adaptive Card as Teams shows it ("Adaptive Cards" schema, https://adaptivecards.io/explorer/,
 * and "Format cards in Microsoft Teams", https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format,
 * read in the search corpus): text in TextBlock `text`, FactSet `facts`, RichTextBlock `inlines`;
 * containers nest elements in `items`, `columns`, `rows`/`cells`; a mention is `<at>Name</at>` in
 * text with a `msteams.entities` entry `{type:"mention", text:"<at>Name</at>", mentioned:{id,name}}`.
 */

/** Every element type Teams renders, up to schema 1.5. */
const ELEMENT_TYPES = new Set([
  'TextBlock',
  'RichTextBlock',
  'FactSet',
  'Image',
  'ImageSet',
  'Media',
  'Container',
  'ColumnSet',
  'Column',
  'ActionSet',
  'Table',
  'Input.Text',
  'Input.Number',
  'Input.Date',
  'Input.Time',
  'Input.Toggle',
  'Input.ChoiceSet',
]);

/** What a container's children may be besides elements. */
const NESTED_TYPES = new Set([...ELEMENT_TYPES, 'TableRow', 'TableCell']);

const CHILDREN = ['items', 'columns', 'rows', 'cells'] as const;

/** The elements of a card body, depth first, with their children. */
function walk(elements: readonly unknown[]): Record<string, unknown>[] {
  return elements.flatMap((element) => {
    if (!isRecord(element)) return [];
    const children = CHILDREN.flatMap((key) => arrayAt(element, key) ?? []);
    return [element, ...walk(children)];
  });
}

/** Why Teams would not render these body elements, or null. */
export function bodyProblem(body: readonly unknown[]): string | null {
  for (const [index, element] of body.entries()) {
    const type = stringAt(element, 'type');
    if (!type) return `body[${index}] has no type`;
    if (!ELEMENT_TYPES.has(type)) return `body[${index}] has an unknown type ${type}`;
  }
  const unknown = walk(body).find((element) => typeof element.type === 'string' && !NESTED_TYPES.has(element.type));
  return unknown ? `a nested element has the unknown type ${String(unknown.type)}` : null;
}

/** The card's text, one line for each text, fact and rich text block. */
export function cardLines(body: readonly unknown[]): string[] {
  return walk(body).flatMap((element) => {
    switch (element.type) {
      case 'TextBlock':
        return typeof element.text === 'string' ? [element.text] : [];
      case 'FactSet':
        return (arrayAt(element, 'facts') ?? []).map((fact) => `${stringAt(fact, 'title') ?? ''}: ${stringAt(fact, 'value') ?? ''}`);
      case 'RichTextBlock':
        return [
          (arrayAt(element, 'inlines') ?? [])
            .map((inline) => (typeof inline === 'string' ? inline : (stringAt(inline, 'text') ?? '')))
            .join(''),
        ];
      default:
        return [];
    }
  });
}

/** The `<at>…</at>` tags in the card's text, as written (`<at>Name</at>`). */
export function mentionTags(lines: readonly string[]): string[] {
  return capturesOf(/(<at>[^<]*<\/at>)/, lines.join('\n'));
}

/** The first `Action.OpenUrl` (in `actions`, an ActionSet or a selectAction), depth first. */
export function firstOpenUrl(card: Record<string, unknown>): string | undefined {
  const body = arrayAt(card, 'body') ?? [];
  const actions = [
    ...walk(body).flatMap((element) => [...(arrayAt(element, 'actions') ?? []), element.selectAction]),
    ...(arrayAt(card, 'actions') ?? []),
  ];
  const open = actions.find((action) => stringAt(action, 'type') === 'Action.OpenUrl' && stringAt(action, 'url'));
  return stringAt(open, 'url');
}
