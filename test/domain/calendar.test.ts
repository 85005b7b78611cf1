import { addWorkingTime, calendarSchema, clockFor, workingTimeBetween, workingWeekMs, type Calendar } from '../../domain';
import { addWorkingTimeDayByDay, workingTimeBetweenDayByDay } from '../helpers/day-by-day-calendar';
import { random } from '../helpers/random';

// Reference weekdays (worked out by hand): 2026-01-01 is a Thursday, so 2026-01-05 is a Monday,
// 2026-01-09 a Friday, 2026-01-10/11 the weekend. 2026-03-08 and 2026-11-01 are Sundays (US DST
// starts / ends). 2026-10-01 is a Thursday; 2026-09-30 a Wednesday; 2026-10-08 a Thursday.

const H = 60 * 60 * 1000;
const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number): string => new Date(ms).toISOString();
const cal = (input: Partial<Calendar> = {}): Calendar => calendarSchema.parse(input);

/** Mon–Fri 09:00–18:00 UTC, no holidays: the default calendar. */
const UTC = cal();
const NEW_YORK = cal({ timezone: 'America/New_York' });
const LOS_ANGELES = cal({ timezone: 'America/Los_Angeles' });
const SHANGHAI = cal({
  timezone: 'Asia/Shanghai',
  holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
});

const addBusiness = (from: string, duration: string, calendar: Calendar): string =>
  iso(clockFor('business', calendar).add(at(from), duration));

describe('addWorkingTime', () => {
  test('CONTRACT example: entered Friday 17:00, 2h business → Monday 10:00', () => {
    // Fri 17:00–18:00 is 1 h; the weekend counts nothing; Mon 09:00 + 1 h = 10:00.
    expect(iso(addWorkingTime(at('2026-01-09T17:00:00.000Z'), 2 * H, UTC))).toBe('2026-01-12T10:00:00.000Z');
    expect(addBusiness('2026-01-09T17:00:00.000Z', '2h', UTC)).toBe('2026-01-12T10:00:00.000Z');
  });

  test('within one working day', () => {
    // Tue 10:00 + 3 h = Tue 13:00.
    expect(iso(addWorkingTime(at('2026-01-06T10:00:00.000Z'), 3 * H, UTC))).toBe('2026-01-06T13:00:00.000Z');
  });

  test('started on a Saturday: counts from Monday 09:00', () => {
    expect(iso(addWorkingTime(at('2026-01-10T12:00:00.000Z'), 1 * H, UTC))).toBe('2026-01-12T10:00:00.000Z');
  });

  test('started before 09:00: counts from 09:00 that day', () => {
    expect(iso(addWorkingTime(at('2026-01-06T07:00:00.000Z'), 1 * H, UTC))).toBe('2026-01-06T10:00:00.000Z');
  });

  test('started after 18:00: counts from 09:00 the next working day', () => {
    expect(iso(addWorkingTime(at('2026-01-06T19:30:00.000Z'), 1 * H, UTC))).toBe('2026-01-07T10:00:00.000Z');
  });

  test('started Friday after 18:00: counts from Monday 09:00', () => {
    expect(iso(addWorkingTime(at('2026-01-09T20:00:00.000Z'), 30 * 60 * 1000, UTC))).toBe('2026-01-12T09:30:00.000Z');
  });

  test('a holiday is skipped', () => {
    // Thu 17:00–18:00 = 1 h; Fri 2026-01-09 is a holiday; weekend; Mon 09:00 + 1 h.
    const calendar = cal({ holidays: ['2026-01-09'] });
    expect(iso(addWorkingTime(at('2026-01-08T17:00:00.000Z'), 2 * H, calendar))).toBe('2026-01-12T10:00:00.000Z');
  });

  test('a holiday on the start day: counts from the next working day', () => {
    const calendar = cal({ holidays: ['2026-01-06'] });
    expect(iso(addWorkingTime(at('2026-01-06T10:00:00.000Z'), 1 * H, calendar))).toBe('2026-01-07T10:00:00.000Z');
  });

  test('a weekend in the middle of a longer duration', () => {
    // Thu 12:00–18:00 = 6 h, Fri 9 h (15 h), Sat/Sun 0, Mon 09:00 + 5 h = 14:00 (20 h).
    expect(iso(addWorkingTime(at('2026-01-08T12:00:00.000Z'), 20 * H, UTC))).toBe('2026-01-12T14:00:00.000Z');
  });

  test('crossing midnight into the next working day', () => {
    // Mon 17:00–18:00 = 1 h, night counts nothing, Tue 09:00 + 2 h = 11:00.
    expect(iso(addWorkingTime(at('2026-01-05T17:00:00.000Z'), 3 * H, UTC))).toBe('2026-01-06T11:00:00.000Z');
  });

  test('a working day that crosses UTC midnight (Los Angeles, UTC-8 in January)', () => {
    // 09:00–18:00 PST = 17:00Z–02:00Z next day. Start Mon 17:30 PST (Tue 01:30Z): 0.5 h on Monday,
    // then Tue 09:00 PST (17:00Z) + 0.5 h = Tue 17:30Z.
    expect(iso(addWorkingTime(at('2026-01-06T01:30:00.000Z'), 1 * H, LOS_ANGELES))).toBe('2026-01-06T17:30:00.000Z');
    // Mon 09:00 PST (17:00Z) + 8 h = Mon 17:00 PST = Tue 01:00Z, still Monday's window.
    expect(iso(addWorkingTime(at('2026-01-05T17:00:00.000Z'), 8 * H, LOS_ANGELES))).toBe('2026-01-06T01:00:00.000Z');
  });

  test('zero working time from inside working hours is the start itself', () => {
    expect(iso(addWorkingTime(at('2026-01-06T10:00:00.000Z'), 0, UTC))).toBe('2026-01-06T10:00:00.000Z');
  });

  test('custom workdays: a Saturday that is a workday counts', () => {
    // Mon–Sat calendar: Fri 17:00–18:00 = 1 h, Sat 09:00 + 1 h = 10:00.
    const calendar = cal({ workdays: [1, 2, 3, 4, 5, 6] });
    expect(iso(addWorkingTime(at('2026-01-09T17:00:00.000Z'), 2 * H, calendar))).toBe('2026-01-10T10:00:00.000Z');
  });
});

describe('business durations: days and weeks', () => {
  test("'1d' business is 9 working hours", () => {
    expect(clockFor('business', UTC).lengthMs('1d')).toBe(9 * H);
    // Tue 10:00 + 9 h: 8 h Tuesday, then Wed 09:00 + 1 h.
    expect(addBusiness('2026-01-06T10:00:00.000Z', '1d', UTC)).toBe('2026-01-07T10:00:00.000Z');
  });

  test("'2d' business from Friday noon lands on Tuesday noon", () => {
    // 18 h: Fri 12–18 (6), Mon 9 (15), Tue 09:00 + 3 = 12:00.
    expect(addBusiness('2026-01-09T12:00:00.000Z', '2d', UTC)).toBe('2026-01-13T12:00:00.000Z');
  });

  test("'1w' business is 5 working days (45 h)", () => {
    expect(clockFor('business', UTC).lengthMs('1w')).toBe(45 * H);
    // Wed 12:00 + 45 h: Wed 6, Thu 9, Fri 9, Mon 9, Tue 9 (42), Wed 09:00 + 3 = 12:00.
    expect(addBusiness('2026-01-07T12:00:00.000Z', '1w', UTC)).toBe('2026-01-14T12:00:00.000Z');
  });

  test("'1w' business has as many days as workdays lists", () => {
    expect(clockFor('business', cal({ workdays: [1, 2, 3, 4, 5, 6] })).lengthMs('1w')).toBe(54 * H);
    expect(clockFor('business', cal({ workdays: [1, 3] })).lengthMs('1w')).toBe(18 * H);
  });

  test("'1d' follows the calendar's daily hours", () => {
    expect(clockFor('business', cal({ hours: { start: '08:30', end: '17:00' } })).lengthMs('1d')).toBe(8.5 * H);
  });

  test('seconds, minutes and hours are working time', () => {
    const clock = clockFor('business', UTC);
    expect(clock.lengthMs('90s')).toBe(90_000);
    expect(clock.lengthMs('15m')).toBe(15 * 60_000);
    // Fri 17:45 + 30 working minutes = Mon 09:15.
    expect(iso(clock.add(at('2026-01-09T17:45:00.000Z'), '30m'))).toBe('2026-01-12T09:15:00.000Z');
  });
});

describe('America/New_York across daylight saving changes', () => {
  test('March 2026: Friday 17:00 EST + 2h → Monday 10:00 EDT (UTC offset -5 → -4)', () => {
    // Fri 2026-03-06 17:00 EST = 22:00Z; 1 h to 18:00 EST (23:00Z); DST starts Sun 03-08;
    // Mon 09:00 EDT = 13:00Z, + 1 h = 14:00Z.
    expect(addBusiness('2026-03-06T22:00:00.000Z', '2h', NEW_YORK)).toBe('2026-03-09T14:00:00.000Z');
  });

  test("March 2026: '1d' from Friday 10:00 EST → Monday 10:00 EDT", () => {
    // Fri 10:00 EST = 15:00Z; 8 h Friday; Mon 09:00 EDT (13:00Z) + 1 h = 14:00Z.
    expect(addBusiness('2026-03-06T15:00:00.000Z', '1d', NEW_YORK)).toBe('2026-03-09T14:00:00.000Z');
  });

  test('March 2026: started on the DST Sunday, counts from Monday 09:00 EDT', () => {
    expect(addBusiness('2026-03-08T12:00:00.000Z', '1h', NEW_YORK)).toBe('2026-03-09T14:00:00.000Z');
  });

  test('working hours are local: 09:00 is 14:00Z before and 13:00Z after the March change', () => {
    // Thu 2026-03-05 09:00 EST = 14:00Z; Tue 2026-03-10 09:00 EDT = 13:00Z.
    expect(addBusiness('2026-03-05T00:00:00.000Z', '1h', NEW_YORK)).toBe('2026-03-05T15:00:00.000Z');
    expect(addBusiness('2026-03-10T00:00:00.000Z', '1h', NEW_YORK)).toBe('2026-03-10T14:00:00.000Z');
  });

  test('November 2026: Friday 17:00 EDT + 2h → Monday 10:00 EST (UTC offset -4 → -5)', () => {
    // Fri 2026-10-30 17:00 EDT = 21:00Z; DST ends Sun 11-01; Mon 09:00 EST = 14:00Z, + 1 h = 15:00Z.
    expect(addBusiness('2026-10-30T21:00:00.000Z', '2h', NEW_YORK)).toBe('2026-11-02T15:00:00.000Z');
  });

  test('workingTimeBetween across the March change counts local working hours', () => {
    // Fri 09:00 EST (14:00Z) → Mon 18:00 EDT (22:00Z): 9 h + 9 h; 80 h of wall time.
    expect(workingTimeBetween(at('2026-03-06T14:00:00.000Z'), at('2026-03-09T22:00:00.000Z'), NEW_YORK)).toBe(18 * H);
  });

  test('workingTimeBetween across the November change', () => {
    // Fri 2026-10-30 09:00 EDT (13:00Z) → Mon 2026-11-02 18:00 EST (23:00Z): 9 h + 9 h.
    expect(workingTimeBetween(at('2026-10-30T13:00:00.000Z'), at('2026-11-02T23:00:00.000Z'), NEW_YORK)).toBe(18 * H);
  });
});

describe('Asia/Shanghai (UTC+8, no DST) with the October holidays', () => {
  test('09:00–18:00 CST is 01:00Z–10:00Z', () => {
    // Mon 2026-09-28 00:00Z is 08:00 CST, before hours: 09:00 CST (01:00Z) + 1 h.
    expect(addBusiness('2026-09-28T00:00:00.000Z', '1h', SHANGHAI)).toBe('2026-09-28T02:00:00.000Z');
    // Mon 10:00 CST (02:00Z) + 1d (9 h) = Tue 10:00 CST.
    expect(addBusiness('2026-09-28T02:00:00.000Z', '1d', SHANGHAI)).toBe('2026-09-29T02:00:00.000Z');
  });

  test('Golden Week 2026-10-01..07 is skipped', () => {
    // Wed 09-30 17:00 CST (09:00Z): 1 h; Oct 1–7 holidays; Thu 10-08 09:00 CST + 1 h = 10:00 CST = 02:00Z.
    expect(addBusiness('2026-09-30T09:00:00.000Z', '2h', SHANGHAI)).toBe('2026-10-08T02:00:00.000Z');
  });

  test('a local date differs from the UTC date', () => {
    // 2026-09-30T20:00Z is Thu 10-01 04:00 CST, a holiday: counts from Thu 10-08 09:00 CST (01:00Z).
    expect(addBusiness('2026-09-30T20:00:00.000Z', '1h', SHANGHAI)).toBe('2026-10-08T02:00:00.000Z');
  });

  test('workingTimeBetween across Golden Week', () => {
    // Sep 30 08:00 CST → Oct 9 08:00 CST: Sep 30 9 h + Oct 8 9 h.
    expect(workingTimeBetween(at('2026-09-30T00:00:00.000Z'), at('2026-10-09T00:00:00.000Z'), SHANGHAI)).toBe(18 * H);
  });
});

describe('workingTimeBetween', () => {
  test('within one day', () => {
    expect(workingTimeBetween(at('2026-01-06T10:00:00.000Z'), at('2026-01-06T12:30:00.000Z'), UTC)).toBe(2.5 * H);
  });

  test('clips to working hours', () => {
    // Tue 07:00 → Tue 20:00: only 09:00–18:00.
    expect(workingTimeBetween(at('2026-01-06T07:00:00.000Z'), at('2026-01-06T20:00:00.000Z'), UTC)).toBe(9 * H);
  });

  test('across a weekend and a holiday', () => {
    // Fri 15:00 → Tue 11:00 with Mon 2026-01-12 a holiday: Fri 3 h + Tue 2 h.
    const calendar = cal({ holidays: ['2026-01-12'] });
    expect(workingTimeBetween(at('2026-01-09T15:00:00.000Z'), at('2026-01-13T11:00:00.000Z'), calendar)).toBe(5 * H);
  });

  test('entirely on a weekend is zero', () => {
    expect(workingTimeBetween(at('2026-01-10T08:00:00.000Z'), at('2026-01-11T20:00:00.000Z'), UTC)).toBe(0);
  });

  test('an empty or backwards interval is zero', () => {
    expect(workingTimeBetween(at('2026-01-06T12:00:00.000Z'), at('2026-01-06T12:00:00.000Z'), UTC)).toBe(0);
    expect(workingTimeBetween(at('2026-01-06T12:00:00.000Z'), at('2026-01-06T10:00:00.000Z'), UTC)).toBe(0);
  });

  test('undoes addWorkingTime for a hand-checked case', () => {
    // Fri 17:00 → Mon 10:00 is the 2 h of the CONTRACT example.
    expect(workingTimeBetween(at('2026-01-09T17:00:00.000Z'), at('2026-01-12T10:00:00.000Z'), UTC)).toBe(2 * H);
  });
});

describe('clockFor', () => {
  test("continuous: '1d' is 24 h and '1w' is 7 days of wall time", () => {
    const clock = clockFor('continuous', UTC);
    expect(clock.lengthMs('1d')).toBe(24 * H);
    expect(clock.lengthMs('1w')).toBe(7 * 24 * H);
    // Fri 17:00 + 1d = Sat 17:00, weekends count.
    expect(iso(clock.add(at('2026-01-09T17:00:00.000Z'), '1d'))).toBe('2026-01-10T17:00:00.000Z');
    expect(iso(clock.add(at('2026-01-09T17:00:00.000Z'), '1w'))).toBe('2026-01-16T17:00:00.000Z');
    expect(iso(clock.add(at('2026-01-09T17:00:00.000Z'), '2h'))).toBe('2026-01-09T19:00:00.000Z');
  });

  test('continuous ignores the calendar, time zone and DST: 1d is 24 h of wall time', () => {
    // Sat 2026-03-07 17:00Z + 24 h = Sun 17:00Z, even though New York's day is 23 h long.
    expect(iso(clockFor('continuous', NEW_YORK).add(at('2026-03-07T17:00:00.000Z'), '1d'))).toBe('2026-03-08T17:00:00.000Z');
  });

  test('continuous: elapsed is wall time, never negative', () => {
    const clock = clockFor('continuous', UTC);
    // Fri 15:00 → Tue 11:00 = 92 h.
    expect(clock.elapsed(at('2026-01-09T15:00:00.000Z'), at('2026-01-13T11:00:00.000Z'))).toBe(92 * H);
    expect(clock.elapsed(at('2026-01-13T11:00:00.000Z'), at('2026-01-09T15:00:00.000Z'))).toBe(0);
    expect(iso(clock.addMs(at('2026-01-09T15:00:00.000Z'), 5 * H))).toBe('2026-01-09T20:00:00.000Z');
  });

  test('business: elapsed is working time and addMs adds working time', () => {
    const clock = clockFor('business', UTC);
    expect(clock.elapsed(at('2026-01-09T15:00:00.000Z'), at('2026-01-13T11:00:00.000Z'))).toBe(3 * H + 9 * H + 2 * H);
    // Fri 16:00 + 4 working h: 2 h Friday, Mon 09:00 + 2 = 11:00.
    expect(iso(clock.addMs(at('2026-01-09T16:00:00.000Z'), 4 * H))).toBe('2026-01-12T11:00:00.000Z');
    expect(iso(clock.addMs(at('2026-01-10T16:00:00.000Z'), 0))).toBe('2026-01-10T16:00:00.000Z');
  });
});

test('a working duration beyond a century of a thin calendar is a deadline that never comes, not an error', () => {
  const thin = calendarSchema.parse({ workdays: [1], hours: { start: '09:00', end: '09:01' } });
  const from = Date.parse('2026-01-05T00:00:00.000Z');
  // 100 years of one working minute a week hold about 5,200 working minutes; ask for a million.
  expect(addWorkingTime(from, 1_000_000 * 60_000, thin)).toBe(from + 366 * 100 * 24 * 3_600_000);
});

describe('the business clock skips plain weeks and agrees with a walk of every day', () => {
  // Fixed offsets, DST at 02:00 and at midnight, half-hour DST, a 45-minute offset, the southern hemisphere.
  const ZONES = [
    'UTC',
    'Asia/Shanghai',
    'America/New_York',
    'Europe/London',
    'America/Santiago',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Chatham',
    'America/Sao_Paulo',
  ];
  const HOURS = [
    ['09:00', '18:00'],
    ['00:00', '23:59'],
    ['01:30', '03:30'],
    ['09:00', '09:01'],
    ['22:00', '23:00'],
  ];
  const pick = <T>(next: () => number, list: readonly T[]): T => list[Math.floor(next() * list.length)];

  function randomCalendar(next: () => number): Calendar {
    const workdays = [1, 2, 3, 4, 5, 6, 7].filter(() => next() < 0.6);
    const [start, end] = pick(next, HOURS);
    const holidays = Array.from({ length: Math.floor(next() * 40) }, () => {
      const day = new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 365 * 8) * 86_400_000);
      return day.toISOString().slice(0, 10);
    });
    if (next() < 0.2) holidays.push('2027-02-30'); // matches the format, is no date: a holiday that never comes
    return cal({ timezone: pick(next, ZONES), workdays: workdays.length ? workdays : [3], hours: { start, end }, holidays });
  }

  test('addWorkingTime and workingTimeBetween: 400 random calendars, instants and durations', () => {
    const next = random(20261204);
    for (let i = 0; i < 400; i++) {
      const calendar = randomCalendar(next);
      const from = Date.UTC(2025, 0, 1) + Math.floor(next() * 365 * 6 * 86_400_000);
      // Up to three years of the calendar's own working time: long walks, none to the 100-year cap.
      const work = Math.floor(next() * [0.2, 3, 30, 150][i % 4] * workingWeekMs(calendar));
      const case_ = { i, calendar: JSON.stringify(calendar), from: iso(from), work };
      expect({ ...case_, at: addWorkingTime(from, work, calendar) }).toEqual({
        ...case_,
        at: addWorkingTimeDayByDay(from, work, calendar),
      });
      const to = from + Math.floor(next() * [2, 40, 400, 1_500][i % 4] * 86_400_000);
      expect({ ...case_, to: iso(to), elapsed: workingTimeBetween(from, to, calendar) }).toEqual({
        ...case_,
        to: iso(to),
        elapsed: workingTimeBetweenDayByDay(from, to, calendar),
      });
    }
  });

  test('a duration of whole weeks ends at the close of the last working day, not at the start of the next week', () => {
    // From Sunday noon: ten weeks of Mon–Fri 09:00–18:00 end on the tenth Friday at 18:00.
    const from = at('2026-01-04T12:00:00.000Z');
    expect(iso(addWorkingTime(from, 10 * 45 * H, UTC))).toBe('2026-03-13T18:00:00.000Z');
    expect(addWorkingTime(from, 10 * 45 * H, UTC)).toBe(addWorkingTimeDayByDay(from, 10 * 45 * H, UTC));
  });

  test('a change of offset at midnight (Chile, 24:00 -> 01:00) shortens the first day of a week', () => {
    const chile = cal({ timezone: 'America/Santiago', workdays: [1, 2, 3, 4, 5, 6, 7], hours: { start: '00:00', end: '23:59' } });
    const dayMs = 23 * H + 59 * 60_000;
    for (let year = 2026; year < 2032; year++) {
      for (const [month, firstDay] of [
        // 0-based months: from 20 March and 20 August, three weeks around the April and September changes.
        [2, 20],
        [7, 20],
      ]) {
        for (let offset = 0; offset < 21; offset++) {
          const from = Date.UTC(year, month, firstDay + offset, 15);
          const work = 3 * 7 * dayMs + 5 * 60_000;
          expect([iso(from), iso(addWorkingTime(from, work, chile))]).toEqual([iso(from), iso(addWorkingTimeDayByDay(from, work, chile))]);
          const to = from + 30 * 86_400_000;
          expect([iso(from), workingTimeBetween(from, to, chile)]).toEqual([iso(from), workingTimeBetweenDayByDay(from, to, chile)]);
        }
      }
    }
  });

  test('across every US daylight-saving change of a decade, on hours that span the change', () => {
    const night = cal({ timezone: 'America/New_York', workdays: [1, 2, 3, 4, 5, 6, 7], hours: { start: '00:00', end: '23:59' } });
    for (let year = 2026; year < 2036; year++) {
      for (const month of [2, 10]) {
        const from = Date.UTC(year, month, 1);
        for (const weeks of [1, 2, 3, 9]) {
          const work = weeks * 7 * (23 * H + 59 * 60_000) + 17 * 60_000;
          expect([year, month, weeks, addWorkingTime(from, work, night)]).toEqual([
            year,
            month,
            weeks,
            addWorkingTimeDayByDay(from, work, night),
          ]);
        }
      }
    }
  });
});
