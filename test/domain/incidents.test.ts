import { endedIncidents, incidentKey, type AlertPayload, type DealEvent } from '../../domain';
import { makeSop } from '../helpers/fixtures';
import { PureDeal, at, HOUR } from '../helpers/pure-deal';

const sop = makeSop({
  stages: [
    { id: 'solution', name: 'Solution', sla: { warnAfter: '1h', breachAfter: '2h' } },
    { id: 'close', name: 'Close', sla: { breachAfter: '2h' } },
  ],
});
const alertsOf = (events: readonly DealEvent[]) =>
  events.flatMap((event) => ((event.data as { alert?: AlertPayload }).alert ? [(event.data as { alert: AlertPayload }).alert] : []));

/** The incidents each event of `run` ends, as the workflow's `DealSession` sees them. */
function ended(deal: PureDeal, run: () => void): string[] {
  const keys: string[] = [];
  const apply = deal.apply.bind(deal);
  deal.apply = (events) => {
    for (const event of events) {
      const before = deal.state;
      apply([event]);
      keys.push(...endedIncidents(before, deal.state));
    }
  };
  run();
  deal.apply = apply;
  return keys;
}

describe('incidents on on-call tools', () => {
  test('one incident per deal, stage visit and kind: the breach and its repeats share a key, the warning has its own', () => {
    const deal = new PureDeal(sop);
    const [warning, breach] = alertsOf(deal.tick(at(2 * HOUR)));
    expect(incidentKey(breach)).toBe(`${deal.state.dealId}/solution@${deal.state.stage?.enteredAt}/deal.sla.breached`);
    expect(incidentKey(warning)).not.toBe(incidentKey(breach));
  });

  test('completing the stage ends the incidents of its visit; the next visit opens new ones', () => {
    const deal = new PureDeal(sop);
    const alerts = alertsOf(deal.tick(at(2 * HOUR)));
    const keys = ended(deal, () => deal.act({ type: 'complete_stage', stage: 'solution' }, at(3 * HOUR)));
    expect(keys.sort()).toEqual(alerts.map(incidentKey).sort());
    expect(ended(deal, () => deal.act({ type: 'log_activity', kind: 'call' }, at(4 * HOUR)))).toEqual([]);
  });

  test('a visit that fired nothing ends nothing; closing the deal ends its request incidents too', () => {
    const deal = new PureDeal(sop);
    deal.act({ type: 'open_request', requestId: 'r1', summary: 'pricing' }, at(HOUR / 2));
    const requestAlerts = alertsOf(deal.tick(at(49 * HOUR))).filter((a) => a.requestId === 'r1');
    expect(requestAlerts.length).toBeGreaterThan(0);
    const keys = ended(deal, () => deal.act({ type: 'mark_lost', reason: 'budget' }, at(50 * HOUR)));
    for (const alert of requestAlerts) expect(keys).toContain(incidentKey(alert));
    expect(new PureDeal(sop).state.alerts).toEqual([]);
  });
});
