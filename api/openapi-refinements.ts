import { ZoneRulesProvider } from '@js-joda/core';
import type { z } from 'zod';
import {
  actionSchema,
  attributesSchema,
  calendarSchema,
  conditionSchema,
  DAY,
  durationSchema,
  HOUR,
  isKnownTimezone,
  MAX_DURATION_MS,
  MINUTE,
  sopSchema,
  stageSchema,
  teamSchema,
} from '../domain';

type JsonSchema = Record<string, unknown>;

/**
 * A regex for the decimal numbers 1..max written with at most `width` digits, leading zeros
 * allowed (as `\d{1,9}` allows them): one alternative per length of the significant digits.
 */
export function positiveUpTo(max: number, width: number): string {
  const digits = String(max);
  const more = (count: number) => (count > 0 ? `[0-9]{${count}}` : '');
  const zeros = (length: number) => (width > length ? `0{0,${width - length}}` : '');
  const groups: string[] = [];
  for (let length = 1; length < digits.length; length += 1) groups.push(`${zeros(length)}[1-9]${more(length - 1)}`);
  // Numbers as long as max: below it at the first digit that differs, or max itself.
  const full: string[] = [];
  for (let i = 0; i < digits.length; i += 1) {
    const low = i === 0 ? 1 : 0;
    const high = Number(digits[i]) - 1;
    if (high >= low) full.push(`${digits.slice(0, i)}[${low}-${high}]${more(digits.length - i - 1)}`);
  }
  full.push(digits);
  groups.push(`${zeros(digits.length)}(?:${full.join('|')})`);
  return groups.map((group) => `(?:${group})`).join('|');
}

/** A duration as the schema and the lint accept it: 1 to 9 digits, positive, at most 100 years. */
export const DURATION_DOC_PATTERN = `^(?:${(
  [
    ['s', 1_000],
    ['m', MINUTE],
    ['h', HOUR],
    ['d', DAY],
    ['w', 7 * DAY],
  ] as const
)
  .map(([unit, ms]) => `(?:${positiveUpTo(Math.min(999_999_999, Math.floor(MAX_DURATION_MS / ms)), 9)})${unit}`)
  .join('|')})$`;

/** Every time zone name the lint knows (`ZoneId.of` also takes offsets such as "+08:00"; the document lists names). */
function timeZones(): string[] {
  const names = new Set(['UTC', ...ZoneRulesProvider.getAvailableZoneIds()]);
  return [...names].filter((name) => name.length <= 64 && isKnownTimezone(name)).sort();
}

const unwrap = (schema: z.ZodType): z.ZodType => ('unwrap' in schema ? (schema as unknown as { unwrap(): z.ZodType }).unwrap() : schema);
const updateDeal = actionSchema.options.find((option) => option.shape.type.value === 'update_deal');

/**
 * What the zod schemas check with refinements, and the SOP lint checks on its own, said in JSON
 * Schema wherever one value decides it, so the document accepts what the API accepts (checks across
 * fields remain prose: `warnAfter` before `breachAfter`, `hours.start` before `hours.end`, unique
 * stage ids). Keyed by the very zod schema objects that validate requests.
 */
const REFINEMENTS = new Map<z.ZodType, (json: JsonSchema) => void>([
  [durationSchema, (json) => Object.assign(json, { pattern: DURATION_DOC_PATTERN })],
  [unwrap(calendarSchema.shape.timezone), (json) => Object.assign(json, { enum: timeZones() })],
  [unwrap(calendarSchema.shape.workdays), (json) => Object.assign(json, { minItems: 1, uniqueItems: true })],
  [unwrap(stageSchema.shape.deliverables), (json) => Object.assign(json, { uniqueItems: true })],
  [
    conditionSchema.shape.field,
    (json) =>
      Object.assign(json, {
        pattern: '^(?:amount|currency|customer\\.tier|customer\\.industryRank|attributes\\.[A-Za-z][A-Za-z0-9_-]{0,63})$',
      }),
  ],
  // At least one stage without a skipWhen: a deal can never skip them all.
  [sopSchema.shape.stages, (json) => Object.assign(json, { contains: { type: 'object', not: { required: ['skipWhen'] } } })],
  [teamSchema, (json) => Object.assign(json, { maxProperties: 20 })],
  [attributesSchema, (json) => Object.assign(json, { maxProperties: 50 })],
  ...(updateDeal ? [[updateDeal as z.ZodType, (json: JsonSchema) => Object.assign(json, { minProperties: 2 })] as const] : []),
]);

/** `z.toJSONSchema`'s `override`: applies `REFINEMENTS`. */
export function refineJsonSchema(ctx: { zodSchema: unknown; jsonSchema: JsonSchema }): void {
  REFINEMENTS.get(ctx.zodSchema as z.ZodType)?.(ctx.jsonSchema);
}
