// The what-if's key property on the recorded histories: each deal, replayed by the pure simulator
// under its own SOP versions, fires exactly the alerts it really fired.
import { recordedDeal, reproduces, simulateDeal } from '../../domain';
import { recordedHistoryDeals } from '../helpers/recorded-histories';

const deals = recordedHistoryDeals();

test('every recorded deal that holds its timeline is checked; the others say why not', () => {
  expect(deals.map(({ fixture, missing }) => [fixture, missing])).toEqual([
    ['deal-lifecycle-alert-endpoints.binpb', null],
    ['deal-lifecycle-analytics.binpb', 'recorded before a closed deal kept its timeline'],
    ['deal-lifecycle-lean-alerts.binpb', null],
    ['deal-lifecycle.binpb', 'recorded before a closed deal kept its timeline'],
    ['deal-protocol.binpb', null],
    ['deal-repairs.binpb', null],
    ['deal-timeline-pages-first-run.binpb', null],
    ['deal-timeline-pages-last-run.binpb', null],
  ]);
});

test('the recorded deals fired alerts, so the replay has something to get right', () => {
  expect(deals.flatMap((deal) => (deal.events ? recordedDeal(deal.events).alerts : [])).length).toBeGreaterThan(5);
});

test.each(deals.filter((deal) => deal.events).map((deal) => [deal.fixture, deal] as const))(
  '%s: replayed under its own SOP versions, the deal fires exactly the alerts it fired',
  (_fixture, deal) => {
    const recorded = recordedDeal(deal.events ?? []);
    const own = (version: number) => deal.sops.find((sop) => sop.version === version) ?? null;
    const baseline = simulateDeal(recorded, { own }, recorded.lastEventAt);
    expect(reproduces(recorded, baseline)).toBe(true);
  },
);
