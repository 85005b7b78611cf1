// A deal that moves its older events to pages behaves exactly like one that keeps them all: the
// same facts, states and remembered answers; what it carries stays bounded at 50,000 events; and
// its pages plus the events it holds are its whole timeline. Pure: DealSession without Temporal.
import type { Action, DealEvent, DealFact, TimelineEntry, TimelinePage } from '../../domain';
import { timelineEntry } from '../../domain';
import { DealSession, type CarriedDeal } from '../../workflows/deal-session';
import type { ActRequest } from '../../workflows/messages';
import { ALICE, makeOpening } from '../helpers/fixtures';
import { analyticsSop, T0 } from '../helpers/seeded-deals';

const PAGING = { pageEvents: 1_000, pageBytes: 256 * 1024 };

/** A deal session with its hooks recording what it hands on. */
function session(carried?: { deal: CarriedDeal }) {
  const facts: DealFact[] = [];
  const alerts: string[] = [];
  const hooks = {
    onFacts: (batch: DealFact[]) => facts.push(...batch),
    onAlert: (event: { data: { alert: { id: string } } }) => void alerts.push(event.data.alert.id),
    onIncidentsEnded: () => undefined,
  };
  const deal = carried
    ? DealSession.resume(carried.deal, analyticsSop, hooks)
    : DealSession.open(makeOpening({ dealId: 'long-deal' }), analyticsSop, ALICE, new Date(T0).toISOString(), hooks);
  return { deal, facts, alerts };
}

/** The i-th request of a year-long deal: mostly activity, now and then a pause, a request, a keyed retry. */
function requestAt(i: number): ActRequest {
  const action: Action =
    i % 997 === 500
      ? { type: 'pause', reason: 'customer away' }
      : i % 997 === 520
        ? { type: 'resume' }
        : i % 1_500 === 700
          ? { type: 'open_request', requestId: `q${i}`, summary: 'pricing question' }
          : i % 1_500 === 760
            ? { type: 'answer_request', requestId: `q${i - 60}`, note: 'answered' }
            : { type: 'log_activity', kind: i % 3 === 0 ? 'meeting' : 'email', note: `touch ${i} 客户跟进` };
  return { action, actor: ALICE, ...(i % 250 === 0 && { idempotencyKey: `key-${i}`, bodyHash: `hash-${i}` }) };
}
const stored = (pages: TimelinePage[]) => pages.map(({ from, count }) => ({ from, count, workflowId: `page-${from}` }));
const instant = (i: number) => new Date(T0 + i * 10 * 60_000).toISOString();

/** Both deals through the same requests; `paged` continues as new every `every` requests, moving full pages out. */
function drive(total: number, every: number) {
  const whole = session();
  let paged = session();
  const pages = new Map<number, DealEvent[]>();
  const pagedFacts: DealFact[] = [];
  const carriedSizes: number[] = [];
  const answers: Array<[unknown, unknown]> = [];
  for (let i = 1; i <= total; i++) {
    const request = requestAt(i);
    answers.push([whole.deal.act(request, instant(i)), paged.deal.act(request, instant(i))]);
    // A retry of a keyed request from a while ago: the first answer again, however the timeline moved since.
    if (i % 250 === 100 && i > 250) {
      const first = requestAt(i - 100);
      answers.push([whole.deal.act(first, instant(i)), paged.deal.act(first, instant(i))]);
    }
    if (i % every === 0) {
      const moving = paged.deal.pagesToArchive(instant(i), PAGING);
      for (const page of moving) pages.set(page.from, page.events);
      paged.deal.archived(stored(moving), instant(i));
      pagedFacts.push(...paged.facts.splice(0));
      const carried = paged.deal.carry([]);
      carriedSizes.push(Buffer.byteLength(JSON.stringify(carried)));
      paged = session({ deal: JSON.parse(JSON.stringify(carried)) as CarriedDeal });
      paged.facts.splice(0);
    }
  }
  pagedFacts.push(...paged.facts);
  return { whole, paged, pages, pagedFacts, carriedSizes, answers };
}

test('50,000 events: same facts, answers and state as a deal that keeps everything; carried state bounded; whole timeline from pages', () => {
  const { whole, paged, pages, pagedFacts, carriedSizes, answers } = drive(50_000, 2_000);
  expect(whole.deal.timelineLength).toBeGreaterThan(50_000);
  expect(paged.deal.timelineLength).toBe(whole.deal.timelineLength);
  for (const [expected, actual] of answers) expect(actual).toEqual(expected);
  expect(paged.deal.view()).toEqual(whole.deal.view());
  expect(pagedFacts).toEqual(whole.facts);

  // Carried from run to run: never more than a page of events and the state, far below 2 MB.
  expect(Math.max(...carriedSizes)).toBeLessThan(PAGING.pageBytes + 64 * 1024);
  const tail = paged.deal.timeline();
  expect(tail.events.length).toBeLessThan(PAGING.pageEvents + 2_000);
  expect(tail.pages.length).toBeGreaterThanOrEqual(45);

  // The pages, then the events the deal holds: the whole timeline, each page where it says.
  const rebuilt: TimelineEntry[] = [];
  for (const page of tail.pages) {
    expect(rebuilt.length).toBe(page.from);
    const events = pages.get(page.from) as DealEvent[];
    expect(events).toHaveLength(page.count);
    rebuilt.push(...events.map(timelineEntry));
  }
  expect(rebuilt.length).toBe(tail.from);
  rebuilt.push(...tail.events);
  expect(rebuilt).toEqual(whole.deal.timeline().events);
});

test('an answer the deal must still replay keeps its events with the deal until it is forgotten', () => {
  const tick = (i: number) => new Date(T0 + i * 10_000).toISOString();
  const deal = session().deal;
  for (let i = 1; i <= 3_000; i++) deal.act({ action: { type: 'log_activity', kind: 'call', note: `n${i}` }, actor: ALICE }, tick(i));
  // A keyed request at event ~1,500 of 3,000: nothing from it on may leave.
  const keyed = {
    action: { type: 'log_activity', kind: 'call', note: 'keyed' } as Action,
    actor: ALICE,
    idempotencyKey: 'k',
    bodyHash: 'h',
  };
  const half = session().deal;
  for (let i = 1; i <= 1_500; i++) half.act({ action: { type: 'log_activity', kind: 'call', note: `n${i}` }, actor: ALICE }, tick(i));
  const first = half.act(keyed, tick(1_500));
  for (let i = 1_501; i <= 3_000; i++) half.act({ action: { type: 'log_activity', kind: 'call', note: `n${i}` }, actor: ALICE }, tick(i));
  const now = tick(3_000);
  expect(deal.pagesToArchive(now, PAGING).map((page) => page.from)).toEqual([0, 1_000, 2_000]);
  expect(half.pagesToArchive(now, PAGING).map((page) => page.from)).toEqual([0]);
  half.archived(stored(half.pagesToArchive(now, PAGING)), now);
  expect(half.act(keyed, now)).toEqual(first);
  // 25 h after the keyed request its key is forgotten, and its events may go.
  const nextDay = new Date(Date.parse(tick(1_500)) + 25 * 3_600_000 + 1).toISOString();
  expect(half.pagesToArchive(nextDay, PAGING).map((page) => page.from)).toEqual([1_000, 2_000]);
  half.archived(stored(half.pagesToArchive(nextDay, PAGING)), nextDay);
  expect(half.timeline().from).toBe(3_000);
});
