import { z } from 'zod';
import { DAY, DURATION_PATTERN, durationMs, MAX_DURATION_MS, parseDuration } from './duration';
import { NOTIFY_ENTRY, NOTIFY_ENTRY_HINT } from './notify-path';
import { RULE_OPS, type Rule } from './rules';

export const SOP_ID = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const STAGE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ROLE = /^[a-z][a-z0-9-]{0,62}$/;
const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** A duration field of the SOP format, e.g. "48h": an integer and a unit, at most 100 years. */
export const durationSchema = z
  .string()
  .regex(DURATION_PATTERN, 'expected an integer and a unit (s m h d w), e.g. "48h" or "30d"')
  // zod runs a refinement even after the regex failed: only measure what is a duration.
  .refine((text) => !DURATION_PATTERN.test(text) || durationMs(parseDuration(text), DAY, 7 * DAY) <= MAX_DURATION_MS, 'at most 100 years');

const scalarSchema = z.union([z.string().max(200), z.number(), z.boolean()]);

export const conditionSchema = z.strictObject({
  field: z.string().min(1).max(200),
  op: z.enum(RULE_OPS),
  value: z.union([scalarSchema, z.array(scalarSchema).max(100)]),
});

export const ruleSchema: z.ZodType<Rule> = z.lazy(() =>
  z.union([
    conditionSchema,
    z.strictObject({ all: z.array(ruleSchema).min(1).max(50) }),
    z.strictObject({ any: z.array(ruleSchema).min(1).max(50) }),
    z.strictObject({ not: ruleSchema }),
  ]),
);

export const clockKindSchema = z.enum(['continuous', 'business']);
export type ClockKind = z.infer<typeof clockKindSchema>;

const roleSchema = z.string().regex(ROLE, 'a role is lower-case letters, digits and dashes, e.g. "manager"');
const rolesSchema = z.array(roleSchema).max(20);
/** Who an alert tells: a role, or a role and its holder's manager up the line (`manager.manager`). */
const notifySchema = z.array(z.string().regex(NOTIFY_ENTRY, NOTIFY_ENTRY_HINT)).max(20);

export const calendarSchema = z.strictObject({
  timezone: z.string().min(1).max(64).default('UTC'),
  workdays: z.array(z.number().int().min(1).max(7)).max(7).default([1, 2, 3, 4, 5]),
  hours: z
    .strictObject({
      start: z.string().regex(TIME_OF_DAY, 'expected HH:MM'),
      end: z.string().regex(TIME_OF_DAY, 'expected HH:MM'),
    })
    .default({ start: '09:00', end: '18:00' }),
  holidays: z.array(z.string().regex(ISO_DATE, 'expected YYYY-MM-DD')).max(1000).default([]),
});
export type Calendar = z.infer<typeof calendarSchema>;

export const slaSchema = z.strictObject({
  warnAfter: durationSchema.optional(),
  breachAfter: durationSchema,
  clock: clockKindSchema.default('continuous'),
});
export type Sla = z.infer<typeof slaSchema>;

export const requestSlaSchema = slaSchema.extend({
  breachAfter: durationSchema.default('48h'),
  notify: notifySchema.min(1).default(['owner', 'manager']),
});
export type RequestSla = z.infer<typeof requestSlaSchema>;

export const escalationSchema = z.strictObject({
  after: durationSchema,
  notify: notifySchema.min(1),
  repeatEvery: durationSchema.optional(),
});
export type Escalation = z.infer<typeof escalationSchema>;

export const raciSchema = z.strictObject({
  responsible: roleSchema.default('owner'),
  accountable: roleSchema.default('manager'),
  consulted: rolesSchema.default([]),
  informed: rolesSchema.default([]),
});
export type Raci = z.infer<typeof raciSchema>;

/** What a rep logs with `log_activity`. */
export const ACTIVITY_KINDS = ['visit', 'call', 'email', 'meeting', 'demo', 'other'] as const;

/** A weekly (daily) target of activities in a stage, e.g. two customer meetings a week (`CONTRACT.md` v2.4). */
export const cadenceSchema = z.strictObject({
  kinds: z.array(z.enum(ACTIVITY_KINDS)).min(1).max(ACTIVITY_KINDS.length),
  atLeast: z.number().int().min(1, 'atLeast is at least 1').max(1_000),
  per: z.enum(['1d', '1w'], 'per is "1d" (a calendar day) or "1w" (a calendar week)'),
});
export type Cadence = z.infer<typeof cadenceSchema>;

/** What a stage asks for when it turns yellow or red, and by when (`CONTRACT.md` v2.4). */
export const responseRuleSchema = z.strictObject({
  /** `cause`: answered by `explain_delay`; `plan`: by `submit_plan`. */
  require: z.enum(['cause', 'plan']),
  /** From the warning (breach) that asks for it, on `clock` (default: the stage's SLA clock). */
  within: durationSchema,
  clock: clockKindSchema.optional(),
  notify: notifySchema.min(1).default(['manager']),
});
export type ResponseRule = z.infer<typeof responseRuleSchema>;

export const stageSchema = z.strictObject({
  id: z.string().regex(STAGE_ID, 'a stage id is lower-case letters, digits and dashes'),
  name: z.string().min(1).max(200),
  deliverables: z.array(z.string().regex(STAGE_ID, 'a deliverable id is lower-case letters, digits and dashes')).max(50).default([]),
  raci: raciSchema.default({ responsible: 'owner', accountable: 'manager', consulted: [], informed: [] }),
  sla: slaSchema.optional(),
  escalations: z.array(escalationSchema).max(20).default([]),
  skipWhen: ruleSchema.optional(),
  /** No action by a person in the stage for this long: `deal.idle`, again every `idleAfter` until one (on the stage's clock). */
  idleAfter: durationSchema.optional(),
  /** Turning yellow (the SLA's warning) asks for this; turning red (its breach) for `onRed`. */
  onYellow: responseRuleSchema.optional(),
  onRed: responseRuleSchema.optional(),
  /** Activity targets per calendar day or week of the SOP's calendar, from the stage's entry. */
  cadence: z.array(cadenceSchema).max(10).optional(),
});
export type Stage = z.infer<typeof stageSchema>;

/** One step of a risk playbook: raising the risk gives the deal a task per step (`CONTRACT.md` v2.4). */
export const playbookStepSchema = z.strictObject({
  id: z.string().regex(STAGE_ID, 'a step id is lower-case letters, digits and dashes'),
  summary: z.string().min(1).max(500),
  /** The role that does it: the deal's owner, or a role of its team. */
  owner: roleSchema,
  /** Due this long after the risk is raised, on the continuous clock. */
  dueIn: durationSchema,
});
export const playbookSchema = z.strictObject({
  name: z.string().min(1).max(200),
  steps: z.array(playbookStepSchema).min(1).max(50),
});
export type Playbook = z.infer<typeof playbookSchema>;

export const sopSchema = z.strictObject({
  id: z.string().regex(SOP_ID, 'an SOP id is 2 to 63 lower-case letters, digits and dashes'),
  version: z.number().int().min(1).max(1_000_000),
  name: z.string().min(1).max(200),
  calendar: calendarSchema.default({
    timezone: 'UTC',
    workdays: [1, 2, 3, 4, 5],
    hours: { start: '09:00', end: '18:00' },
    holidays: [],
  }),
  requestSla: requestSlaSchema.default({ breachAfter: '48h', clock: 'continuous', notify: ['owner', 'manager'] }),
  stages: z.array(stageSchema).min(1).max(50),
  /**
   * Playbooks prepared in advance, by id: `raise_risk` with `playbook` gives the deal their steps as
   * tasks. Absent, not defaulted: SOPs published before it keep their exact content.
   */
  riskPlaybooks: z
    .record(z.string().regex(STAGE_ID, 'a playbook id is lower-case letters, digits and dashes'), playbookSchema)
    .refine((playbooks) => Object.keys(playbooks).length <= 100, 'at most 100 playbooks')
    .optional(),
});
/** A published SOP version, with every default filled in. */
export type Sop = z.infer<typeof sopSchema>;
/** An SOP as an author writes it, before defaults. */
export type SopInput = z.input<typeof sopSchema>;
