// A deal's older events leave it in pages: full pages only, by count or by bytes, never past an
// event the deal must still replay; and the stage visit the deal reads from its timeline is tracked
// one event at a time, the same as the scan over the whole timeline at every point.
import { currentVisit, NO_VISIT, pagesToArchive, trackVisit, utf8Length, visitNow, type DealEvent, type VisitTracker } from '../../domain';
import { random as seeded } from '../helpers/random';
import { analyticsSop, complete, lost, seededTimelines, timelineOf } from '../helpers/seeded-deals';

const note = (n: number, text = `note ${n}`): DealEvent =>
  ({
    type: 'activity_logged',
    at: new Date(Date.UTC(2026, 0, 5, 9, 0, n)).toISOString(),
    actor: 'alice',
    data: { kind: 'call', note: text },
  }) as DealEvent;
const notes = (count: number, text?: (n: number) => string): DealEvent[] => Array.from({ length: count }, (_, n) => note(n, text?.(n)));
const shape = (pages: ReturnType<typeof pagesToArchive>) => pages.map(({ from, count }) => [from, count]);

describe('pagesToArchive', () => {
  test('full pages of pageEvents leave from the front; the unfilled last page stays', () => {
    const pages = pagesToArchive(notes(25), 100, Infinity, { pageEvents: 10, pageBytes: 1e9 });
    expect(shape(pages)).toEqual([
      [100, 10],
      [110, 10],
    ]);
    expect(pages[1].events).toEqual(notes(25).slice(10, 20));
    expect(pagesToArchive(notes(9), 0, Infinity, { pageEvents: 10, pageBytes: 1e9 })).toEqual([]);
    expect(shape(pagesToArchive(notes(10), 0, Infinity, { pageEvents: 10, pageBytes: 1e9 }))).toEqual([[0, 10]]);
  });

  test('a page is full when the next event would take it past pageBytes, counted in UTF-8', () => {
    const size = utf8Length(JSON.stringify(note(0, '商机'.repeat(50))));
    const events = notes(7, () => '商机'.repeat(50));
    // Three events fit in 3 × size bytes; the fourth would not.
    expect(shape(pagesToArchive(events, 0, Infinity, { pageEvents: 1000, pageBytes: 3 * size + 1 }))).toEqual([
      [0, 3],
      [3, 3],
    ]);
  });

  test('an event larger than a page is a page of its own', () => {
    const events = [note(0, 'x'.repeat(5_000)), note(1), note(2, 'y'.repeat(5_000)), note(3)];
    expect(shape(pagesToArchive(events, 0, Infinity, { pageEvents: 1000, pageBytes: 1_000 }))).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  test('no page reaches past keepFrom: events an answer still replays stay with the deal', () => {
    const paging = { pageEvents: 10, pageBytes: 1e9 };
    expect(shape(pagesToArchive(notes(50), 0, 25, paging))).toEqual([
      [0, 10],
      [10, 10],
    ]);
    expect(shape(pagesToArchive(notes(50), 0, 20, paging))).toEqual([
      [0, 10],
      [10, 10],
    ]);
    expect(pagesToArchive(notes(50), 0, 9, paging)).toEqual([]);
  });

  test('utf8Length agrees with Buffer.byteLength on any text', () => {
    const random = seeded(20261204);
    const alphabet = ['a', 'é', '商', '😀', '\u0000', '"', '\ud800'];
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
      expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
    }
  });
});

describe('trackVisit', () => {
  /** The tracked visit after each event equals the scan over the timeline up to it. */
  function expectSameAsScan(events: readonly DealEvent[]): void {
    let tracker: VisitTracker = NO_VISIT;
    for (let end = 0; end <= events.length; end++) {
      expect({ end, visit: visitNow(tracker) }).toEqual({ end, visit: currentVisit(events, end) });
      if (end < events.length) tracker = trackVisit(tracker, events[end]);
    }
  }

  test('on every seeded deal, at every point of its timeline', () => {
    for (const events of seededTimelines()) expectSameAsScan(events);
  });

  test('on random walks through pauses, warnings, breaches, escalations, stage changes and a loss', () => {
    const random = seeded(7);
    for (let walk = 0; walk < 40; walk++) {
      let paused = false;
      let hour = 0;
      let stage = 0;
      const steps: Array<[number, Parameters<typeof timelineOf>[1][number][1]]> = [];
      for (let i = 0; i < 25 && stage < 2; i++) {
        hour += random() * 3;
        const roll = random();
        if (roll < 0.3) {
          steps.push([hour, paused ? { type: 'resume' } : { type: 'pause', reason: 'away' }]);
          paused = !paused;
        } else if (roll < 0.45 && !paused) {
          steps.push([hour, complete(['requirements', 'pricing', 'contract'][stage++])]);
        } else {
          steps.push([hour, { type: 'log_activity', kind: 'call', note: `step ${i}` }]);
        }
      }
      if (random() < 0.5) steps.push([hour + 1, lost('walked away')]);
      expectSameAsScan(timelineOf({ dealId: `walk-${walk}` }, steps, hour + 24, analyticsSop));
    }
  });
});
