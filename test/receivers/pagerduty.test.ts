import type { ReceivedMessage } from './received';
import { check } from './pagerduty';
import { recordIncident, type Incident } from './pagerduty-incidents';

// Events API v2 (developer.pagerduty.com/docs/events-api-v2/trigger-events, resolve-events): the
// documented trigger example, its 202 and 400 answers, 120 events a minute per routing key.

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const settings = { routingKey: 'e93facc04764012d7bfb002500d5d1a6' };
const url = 'https://events.pagerduty.com/v2/enqueue';

const trigger = {
  payload: {
    summary: 'DISK at 99% on machine prod-datapipe03.example.com',
    timestamp: '2015-07-17T08:42:58.315+0000',
    severity: 'critical',
    source: 'prod-datapipe03.example.com',
    component: 'mysql',
    group: 'prod-datapipe',
    class: 'deploy',
    custom_details: { 'free space': '1%' },
  },
  routing_key: settings.routingKey,
  dedup_key: 'samplekeyhere',
  links: [{ href: 'https://board.example/#deal=D-1', text: 'Open deal' }],
  event_action: 'trigger',
  client: 'Sample Monitoring Service',
  client_url: 'https://monitoring.service.com',
};

function post(body: unknown) {
  return { url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function errors(result: ReturnType<typeof check>): unknown {
  return JSON.parse(result.body);
}

describe('pagerduty receiver', () => {
  it('accepts the documented trigger: 202 with its dedup_key', () => {
    const result = check(post(trigger), settings, NOW);
    expect(result).toMatchObject({
      accepted: true,
      status: 202,
      message: { incident: { action: 'trigger', dedupKey: 'samplekeyhere' }, link: 'https://board.example/#deal=D-1' },
    });
    expect(JSON.parse(result.body)).toEqual({ status: 'success', message: 'Event processed', dedup_key: 'samplekeyhere' });
  });

  it('answers 400 invalid event with the errors: routing key, action, severity, summary, dedup key', () => {
    expect(errors(check(post({ ...trigger, routing_key: 'short' }), settings, NOW))).toEqual({
      status: 'invalid event',
      message: 'Event object is invalid',
      errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"],
    });
    expect(check(post({ ...trigger, routing_key: 'f'.repeat(32) }), settings, NOW)).toMatchObject({ accepted: false, status: 400 });
    expect(check(post({ ...trigger, event_action: 'page' }), settings, NOW)).toMatchObject({
      status: 400,
      reason: expect.stringContaining('event_action'),
    });
    expect(check(post({ ...trigger, payload: { ...trigger.payload, severity: 'high' } }), settings, NOW)).toMatchObject({
      status: 400,
      reason: expect.stringContaining('severity'),
    });
    expect(check(post({ ...trigger, payload: { ...trigger.payload, summary: 'x'.repeat(1025) } }), settings, NOW)).toMatchObject({
      status: 400,
    });
    expect(check(post({ ...trigger, payload: { ...trigger.payload, summary: 'x'.repeat(1024) } }), settings, NOW).accepted).toBe(true);
    expect(check(post({ ...trigger, dedup_key: 'k'.repeat(256) }), settings, NOW)).toMatchObject({ status: 400 });
    expect(check(post({ routing_key: settings.routingKey, event_action: 'resolve' }), settings, NOW)).toMatchObject({
      status: 400,
      reason: expect.stringContaining('dedup_key'),
    });
    expect(check(post({ ...trigger, payload: { summary: 'x' } }), settings, NOW)).toMatchObject({
      status: 400,
      reason: expect.stringContaining('payload.source'),
    });
  });

  it('accepts a resolve with only routing_key, dedup_key and event_action', () => {
    const result = check(post({ routing_key: settings.routingKey, dedup_key: 'samplekeyhere', event_action: 'resolve' }), settings, NOW);
    expect(result).toMatchObject({ accepted: true, status: 202, message: { incident: { action: 'resolve', dedupKey: 'samplekeyhere' } } });
  });

  it('answers 429 past 120 events a minute for the routing key', () => {
    const earlier = Array.from({ length: 120 }, (_, index) => NOW - 50_000 + index * 100);
    expect(check(post(trigger), settings, NOW, earlier)).toMatchObject({ accepted: false, status: 429 });
    expect(check(post(trigger), settings, NOW, earlier.slice(1)).accepted).toBe(true);
  });

  it('keeps incidents by dedup key: triggered, then resolved; a resolve for an unknown key is ignored', () => {
    const incidents = new Map<string, Incident>();
    const event = (body: unknown, at: number): ReceivedMessage => {
      const result = check(post(body), settings, at);
      if (!result.accepted) throw new Error(result.reason);
      return result.message;
    };
    recordIncident(incidents, event(trigger, NOW));
    recordIncident(incidents, event({ routing_key: settings.routingKey, dedup_key: 'unknown', event_action: 'resolve' }, NOW + 1));
    expect(incidents.get('samplekeyhere')?.status).toBe('triggered');
    recordIncident(incidents, event({ routing_key: settings.routingKey, dedup_key: 'samplekeyhere', event_action: 'resolve' }, NOW + 2));
    expect([...incidents.values()]).toEqual([
      {
        dedupKey: 'samplekeyhere',
        status: 'resolved',
        events: [expect.objectContaining({ action: 'trigger' }), expect.objectContaining({ action: 'resolve', at: NOW + 2 })],
      },
    ]);
  });
});
