import { z } from 'zod';
import { actionSchema, DEAL_ID, openDealSchema, ruleSchema, SOP_ID, sopSchema, STAGE_ID, SUBJECT, tierSchema } from '../domain';

/** Path parameters. */
export const dealParams = z.strictObject({ dealId: z.string().regex(DEAL_ID, 'not a dealId') });
export const sopParams = z.strictObject({ id: z.string().regex(SOP_ID, 'not an SOP id') });
export const sopVersionParams = sopParams.extend({ version: z.coerce.number().int().min(1).max(1_000_000) });

/** A page token as `DealService.list` issues it, `<base64url token>.<checksum>`; empty is the first page. */
export const PAGE_TOKEN = /^([A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16})?$/;

/**
 * `GET /v1/deals` filters; every one optional. Each string filter takes only what a stored value can
 * be: anything else (a NUL, say) would reach the visibility query and fail there as a 503.
 */
export const dealListQuery = z.strictObject({
  stage: z.string().regex(STAGE_ID, 'a stage id is lower-case letters, digits and dashes').optional(),
  health: z.enum(['green', 'yellow', 'red']).optional(),
  owner: z.string().regex(SUBJECT, 'an owner is letters, digits and . _ @ -, at most 128').optional(),
  sopId: z.string().regex(SOP_ID, 'an SOP id is 2 to 63 lower-case letters, digits and dashes').optional(),
  status: z.enum(['open', 'won', 'lost']).optional(),
  tier: tierSchema.optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(50),
  pageToken: z.string().max(4096).regex(PAGE_TOKEN, 'not a page token from this API').optional(),
});

export const alertParams = dealParams.extend({ alertId: z.string().regex(/^msg_[A-Za-z0-9_-]{1,100}$/, 'not an alert id') });

export const migrationParams = z.strictObject({ migrationId: z.string().regex(/^mig_[A-Za-z0-9_-]{1,64}$/, 'not a migration id') });

const stageKey = z.string().regex(STAGE_ID, 'a stage id is lower-case letters, digits and dashes');
/** `POST /v1/sops/:id/migrations` (`CONTRACT.md` v2.1). */
export const migrationBody = z.strictObject({
  toVersion: z.number().int().min(1).max(1_000_000),
  fromVersions: z.array(z.number().int().min(1).max(1_000_000)).min(1).max(1_000).optional(),
  stageMap: z
    .record(stageKey, stageKey)
    .refine((map) => Object.keys(map).length <= 500, 'at most 500 stages')
    .optional(),
  dealIds: z.array(z.string().regex(DEAL_ID, 'not a dealId')).min(1).max(1_000, 'at most 1,000 dealIds').optional(),
  dryRun: z.boolean().optional(),
});
export type MigrationBody = z.infer<typeof migrationBody>;

/** `GET /v1/deals/:dealId/timeline`: without either, every event. */
export const timelineQuery = z.strictObject({
  pageSize: z.coerce.number().int().min(1).max(1_000).optional(),
  pageToken: z.string().max(4096).regex(PAGE_TOKEN, 'not a page token from this API').optional(),
});

export const idempotencyKeyHeader = z.string().min(1).max(255);

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

/** The schemas the OpenAPI document names under components. */
export const namedSchemas = {
  Sop: sopSchema,
  Rule: ruleSchema,
  OpenDeal: openDealSchema,
  Action: actionSchema,
  Migration: migrationBody,
  Problem: problemSchema,
} as const;
