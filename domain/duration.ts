/** A duration as the SOP writes it: a positive integer and a unit, e.g. `48h`, `30d`, `2w`. */
export type DurationUnit = 's' | 'm' | 'h' | 'd' | 'w';
export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
}

export const DURATION_PATTERN = /^(\d{1,9})([smhdw])$/;

/** No SLA runs longer than this; it keeps every deadline a valid date. */
export const MAX_DURATION_MS = 100 * 365 * 24 * 60 * 60 * 1000;

export function parseDuration(text: string): Duration {
  const match = DURATION_PATTERN.exec(text);
  if (!match) throw new RangeError(`Not a duration: "${text}"; write an integer and a unit (s m h d w), e.g. "48h"`);
  return { amount: Number(match[1]), unit: match[2] as DurationUnit };
}

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

const UNIT_MS: Record<'s' | 'm' | 'h', number> = { s: SECOND, m: MINUTE, h: HOUR };

/**
 * Milliseconds of a duration, given how long one day and one week are on the clock in use:
 * wall time on the continuous clock, working time on the business clock.
 */
export function durationMs(duration: Duration, dayMs: number, weekMs: number): number {
  switch (duration.unit) {
    case 'd':
      return duration.amount * dayMs;
    case 'w':
      return duration.amount * weekMs;
    default:
      return duration.amount * UNIT_MS[duration.unit];
  }
}
