import { z } from 'zod';
import { SOP_ID } from './sop-schema';

export const DEAL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** Ids that people choose for requests and risks. */
export const ITEM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A person or integration, as API keys name them. */
export const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
/** Starts with a letter, so `__proto__` can never become a key. */
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const ROLE_NAME = /^[a-z][a-z0-9-]{0,62}$/;

export const subjectSchema = z.string().regex(SUBJECT, 'a subject is letters, digits and . _ @ -, at most 128');
export const noteSchema = z.string().max(2000);
export const reasonSchema = z.string().trim().min(1).max(2000);

export const tierSchema = z.enum(['A', 'B', 'C']);
export const customerSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  tier: tierSchema,
  industryRank: z.number().int().min(1).max(1_000_000).optional(),
});
export type Customer = z.infer<typeof customerSchema>;

export const amountSchema = z.number().finite().min(0).max(1e15);
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'a currency is three capital letters, e.g. "CNY"');
export const teamSchema = z
  .record(z.string().regex(ROLE_NAME, 'a role is lower-case letters, digits and dashes'), subjectSchema)
  .refine((team) => Object.keys(team).length <= 20, 'at most 20 roles');
export const attributesSchema = z
  .record(
    z.string().regex(ATTRIBUTE_NAME, 'an attribute name starts with a letter: letters, digits, _ and -'),
    z.union([z.string().max(500), z.number().finite(), z.boolean()]),
  )
  .refine((attributes) => Object.keys(attributes).length <= 50, 'at most 50 attributes');
export type Attributes = z.infer<typeof attributesSchema>;

/** `POST /v1/deals`: what a caller sends to open a deal. */
export const openDealSchema = z.strictObject({
  dealId: z.string().regex(DEAL_ID, 'a dealId is letters, digits and . _ -, at most 128, starting with a letter or digit'),
  sopId: z.string().regex(SOP_ID, 'an SOP id is lower-case letters, digits and dashes'),
  sopVersion: z.number().int().min(1).max(1_000_000).optional(),
  customer: customerSchema,
  amount: amountSchema,
  currency: currencySchema,
  owner: subjectSchema.optional(),
  team: teamSchema.optional(),
  attributes: attributesSchema.optional(),
});
export type OpenDeal = z.infer<typeof openDealSchema>;

export const ROLES = ['admin', 'ops', 'manager', 'rep', 'viewer'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = (typeof ROLES)[number];
/** Who did something: a caller, or `system` for what time produced. */
export interface Actor {
  readonly subject: string;
  readonly role: Role | 'system';
}
export const actorSchema = z.strictObject({ subject: subjectSchema, role: z.enum([...ROLES, 'system']) });
