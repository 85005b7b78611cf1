import type { Actor, Role } from './deal-schema';

/** The role table of `CONTRACT.md`, in one place for the API and the deal itself. */
export const PERMISSIONS: Record<Role, { publishSops: boolean; createDeals: boolean; readAll: boolean; act: boolean; reassign: boolean }> =
  {
    admin: { publishSops: true, createDeals: true, readAll: true, act: true, reassign: true },
    ops: { publishSops: true, createDeals: true, readAll: true, act: true, reassign: true },
    manager: { publishSops: false, createDeals: true, readAll: true, act: true, reassign: true },
    rep: { publishSops: false, createDeals: true, readAll: false, act: true, reassign: false },
    viewer: { publishSops: false, createDeals: false, readAll: true, act: false, reassign: false },
  };

/** True if the actor may read this deal: every role but `rep` reads all, a rep only its own. */
export function canRead(actor: Actor, owner: string): boolean {
  return canReadAll(actor) || actor.subject === owner;
}

/** True if the actor may read every deal, whoever owns it. */
export function canReadAll(actor: Actor): boolean {
  return actor.role === 'system' || PERMISSIONS[actor.role].readAll;
}

/** True if the actor may act on this deal at all. */
export function canAct(actor: Actor, owner: string): boolean {
  return actor.role === 'system' || (PERMISSIONS[actor.role].act && canRead(actor, owner));
}

export function canReassign(actor: Actor): boolean {
  return actor.role === 'system' || PERMISSIONS[actor.role].reassign;
}

/** Moving deals to another SOP version: those who publish SOPs (admin, ops). */
export function canMigrate(actor: Actor): boolean {
  return actor.role === 'system' || PERMISSIONS[actor.role].publishSops;
}

/** Sending an alert again by hand: admin and ops. */
export function canRedeliver(actor: Actor): boolean {
  return canMigrate(actor);
}
