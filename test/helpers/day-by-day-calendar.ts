import { Instant, type LocalDate, LocalTime, ZoneId, ZonedDateTime } from '@js-joda/core';
import '@js-joda/timezone';
import type { Calendar } from '../../domain';

/**
 * The business clock as it was first written: every day walked one by one, nothing skipped. Too
 * slow for a workflow task on some calendars, and obviously right: the oracle the fast clock in
 * `domain/calendar.ts` must agree with to the millisecond, so no deal's deadlines move.
 */
const MAX_DAYS_WALKED = 366 * 100;

function windowOf(date: LocalDate, calendar: Calendar, zone: ZoneId): { start: number; end: number } | null {
  if (!calendar.workdays.includes(date.dayOfWeek().value())) return null;
  if (calendar.holidays.includes(date.toString())) return null;
  const start = ZonedDateTime.of(date, LocalTime.parse(calendar.hours.start), zone);
  const end = ZonedDateTime.of(date, LocalTime.parse(calendar.hours.end), zone);
  return { start: start.toInstant().toEpochMilli(), end: end.toInstant().toEpochMilli() };
}

function localDateAt(epochMs: number, zone: ZoneId): LocalDate {
  return ZonedDateTime.ofInstant(Instant.ofEpochMilli(epochMs), zone).toLocalDate();
}

export function addWorkingTimeDayByDay(fromMs: number, workMs: number, calendar: Calendar): number {
  const zone = ZoneId.of(calendar.timezone);
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
  return fromMs + MAX_DAYS_WALKED * 24 * 60 * 60 * 1000;
}

export function workingTimeBetweenDayByDay(fromMs: number, toMs: number, calendar: Calendar): number {
  if (toMs <= fromMs) return 0;
  const zone = ZoneId.of(calendar.timezone);
  const last = localDateAt(toMs, zone);
  let total = 0;
  for (let date = localDateAt(fromMs, zone); !date.isAfter(last); date = date.plusDays(1)) {
    const window = windowOf(date, calendar, zone);
    if (!window) continue;
    total += Math.max(0, Math.min(window.end, toMs) - Math.max(window.start, fromMs));
  }
  return total;
}
