import { Instant, type LocalDate, LocalTime, ZoneId, ZonedDateTime } from '@js-joda/core';
// The IANA data ships inside the bundle, so replays compute the same instants on every worker.
import '@js-joda/timezone';
import type { Calendar } from './sop-schema';

/** A working window of one day, as epoch milliseconds. */
interface Window {
  readonly start: number;
  readonly end: number;
}

/** Bounds the day-by-day walk. A deadline further out than this is, for a sales deal, never. */
const MAX_DAYS_WALKED = 366 * 100;

function zoneOf(calendar: Calendar): ZoneId {
  return ZoneId.of(calendar.timezone);
}

function windowOf(date: LocalDate, calendar: Calendar, zone: ZoneId): Window | null {
  if (!calendar.workdays.includes(date.dayOfWeek().value())) return null;
  if (calendar.holidays.includes(date.toString())) return null;
  const start = ZonedDateTime.of(date, LocalTime.parse(calendar.hours.start), zone);
  const end = ZonedDateTime.of(date, LocalTime.parse(calendar.hours.end), zone);
  return { start: start.toInstant().toEpochMilli(), end: end.toInstant().toEpochMilli() };
}

function localDateAt(epochMs: number, zone: ZoneId): LocalDate {
  return ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMs), zone).toLocalDate();
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
 * working hours starts counting at the next working moment.
 */
export function addWorkingTime(fromMs: number, workMs: number, calendar: Calendar): number {
  const zone = zoneOf(calendar);
  let remaining = workMs;
  let date = localDateAt(fromMs, zone);
  for (let day = 0; day < MAX_DAYS_WALKED; day++, date = date.plusDays(1)) {
    const window = windowOf(date, calendar, zone);
    if (!window) continue;
    const start = Math.max(window.start, fromMs);
    if (start >= window.end) continue;
    if (remaining <= window.end - start) return start + remaining;
    remaining -= window.end - start;
  }
  // A calendar with very little working time per week can push a deadline past the walk: it is never
  // reached, and the deal keeps going rather than failing its workflow task on replay.
  return fromMs + MAX_DAYS_WALKED * 24 * 60 * 60 * 1000;
}

/** Working milliseconds between two instants (0 if `toMs` is not after `fromMs`). */
export function workingTimeBetween(fromMs: number, toMs: number, calendar: Calendar): number {
  if (toMs <= fromMs) return 0;
  const zone = zoneOf(calendar);
  const last = localDateAt(toMs, zone);
  let total = 0;
  for (let date = localDateAt(fromMs, zone); !date.isAfter(last); date = date.plusDays(1)) {
    const window = windowOf(date, calendar, zone);
    if (!window) continue;
    total += Math.max(0, Math.min(window.end, toMs) - Math.max(window.start, fromMs));
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
