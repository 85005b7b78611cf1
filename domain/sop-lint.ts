import type { z } from 'zod';
import { isKnownTimezone } from './calendar';
import { clockFor } from './clock';
import { parseDuration } from './duration';
import { pathOf, type Problem } from './problem';
import { isKnownRuleField } from './rules';
import { calendarSchema, sopSchema, type Calendar, type Sop } from './sop-schema';

export type SopCheck = { ok: true; sop: Sop } | { ok: false; problems: Problem[] };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const DEFAULT_CALENDAR: Calendar = calendarSchema.parse({});

/** Problems zod found, one per issue, with the path of each. */
export function schemaProblems(error: z.ZodError): Problem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: `unknown field "${key}"` }))
      : [{ path: pathOf(issue.path), message: issue.message }],
  );
}

/**
 * Checks an SOP definition: the schema and every lint rule, all problems at once. Lint rules read the
 * raw document defensively so that they report alongside schema problems.
 */
export function checkSop(input: unknown): SopCheck {
  const parsed = sopSchema.safeParse(input);
  const problems = [...(parsed.success ? [] : schemaProblems(parsed.error)), ...lintSop(input)];
  const unique = problems.filter(
    (problem, index) => problems.findIndex((p) => p.path === problem.path && p.message === problem.message) === index,
  );
  if (unique.length > 0 || !parsed.success) return { ok: false, problems: unique };
  return { ok: true, sop: parsed.data };
}

export function lintSop(input: unknown): Problem[] {
  if (!isObject(input)) return [];
  const calendarProblems = lintCalendar(input.calendar);
  const calendarParse = calendarSchema.safeParse(input.calendar ?? {});
  const calendar = calendarProblems.length === 0 && calendarParse.success ? calendarParse.data : DEFAULT_CALENDAR;
  const stages = asArray(input.stages);
  return [
    ...calendarProblems,
    ...lintSla(input.requestSla, ['requestSla'], calendar, '48h'),
    ...stages.flatMap((stage, index) => lintStage(stage, ['stages', index], calendar)),
    ...lintStageIds(stages),
    ...(isObject(input.riskPlaybooks)
      ? Object.entries(input.riskPlaybooks).flatMap(([id, playbook]) => lintPlaybook(playbook, ['riskPlaybooks', id]))
      : []),
    ...(stages.length > 0 && stages.every((stage) => isObject(stage) && stage.skipWhen !== undefined)
      ? [
          {
            path: 'stages',
            message: 'every stage has a skipWhen rule, so a deal could skip them all; leave at least one stage without one',
          },
        ]
      : []),
  ];
}

function lintCalendar(calendar: unknown): Problem[] {
  if (!isObject(calendar)) return [];
  const problems: Problem[] = [];
  if (typeof calendar.timezone === 'string' && !isKnownTimezone(calendar.timezone)) {
    problems.push({
      path: 'calendar.timezone',
      message: `unknown time zone "${calendar.timezone}"; use an IANA name such as "Asia/Shanghai"`,
    });
  }
  if (Array.isArray(calendar.workdays) && calendar.workdays.length === 0) {
    problems.push({ path: 'calendar.workdays', message: 'workdays is empty; list at least one ISO weekday (Monday = 1)' });
  }
  if (Array.isArray(calendar.workdays) && new Set(calendar.workdays).size !== calendar.workdays.length) {
    problems.push({ path: 'calendar.workdays', message: 'workdays lists a day twice' });
  }
  const hours = calendar.hours;
  if (isObject(hours) && typeof hours.start === 'string' && typeof hours.end === 'string' && hours.start >= hours.end) {
    problems.push({ path: 'calendar.hours', message: `hours.start (${hours.start}) must be before hours.end (${hours.end})` });
  }
  return problems;
}

function isDuration(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,9}[smhdw]$/.test(value);
}

function lintPositive(value: unknown, path: PropertyKey[], what: string): Problem[] {
  return isDuration(value) && parseDuration(value).amount === 0
    ? [{ path: pathOf(path), message: `${what} of zero; use a positive duration such as "1h"` }]
    : [];
}

function lintSla(sla: unknown, path: PropertyKey[], calendar: Calendar, defaultBreachAfter?: string): Problem[] {
  if (!isObject(sla)) return [];
  const breachAfter = sla.breachAfter ?? defaultBreachAfter;
  const problems = [
    ...lintPositive(sla.warnAfter, [...path, 'warnAfter'], 'a warnAfter'),
    ...lintPositive(sla.breachAfter, [...path, 'breachAfter'], 'a breachAfter'),
  ];
  const clock = clockFor(sla.clock === 'business' ? 'business' : 'continuous', calendar);
  if (isDuration(sla.warnAfter) && isDuration(breachAfter) && clock.lengthMs(sla.warnAfter) >= clock.lengthMs(breachAfter)) {
    problems.push({
      path: pathOf([...path, 'warnAfter']),
      message: `warnAfter (${sla.warnAfter}) must be shorter than breachAfter (${breachAfter})`,
    });
  }
  return problems;
}

function lintStage(stage: unknown, path: PropertyKey[], calendar: Calendar): Problem[] {
  if (!isObject(stage)) return [];
  const deliverables = asArray(stage.deliverables);
  return [
    ...lintSla(stage.sla, [...path, 'sla'], calendar),
    ...lintPositive(stage.idleAfter, [...path, 'idleAfter'], 'an idleAfter'),
    ...lintResponse(stage, 'onYellow', path),
    ...lintResponse(stage, 'onRed', path),
    ...asArray(stage.escalations).flatMap((escalation, index) =>
      isObject(escalation)
        ? [
            ...lintPositive(escalation.after, [...path, 'escalations', index, 'after'], 'an escalation after'),
            ...lintPositive(escalation.repeatEvery, [...path, 'escalations', index, 'repeatEvery'], 'a repeatEvery'),
          ]
        : [],
    ),
    ...deliverables.flatMap((deliverable, index) =>
      deliverables.indexOf(deliverable) !== index
        ? [{ path: pathOf([...path, 'deliverables', index]), message: `deliverable "${String(deliverable)}" is listed twice` }]
        : [],
    ),
    ...lintRuleFields(stage.skipWhen, [...path, 'skipWhen']),
  ];
}

/** A response is asked for when the stage's SLA warns (breaches): a stage without that clock can never ask. */
function lintResponse(stage: Record<string, unknown>, field: 'onYellow' | 'onRed', path: PropertyKey[]): Problem[] {
  const rule = stage[field];
  if (!isObject(rule)) return [];
  const sla = isObject(stage.sla) ? stage.sla : null;
  const clock = field === 'onYellow' ? sla?.warnAfter : sla;
  return [
    ...lintPositive(rule.within, [...path, field, 'within'], 'a within'),
    ...(clock === undefined || clock === null
      ? [
          {
            path: pathOf([...path, field, 'within']),
            message:
              field === 'onYellow'
                ? 'the stage never turns yellow: onYellow needs sla.warnAfter'
                : 'the stage never turns red: onRed needs an sla',
          },
        ]
      : []),
  ];
}

function lintPlaybook(playbook: unknown, path: PropertyKey[]): Problem[] {
  if (!isObject(playbook)) return [];
  const steps = asArray(playbook.steps);
  const ids = steps.map((step) => (isObject(step) ? step.id : undefined));
  return steps.flatMap((step, index) =>
    isObject(step)
      ? [
          ...lintPositive(step.dueIn, [...path, 'steps', index, 'dueIn'], 'a dueIn'),
          ...(step.id !== undefined && ids.indexOf(step.id) !== index
            ? [{ path: pathOf([...path, 'steps', index, 'id']), message: `step id "${String(step.id)}" is used twice in this playbook` }]
            : []),
        ]
      : [],
  );
}

function lintRuleFields(rule: unknown, path: PropertyKey[]): Problem[] {
  if (!isObject(rule)) return [];
  if (typeof rule.field === 'string' && !isKnownRuleField(rule.field)) {
    return [
      {
        path: pathOf([...path, 'field']),
        message: `unknown field "${rule.field}"; use amount, currency, customer.tier, customer.industryRank or attributes.<name>`,
      },
    ];
  }
  return [
    ...asArray(rule.all).flatMap((child, index) => lintRuleFields(child, [...path, 'all', index])),
    ...asArray(rule.any).flatMap((child, index) => lintRuleFields(child, [...path, 'any', index])),
    ...lintRuleFields(rule.not, [...path, 'not']),
  ];
}

function lintStageIds(stages: unknown[]): Problem[] {
  const ids = stages.map((stage) => (isObject(stage) ? stage.id : undefined));
  return ids.flatMap((id, index) =>
    id !== undefined && ids.indexOf(id) !== index
      ? [{ path: pathOf(['stages', index, 'id']), message: `stage id "${String(id)}" is used twice` }]
      : [],
  );
}
