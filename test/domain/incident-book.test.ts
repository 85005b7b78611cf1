import { incidentKey, incidentsEnded, incidentTriggered, MAX_OPEN_INCIDENTS, NO_INCIDENTS, type AlertPayload } from '../../domain';

const alert = (n: number, stage = 'solution'): AlertPayload =>
  ({
    id: `msg_${n}`,
    type: 'deal.sla.breached',
    deal: { dealId: `deal-${n}` },
    stage: { id: stage, name: stage, enteredAt: '2026-12-01T00:00:00.000Z' },
    requestId: null,
    riskId: null,
    notify: ['owner'],
    recipients: [{ role: 'owner', subject: 'alice', wecom: 'w' }],
  }) as unknown as AlertPayload;

describe('an on-call endpoint’s incidents', () => {
  test('a delivered trigger opens its incident; the end of its visit resolves it once', () => {
    const { book, resolve } = incidentTriggered(NO_INCIDENTS, alert(1));
    expect(resolve).toEqual([]);
    const ended = incidentsEnded(book, [incidentKey(alert(1))], new Set());
    expect(ended.resolve.map((a) => a.id)).toEqual(['msg_1']);
    expect(ended.resolve[0].recipients).toEqual([]);
    expect(incidentsEnded(ended.book, [incidentKey(alert(1))], new Set()).resolve).toEqual([]);
  });

  test('a visit that ends while its trigger is still on its way is resolved as soon as the trigger is delivered', () => {
    const key = incidentKey(alert(1));
    const ended = incidentsEnded(NO_INCIDENTS, [key], new Set([key]));
    expect(ended.resolve).toEqual([]);
    const late = incidentTriggered(ended.book, alert(1));
    expect(late.resolve.map((a) => a.id)).toEqual(['msg_1']);
    expect(late.book).toEqual(NO_INCIDENTS);
  });

  test('keys this endpoint never triggered and is not sending are ignored', () => {
    expect(incidentsEnded(NO_INCIDENTS, ['someone-else'], new Set())).toEqual({ book: NO_INCIDENTS, resolve: [] });
  });

  test('past the cap the oldest open incident is resolved, never left open for good', () => {
    let book = NO_INCIDENTS;
    const resolved: string[] = [];
    for (let n = 0; n <= MAX_OPEN_INCIDENTS; n++) {
      const next = incidentTriggered(book, alert(n));
      book = next.book;
      resolved.push(...next.resolve.map((a) => a.id));
    }
    expect(resolved).toEqual(['msg_0']);
    expect(Object.keys(book.open)).toHaveLength(MAX_OPEN_INCIDENTS);
  });
});
