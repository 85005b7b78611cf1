import { z } from 'zod';
import type { Contact, Recipient } from './deal-state';
import { subjectSchema } from './deal-schema';
import { notifyPath } from './notify-path';

const text = z.string().min(1).max(200);

/** One person in the people directory (`PUT /v1/people/:subject`): every field optional. */
export const personSchema = z.strictObject({
  name: text.optional(),
  manager: subjectSchema.optional(),
  email: text.optional(),
  wecom: text.optional(),
  feishu: text.optional(),
  dingtalk: text.optional(),
  slack: text.optional(),
});
export type Person = z.infer<typeof personSchema>;

/** Everyone the directory knows, by subject. */
export type Directory = Readonly<Record<string, Person>>;

/** A directory as `PEOPLE_FILE` holds it: a map of subject to entry. */
export const directorySchema = z.record(subjectSchema, personSchema);

const CONTACT_FIELDS = ['name', 'email', 'wecom', 'feishu', 'dingtalk', 'slack'] as const;

function contactOf(person: Person | undefined): Contact {
  const contact: Record<string, string> = {};
  for (const field of CONTACT_FIELDS) if (person?.[field]) contact[field] = person[field];
  return contact;
}

function personOf(directory: Directory, subject: string): Person | undefined {
  return Object.prototype.hasOwnProperty.call(directory, subject) ? directory[subject] : undefined;
}

/**
 * The alert's recipients as the directory stands when the alert is sent: each path up the line
 * climbs from the person in its `via` through each `manager` (a missing link, or a loop, ends it at
 * `subject: null`), and every resolved person gains their name and chat ids.
 */
export function addressed(recipients: readonly Recipient[], directory: Directory): Recipient[] {
  return recipients.map((recipient) => {
    const base = { role: recipient.role, subject: recipient.subject, ...(recipient.via && { via: recipient.via }) };
    if (!recipient.via) return recipient.subject === null ? base : { ...base, ...contactOf(personOf(directory, recipient.subject)) };
    const chain = climb(recipient.via[0] ?? null, notifyPath(recipient.role).ups, directory);
    const subject = chain.length === notifyPath(recipient.role).ups + 1 ? chain[chain.length - 1] : null;
    return {
      role: recipient.role,
      subject,
      via: subject === null ? chain : chain.slice(0, -1),
      ...(subject !== null && contactOf(personOf(directory, subject))),
    };
  });
}

/** `from`, then each manager above, up to `ups` steps or until a link is missing or loops back. */
function climb(from: string | null, ups: number, directory: Directory): string[] {
  if (from === null) return [];
  const chain = [from];
  while (chain.length <= ups) {
    const next = personOf(directory, chain[chain.length - 1])?.manager;
    if (!next || chain.includes(next)) break;
    chain.push(next);
  }
  return chain;
}
