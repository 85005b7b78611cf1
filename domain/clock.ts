import { addWorkingTime, workingDayMs, workingTimeBetween, workingWeekMs } from './calendar';
import { DAY, durationMs, parseDuration } from './duration';
import type { Calendar, ClockKind } from './sop-schema';

/**
 * An SLA clock: `continuous` counts wall time, `business` counts the calendar's working time.
 * Every deadline in a deal is computed through one of these, with time passed in.
 */
export interface SlaClock {
  /** The instant `duration` after `fromMs` on this clock. */
  add(fromMs: number, duration: string): number;
  /** How much of the interval counts on this clock, in milliseconds. */
  elapsed(fromMs: number, toMs: number): number;
  /** `fromMs` moved later by `ms` of this clock's time. */
  addMs(fromMs: number, ms: number): number;
  /** Length of a duration on this clock, for comparing two durations. */
  lengthMs(duration: string): number;
}

export function clockFor(kind: ClockKind, calendar: Calendar): SlaClock {
  return kind === 'business' ? businessClock(calendar) : continuousClock;
}

const continuousClock: SlaClock = {
  add: (fromMs, duration) => fromMs + continuousClock.lengthMs(duration),
  elapsed: (fromMs, toMs) => Math.max(0, toMs - fromMs),
  addMs: (fromMs, ms) => fromMs + ms,
  lengthMs: (duration) => durationMs(parseDuration(duration), DAY, 7 * DAY),
};

function businessClock(calendar: Calendar): SlaClock {
  const lengthMs = (duration: string): number => durationMs(parseDuration(duration), workingDayMs(calendar), workingWeekMs(calendar));
  return {
    lengthMs,
    add: (fromMs, duration) => addWorkingTime(fromMs, lengthMs(duration), calendar),
    elapsed: (fromMs, toMs) => workingTimeBetween(fromMs, toMs, calendar),
    addMs: (fromMs, ms) => (ms <= 0 ? fromMs : addWorkingTime(fromMs, ms, calendar)),
  };
}
