// The zod schemas workflows check incoming messages with. Load it through `validation()` only (see there).
import { z } from 'zod';
import { actionSchema } from '../domain/action-schema';
import { actorSchema } from '../domain/deal-schema';
import { STAGE_ID } from '../domain/sop-schema';
import { REJECTION_CODES } from '../domain/rejection';

export { dealFactBatchSchema } from '../domain/deal-fact-schema';
export { checkSop } from '../domain/sop-lint';

/** An action as the `act` update or signal carries it; signals arrive unvalidated from any sender. */
export const actRequestSchema = z.object({
  action: actionSchema,
  actor: actorSchema,
  idempotencyKey: z.string().min(1).max(255).optional(),
  bodyHash: z.string().max(200).optional(),
});

/** A refusal the API tells a deal to remember for a keyed request. */
export const refusedRequestSchema = z.object({
  actor: actorSchema,
  idempotencyKey: z.string().min(1).max(255),
  bodyHash: z.string().max(200),
  rejection: z.object({
    rejected: z.literal(true),
    code: z.enum(REJECTION_CODES),
    message: z.string().max(2_000),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

const stageId = z.string().regex(STAGE_ID);

/** `redeliver`: an alert of the deal, by its webhook id. */
export const redeliverRequestSchema = z.object({ alertId: z.string().min(1).max(200), actor: actorSchema });

/** A migration as the `migrate` update and `migrationPreview` query carry it; its `sop` is checked with `checkSop`. */
export const migrateRequestSchema = z.object({
  migrationId: z.string().min(1).max(200),
  sop: z.unknown(),
  stageMap: z.record(stageId, stageId),
  fromVersions: z.array(z.number().int().min(1)).max(1_000).optional(),
  actor: actorSchema,
});
