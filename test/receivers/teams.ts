import { randomBytes } from 'node:crypto';
import { bodyProblem, cardLines, firstOpenUrl, mentionTags } from './adaptive-card';
import { arrayAt, isRecord, parseJson, recordAt, stringAt } from './json';
import { accept, refuse, requestUrl, type CheckRequest, type CheckResult } from './received';
import { sameText } from './secure-compare';
import { firstUrl, utf8Bytes } from './text';

/**
 * `teams`: a Microsoft Teams channel's Workflows webhook, the template "Post to a channel when a
 * webhook request is received". Rules from "Create incoming webhooks with Workflows for Microsoft
 * Teams" (https://support.microsoft.com/office/create-incoming-webhooks-with-workflows-for-microsoft-teams-8ae491c7-0394-4861-ba59-055e33f75498),
 * "Format cards in Microsoft Teams" (https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format,
 * the mention entities, read in the search corpus) and the Adaptive Cards schema; from knowledge:
 * POST `…/workflows/<id>/triggers/manual/paths/invoke?api-version=…&sp=…&sv=1.0&sig=<sig>` with
 * `{type:"message", attachments:[{contentType:"application/vnd.microsoft.card.adaptive",
 * content:{type:"AdaptiveCard", version, body}}]}`, a message of at most 28 KB; each `<at>X</at>`
 * needs its `msteams.entities` mention. The trigger answers 202 with no body; a wrong `sig` is 401
 * from Power Automate. The real trigger answers 202 before the flow runs and a bad card fails in the
 * flow's run history instead; this receiver answers that failure as 400 so the sender sees it.
 */

export interface TeamsSettings {
  readonly workflowId: string;
  /** The `sig` query parameter: the URL's credential. */
  readonly sig: string;
}

export const TEAMS_MAX_BYTES = 28 * 1024;
const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';

export function defaults(given: Partial<TeamsSettings>): TeamsSettings {
  return { workflowId: given.workflowId ?? randomBytes(16).toString('hex'), sig: given.sig ?? randomBytes(32).toString('base64url') };
}

function workflowPath(settings: TeamsSettings): string {
  return `/workflows/${settings.workflowId}/triggers/manual/paths/invoke`;
}

export function endpointPath(settings: TeamsSettings): string {
  return `${workflowPath(settings)}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${encodeURIComponent(settings.sig)}`;
}

function failure(status: number, code: string, message: string): CheckResult {
  return refuse(status, JSON.stringify({ error: { code, message } }), message);
}

function cardProblem(card: Record<string, unknown>): string | null {
  if (card.type !== 'AdaptiveCard') return 'content.type must be AdaptiveCard';
  const version = card.version;
  if (typeof version !== 'string' || !/^1\.[0-5]$/.test(version)) return `content.version ${JSON.stringify(version)} is not 1.0 to 1.5`;
  const body = arrayAt(card, 'body');
  if (!body) return 'content.body must be an array';
  return bodyProblem(body);
}

/** The ids of the card's mentions, or why they do not resolve. */
function mentionsOf(card: Record<string, unknown>, lines: readonly string[]): { ids: string[] } | { problem: string } {
  const entities = (arrayAt(card, 'msteams', 'entities') ?? []).filter((entity) => stringAt(entity, 'type') === 'mention');
  const ids: string[] = [];
  for (const tag of mentionTags(lines)) {
    const entity = entities.find((candidate) => stringAt(candidate, 'text') === tag);
    const id = stringAt(entity, 'mentioned', 'id');
    if (!entity) return { problem: `${tag} has no msteams.entities mention with that text` };
    if (!id) return { problem: `the mention ${tag} has no mentioned.id` };
    ids.push(id);
  }
  return { ids: [...new Set(ids)] };
}

export function check(request: CheckRequest, settings: TeamsSettings, nowMs: number): CheckResult {
  const url = requestUrl(request);
  if (!url || url.pathname !== workflowPath(settings)) {
    return failure(404, 'WorkflowNotFound', 'The workflow could not be found.');
  }
  if (!sameText(url.searchParams.get('sig') ?? '', settings.sig)) {
    return failure(401, 'DirectApiInvalidAuthorizationSignature', 'The provided authorization signature is invalid.');
  }
  const bytes = utf8Bytes(request.body);
  if (bytes > TEAMS_MAX_BYTES) return failure(400, 'MessageTooLarge', `The message is ${bytes} bytes, over 28 KB.`);
  const parsed = parseJson(request.body);
  if (!parsed.ok || !isRecord(parsed.value)) return failure(400, 'InvalidRequestContent', 'The request content is not valid JSON.');
  const body = parsed.value;
  if (body.type !== 'message') return failure(400, 'InvalidRequestContent', 'type must be "message".');
  const attachments = arrayAt(body, 'attachments');
  if (!attachments || attachments.length === 0) return failure(400, 'InvalidRequestContent', 'attachments must hold a card.');
  const wrong = attachments.findIndex((attachment) => stringAt(attachment, 'contentType') !== ADAPTIVE || !recordAt(attachment, 'content'));
  if (wrong !== -1)
    return failure(400, 'InvalidRequestContent', `attachments[${wrong}] is not an Adaptive Card (contentType ${ADAPTIVE}).`);

  const cards = attachments.map((attachment) => recordAt(attachment, 'content') ?? {});
  const lines: string[] = [];
  const mentions: string[] = [];
  for (const [index, card] of cards.entries()) {
    const problem = cardProblem(card);
    if (problem) return failure(400, 'InvalidRequestContent', `attachments[${index}]: ${problem}.`);
    const cardText = cardLines(arrayAt(card, 'body') ?? []);
    const found = mentionsOf(card, cardText);
    if ('problem' in found) return failure(400, 'InvalidRequestContent', `attachments[${index}]: ${found.problem}.`);
    lines.push(...cardText);
    mentions.push(...found.ids);
  }
  return accept(202, '', {
    format: 'teams',
    at: nowMs,
    title: lines[0],
    text: lines.join('\n'),
    mentions: [...new Set(mentions)],
    body,
    link: firstOpenUrl(cards[0]) ?? firstUrl(lines),
  });
}
