/**
 * A `notify` entry: a role (`manager`), or a role followed by `.manager` once or more
 * (`owner.manager`, `manager.manager`): that person's manager in the people directory, and so on up.
 */
export const NOTIFY_ENTRY = /^[a-z][a-z0-9-]{0,62}(\.manager){0,5}$/;
export const NOTIFY_ENTRY_HINT =
  'a notify entry is a role (lower-case letters, digits and dashes, e.g. "manager"), optionally followed by ".manager" up to 5 times, e.g. "owner.manager" or "manager.manager"';

/** The role an entry starts from and how many managers up it climbs. */
export function notifyPath(entry: string): { readonly role: string; readonly ups: number } {
  const [role, ...rest] = entry.split('.');
  return { role, ups: rest.length };
}
