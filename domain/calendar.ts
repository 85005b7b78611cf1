import { Instant, LocalDate, LocalTime, ZoneId, ZonedDateTime } from '@js-joda/core';
// The IANA data ships inside the bundle, so replays compute the same instants on every worker.
import '@js-joda/timezone';
import type { Calendar } from './sop-schema';

/** A working window of one day, as epoch milliseconds. */
interface Window {
  readonly start: number;
  readonly end: number;
}

/** Bounds the walk. A deadline further out than this is, for a sales deal, never. */
const MAX_DAYS_WALKED = 366 * 100;
const DAY_MS = 24 * 60 * 60 * 1000;
const WEEK_MS = 7 * DAY_MS;
/** About two centuries of weekly samples; more and the memory is cleared and refilled. */
const MAX_OFFSETS_KEPT = 20_000;

/** A calendar with its fields parsed once: the clock reads them for every day it counts. */
interface CompiledCalendar {
  readonly zone: ZoneId;
  readonly start: LocalTime;
  readonly end: LocalTime;
  readonly workdays: ReadonlySet<number>;
  /** Holidays as epoch days, ascending; a string that is no date (`2026-02-31`) matches no day. */
  readonly holidays: readonly number[];
  readonly holidaySet: ReadonlySet<number>;
  /** Working time in one full week with no holiday and no change of UTC offset. */
  readonly weekMs: number;
  /** UTC offsets already looked up, by instant (see `offsetAt`). */
  readonly offsets: Map<number, number>;
}

// Pure and deterministic: the same calendar object always compiles to the same thing.
const compiled = new WeakMap<Calendar, CompiledCalendar>();

function compile(calendar: Calendar): CompiledCalendar {
  const known = compiled.get(calendar);
  if (known) return known;
  const holidays = [...new Set(calendar.holidays.map(epochDayOf).filter((day): day is number => day !== null))].sort((a, b) => a - b);
  const result: CompiledCalendar = {
    zone: ZoneId.of(calendar.timezone),
    start: LocalTime.parse(calendar.hours.start),
    end: LocalTime.parse(calendar.hours.end),
    workdays: new Set(calendar.workdays),
    holidays,
    holidaySet: new Set(holidays),
    weekMs: workingWeekMs(calendar),
    offsets: new Map(),
  };
  compiled.set(calendar, result);
  return result;
}

function epochDayOf(text: string): number | null {
  try {
    return LocalDate.parse(text).toEpochDay();
  } catch {
    return null;
  }
}

function windowOf(date: LocalDate, calendar: CompiledCalendar): Window | null {
  if (!calendar.workdays.has(date.dayOfWeek().value())) return null;
  if (calendar.holidaySet.has(date.toEpochDay())) return null;
  const start = ZonedDateTime.of(date, calendar.start, calendar.zone);
  const end = ZonedDateTime.of(date, calendar.end, calendar.zone);
  return { start: start.toInstant().toEpochMilli(), end: end.toInstant().toEpochMilli() };
}

function localDateAt(epochMs: number, zone: ZoneId): LocalDate {
  return ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMs), zone).toLocalDate();
}

/**
 * The zone's UTC offset in seconds at an instant. Remembered per calendar: the deadlines of one stage
 * entry walk the same weeks again and again (a breach, a warning, up to 20 escalations).
 */
function offsetAt(calendar: CompiledCalendar, epochMs: number): number {
  const known = calendar.offsets.get(epochMs);
  if (known !== undefined) return known;
  if (calendar.offsets.size >= MAX_OFFSETS_KEPT) calendar.offsets.clear();
  const seconds = calendar.zone.rules().offset(Instant.ofEpochMilli(epochMs)).totalSeconds();
  calendar.offsets.set(epochMs, seconds);
  return seconds;
}

/** The first holiday on or after `epochDay`, or Infinity. */
function nextHoliday(calendar: CompiledCalendar, epochDay: number): number {
  const { holidays } = calendar;
  let low = 0;
  let high = holidays.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holidays[middle] < epochDay) low = middle + 1;
    else high = middle;
  }
  return low < holidays.length ? holidays[low] : Infinity;
}

/**
 * How many whole weeks from the start of `date`, at most `limit`, are plain: no holiday in them and
 * no change of UTC offset, so each holds exactly `weekMs` of working time and the clock can count
 * them in one step instead of day by day. The offset is sampled at every week boundary, which sees
 * every change as long as a zone changes its offset at most once in seven days (true of every zone
 * in the IANA data in this century); a week with a change is left to the day-by-day walk.
 */
function plainWeeks(date: LocalDate, limit: number, calendar: CompiledCalendar): number {
  const untilHoliday = Math.floor((nextHoliday(calendar, date.toEpochDay()) - date.toEpochDay()) / 7);
  const most = Math.min(limit, untilHoliday);
  if (most <= 0) return 0;
  // Sampled a millisecond before each boundary: a change at the first midnight itself (a gap at
  // 00:00, as in America/Santiago) shortens that first day's window, so it counts as in the block.
  const lastMsBefore = ZonedDateTime.of(date, LocalTime.MIDNIGHT, calendar.zone).toInstant().toEpochMilli() - 1;
  const offset = offsetAt(calendar, lastMsBefore);
  for (let week = 1; week <= most; week++) {
    if (offsetAt(calendar, lastMsBefore + week * WEEK_MS) !== offset) return week - 1;
  }
  return most;
}

/** Working milliseconds in one working day of this calendar (e.g. 9 h for 09:00–18:00). */
export function workingDayMs(calendar: Calendar): number {
  const start = LocalTime.parse(calendar.hours.start).toSecondOfDay();
  const end = LocalTime.parse(calendar.hours.end).toSecondOfDay();
  return (end - start) * 1000;
}

/** Working milliseconds in one working week: as many working days as `workdays` lists. */
export function workingWeekMs(calendar: Calendar): number {
  return workingDayMs(calendar) * calendar.workdays.length;
}

/**
 * The instant at which `workMs` of working time has passed since `fromMs`. A clock started outside
 * working hours starts counting at the next working moment. Plain weeks are counted a week at a
 * time, so a deadline years out on a calendar of a few minutes a week costs as little as one next
 * week (a deal's workflow task must never run for seconds).
 */
export function addWorkingTime(fromMs: number, workMs: number, calendar: Calendar): number {
  const compiledCalendar = compile(calendar);
  let remaining = workMs;
  let date = localDateAt(fromMs, compiledCalendar.zone);
  for (let day = 0; day < MAX_DAYS_WALKED;) {
    // Past the first (possibly partial) day, whole weeks that cannot hold the deadline are skipped.
    if (day > 0 && compiledCalendar.weekMs > 0 && remaining > compiledCalendar.weekMs) {
      const limit = Math.min(Math.floor((remaining - 1) / compiledCalendar.weekMs), Math.floor((MAX_DAYS_WALKED - day) / 7));
      const weeks = plainWeeks(date, limit, compiledCalendar);
      if (weeks > 0) {
        remaining -= weeks * compiledCalendar.weekMs;
        date = date.plusDays(7 * weeks);
        day += 7 * weeks;
        continue;
      }
    }
    const window = windowOf(date, compiledCalendar);
    if (window) {
      const start = Math.max(window.start, fromMs);
      if (start < window.end) {
        if (remaining <= window.end - start) return start + remaining;
        remaining -= window.end - start;
      }
    }
    date = date.plusDays(1);
    day++;
  }
  // A calendar with very little working time per week can push a deadline past the walk: it is never
  // reached, and the deal keeps going rather than failing its workflow task on replay.
  return fromMs + MAX_DAYS_WALKED * DAY_MS;
}

/** Working milliseconds between two instants (0 if `toMs` is not after `fromMs`). */
export function workingTimeBetween(fromMs: number, toMs: number, calendar: Calendar): number {
  if (toMs <= fromMs) return 0;
  const compiledCalendar = compile(calendar);
  const first = localDateAt(fromMs, compiledCalendar.zone);
  const last = localDateAt(toMs, compiledCalendar.zone);
  let total = 0;
  for (let date = first; !date.isAfter(last);) {
    // Whole weeks strictly between the first and the last (partial) days count a week at a time.
    if (date.isAfter(first)) {
      const weeks = plainWeeks(date, Math.floor((last.toEpochDay() - date.toEpochDay()) / 7), compiledCalendar);
      if (weeks > 0) {
        total += weeks * compiledCalendar.weekMs;
        date = date.plusDays(7 * weeks);
        continue;
      }
    }
    const window = windowOf(date, compiledCalendar);
    if (window) total += Math.max(0, Math.min(window.end, toMs) - Math.max(window.start, fromMs));
    date = date.plusDays(1);
  }
  return total;
}

/** True if `timezone` names a zone in the bundled IANA data. */
export function isKnownTimezone(timezone: string): boolean {
  try {
    ZoneId.of(timezone);
    return true;
  } catch {
    return false;
  }
}

/** One local day of a calendar as an explanation walks it. */
export interface CalendarDay {
  /** `YYYY-MM-DD` in the calendar's zone. */
  readonly date: string;
  /** The day's bounds as epoch milliseconds (midnight to midnight, in the zone). */
  readonly dayStart: number;
  readonly dayEnd: number;
  /** Its working window, the one the business clock counts; null on a day off. */
  readonly window: Window | null;
  readonly off: 'weekend' | 'holiday' | null;
}

/**
 * The local days from the one holding `fromMs` to the one holding `toMs`, at most `limit`, each
 * with the working window the business clock counts (the same `windowOf` it adds and measures with).
 */
export function calendarDays(fromMs: number, toMs: number, calendar: Calendar, limit = MAX_DAYS_WALKED): CalendarDay[] {
  const compiledCalendar = compile(calendar);
  const last = localDateAt(toMs, compiledCalendar.zone);
  const days: CalendarDay[] = [];
  for (let date = localDateAt(fromMs, compiledCalendar.zone); !date.isAfter(last) && days.length < limit; date = date.plusDays(1)) {
    const window = windowOf(date, compiledCalendar);
    const off = window ? null : compiledCalendar.holidaySet.has(date.toEpochDay()) ? 'holiday' : 'weekend';
    days.push({
      date: date.toString(),
      dayStart: ZonedDateTime.of(date, LocalTime.MIDNIGHT, compiledCalendar.zone).toInstant().toEpochMilli(),
      dayEnd: ZonedDateTime.of(date.plusDays(1), LocalTime.MIDNIGHT, compiledCalendar.zone).toInstant().toEpochMilli(),
      window,
      off,
    });
  }
  return days;
}

/** `HH:mm` (`HH:mm:ss` off the minute) of an instant in the calendar's zone (`24:00` for the midnight that ends `dayStart`'s day). */
export function localTime(epochMs: number, calendar: Calendar, dayStart?: number): string {
  const zoned = ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMs), compile(calendar).zone);
  if (dayStart !== undefined && epochMs > dayStart && zoned.toLocalTime().equals(LocalTime.MIDNIGHT)) return '24:00';
  const time = zoned.toLocalTime();
  return time.second() === 0 ? time.toString().slice(0, 5) : time.toString().slice(0, 8);
}

/** A cadence's length: a calendar day or a calendar week (Monday to Sunday) in the calendar's zone. */
export type CadencePer = '1d' | '1w';

/** The first day (or week) boundary strictly after `epochMs`: a local midnight (a Monday's, for weeks). */
function nextBoundary(epochMs: number, per: CadencePer, zone: ZoneId): number {
  let date = localDateAt(epochMs, zone).plusDays(1);
  if (per === '1w') while (date.dayOfWeek().value() !== 1) date = date.plusDays(1);
  return ZonedDateTime.of(date, LocalTime.MIDNIGHT, zone).toInstant().toEpochMilli();
}

/**
 * The end of the cadence period that starts at `startMs`: the end of its calendar day (week). The
 * first period, from the stage's entry, runs to the end of the next one instead when what is left
 * of the entry's is less than half a period (entered on a Friday afternoon, the first week runs to
 * the end of the next).
 */
export function cadenceEnd(startMs: number, per: CadencePer, calendar: Calendar, first: boolean): number {
  const zone = compile(calendar).zone;
  const end = nextBoundary(startMs, per, zone);
  const half = per === '1d' ? DAY_MS / 2 : WEEK_MS / 2;
  return first && end - startMs < half ? nextBoundary(end, per, zone) : end;
}
