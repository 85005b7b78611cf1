import { z } from 'zod';
import {
  actionSchema,
  checkSop,
  DEAL_ID,
  openDealSchema,
  ruleSchema,
  schemaProblems,
  SOP_ID,
  sopSchema,
  STAGE_ID,
  SUBJECT,
  subjectSchema,
  tierSchema,
  DELIVERY_STATES,
  endpointInputSchema,
  endpointPatchSchema,
  personSchema,
  type DeliveryState,
  type Problem,
} from '../domain';

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

/** `GET /v1/risks` (`CONTRACT.md` v2.4): the weekly risk review's filters. */
export const riskListQuery = z.strictObject({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  owner: z.string().regex(SUBJECT, 'an owner is letters, digits and . _ @ -, at most 128').optional(),
  sopId: z.string().regex(SOP_ID, 'an SOP id is 2 to 63 lower-case letters, digits and dashes').optional(),
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

const instant = z.iso.datetime({ offset: true });
/** `POST /v1/sops/:id/simulations` (`CONTRACT.md` v2.2): a draft, and which of the SOP's deals to replay. */
export const simulationBody = z.strictObject({
  sop: sopSchema,
  deals: z
    .strictObject({
      status: z.enum(['closed', 'open', 'all']).default('all'),
      openedFrom: instant.optional(),
      openedTo: instant.optional(),
      limit: z.number().int().min(1).max(5_000, 'at most 5,000 deals').default(1_000),
    })
    .default({ status: 'all', limit: 1_000 }),
});
export type SimulationBody = z.infer<typeof simulationBody>;

/**
 * The body as `simulationBody` describes it, every problem at once: the draft linted as a publish
 * lints it (paths under `sop`), and a period that ends before it starts.
 */
export function checkSimulationBody(input: unknown): Problem[] | SimulationBody {
  const { sop, ...rest } = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : { sop: undefined };
  const outer = simulationBody.omit({ sop: true }).safeParse(rest);
  const found: Problem[] =
    typeof input === 'object' && input !== null && !Array.isArray(input) ? [] : [{ path: '', message: 'expected an object' }];
  if (!outer.success) found.push(...schemaProblems(outer.error));
  const checked = checkSop(sop);
  if (!checked.ok)
    found.push(...checked.problems.map((problem) => ({ path: ['sop', problem.path].filter(Boolean).join('.'), message: problem.message })));
  const period = outer.success ? outer.data.deals : null;
  if (period?.openedFrom && period.openedTo && Date.parse(period.openedFrom) > Date.parse(period.openedTo)) {
    found.push({ path: 'deals.openedTo', message: 'openedTo is before openedFrom' });
  }
  if (found.length > 0 || !outer.success || !checked.ok) return found;
  return { sop: checked.sop, deals: outer.data.deals };
}

/** `from` / `to` of the analytics (`CONTRACT.md` v2.2): ISO instants, `from` not after `to`. */
const periodShape = { from: instant.optional(), to: instant.optional() };
function fromNotAfterTo(period: { from?: string; to?: string }, context: z.RefinementCtx): void {
  if (period.from && period.to && Date.parse(period.from) > Date.parse(period.to)) {
    context.addIssue({ code: 'custom', path: ['to'], message: 'to is before from' });
  }
}
export const periodQuery = z.strictObject(periodShape).superRefine(fromNotAfterTo);
/** `GET /v1/sops/:id/analytics/pace`: the list's filters, over the figures of a period. */
export const paceQuery = dealListQuery
  .pick({ stage: true, owner: true, pageSize: true, pageToken: true })
  .extend(periodShape)
  .superRefine(fromNotAfterTo);

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
  Simulation: simulationBody,
  Problem: problemSchema,
  AlertEndpoint: endpointInputSchema,
  AlertEndpointPatch: endpointPatchSchema,
  Person: personSchema,
} as const;

/** `/v1/alert-endpoints/:id`: a generated id (`ep_…`) or the built-in `default`. */
export const endpointParams = z.strictObject({ id: z.string().regex(/^(ep_[a-z0-9]{1,40}|default)$/, 'not an alert endpoint id') });
export const deliveryParams = endpointParams.extend({
  deliveryId: z.string().regex(/^[A-Za-z0-9_-]{1,120}$/, 'not a delivery id'),
});
/** `GET /v1/alert-endpoints/:id/deliveries`. */
export const deliveriesQuery = z.strictObject({
  state: z.enum(DELIVERY_STATES as [DeliveryState, ...DeliveryState[]]).optional(),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  pageToken: z
    .string()
    .regex(/^\d{1,15}$/, 'not a page token from this list')
    .optional(),
});
export const personParams = z.strictObject({ subject: subjectSchema });
