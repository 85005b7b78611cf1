import { z } from 'zod';

const base = { id: z.string().min(1).max(300), dealId: z.string().min(1).max(128), at: z.iso.datetime() };
const stage = z.string().min(1).max(63);
const text = z.string().max(10_000);
const ms = z.number().finite().min(0);

/**
 * What a deal tells its SOP's analytics. Each fact is a count or a sample that the aggregate adds
 * up, so facts can arrive late, out of order or twice (the aggregate drops a repeated `id`). The
 * analytics workflow checks every signalled fact against this schema, since anyone may signal.
 * `stage_left` times leave out the time the deal was paused.
 */
export const dealFactSchema = z.discriminatedUnion('kind', [
  z.object({ ...base, kind: z.literal('deal_opened') }),
  z.object({ ...base, kind: z.enum(['stage_entered', 'stage_skipped', 'stage_warned', 'stage_breached', 'escalated']), stage }),
  z.object({
    ...base,
    kind: z.literal('stage_left'),
    stage,
    /** `moved`: ended by `move_to_stage`, or renamed by a migration; its time is not a sample. */
    exit: z.enum(['completed', 'lost', 'moved']),
    wallMs: ms,
    workingMs: ms,
    warned: z.boolean(),
    breached: z.boolean(),
    /** The response protocol (v2.4): whether the visit went idle, and its cadence periods judged and missed. Absent before it. */
    wentIdle: z.boolean().optional(),
    cadencePeriods: z.number().int().min(0).optional(),
    cadenceMissed: z.number().int().min(0).optional(),
  }),
  /** A visit flagged idle, and flagged no more (worked again, or ended). */
  z.object({ ...base, kind: z.enum(['idle_started', 'idle_ended']), stage }),
  /** A cause or plan given, this long after the warning or breach that asked for it. */
  z.object({ ...base, kind: z.literal('response_given'), stage, require: z.enum(['cause', 'plan']), ms }),
  z.object({ ...base, kind: z.literal('task_overdue') }),
  z.object({ ...base, kind: z.enum(['risk_opened', 'risk_closed']), summary: text }),
  /** Undoes the `deal_closed` of a lost deal that was reopened: the same reason and revisions, in the stage it was lost in. */
  z.object({
    ...base,
    kind: z.literal('deal_reopened'),
    stage,
    reason: text.nullable(),
    revisions: z.record(stage, z.number().int().min(0).max(1_000_000)),
    /** When the deal was lost: the week whose loss this undoes. Absent in facts from before weekly figures. */
    lostAt: z.iso.datetime().optional(),
  }),
  z.object({
    ...base,
    kind: z.literal('deal_closed'),
    outcome: z.enum(['won', 'lost']),
    reason: text.nullable(),
    revisions: z.record(stage, z.number().int().min(0).max(1_000_000)),
  }),
]);

export const dealFactBatchSchema = z.object({ sopId: z.string().min(1).max(63), facts: z.array(dealFactSchema).max(10_000) });

export type DealFact = z.infer<typeof dealFactSchema>;
