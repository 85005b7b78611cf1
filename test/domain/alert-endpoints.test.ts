import {
  endpointInputSchema,
  endpointMatches,
  endpointProblems,
  endpointView,
  newEndpoint,
  patchedEndpoint,
  rotatedEndpoint,
  schemaProblems,
  signingSecrets,
  type AlertPayload,
} from '../../domain';

const NOW = '2026-12-05T10:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();
const input = (body: Record<string, unknown>) => endpointInputSchema.parse({ url: 'https://hooks.example.com/x', ...body });
const alert = (type: string, sopId: string, tier: string) =>
  ({ type, deal: { sop: { id: sopId, version: 1 }, customer: { name: 'ACME', tier } } }) as unknown as AlertPayload;

describe('alert endpoints', () => {
  test('filters: event types, SOPs and tiers must all match, and a disabled endpoint takes nothing', () => {
    const leadership = newEndpoint('ep_1', input({ events: ['deal.sla.breached'], sopIds: ['enterprise-b2b'], tiers: ['A'] }), 's', NOW);
    expect(endpointMatches(leadership, alert('deal.sla.breached', 'enterprise-b2b', 'A'))).toBe(true);
    expect(endpointMatches(leadership, alert('deal.sla.warning', 'enterprise-b2b', 'A'))).toBe(false);
    expect(endpointMatches(leadership, alert('deal.sla.breached', 'smb', 'A'))).toBe(false);
    expect(endpointMatches(leadership, alert('deal.sla.breached', 'enterprise-b2b', 'B'))).toBe(false);
    const everything = newEndpoint('ep_2', input({}), 's', NOW);
    expect(endpointMatches(everything, alert('deal.idle', 'smb', 'C'))).toBe(true);
    expect(endpointMatches({ ...everything, enabled: false }, alert('deal.idle', 'smb', 'C'))).toBe(false);
  });

  test('bad input is refused with its path', () => {
    const paths = (body: Record<string, unknown>) => {
      const parsed = endpointInputSchema.safeParse(body);
      return parsed.success ? [] : schemaProblems(parsed.error).map((p) => p.path);
    };
    expect(paths({ url: 'ftp://example.com/x' })).toEqual(['url']);
    expect(paths({ url: 'https://user:pw@example.com/x' })).toEqual(['url']);
    expect(paths({ url: 'https://example.com', format: 'telegram' })).toEqual(['format']);
    expect(paths({ url: 'https://example.com', events: ['deal.sla.breached', 'deal.exploded'] })).toEqual(['events.1']);
    expect(paths({ url: 'https://example.com', tiers: ['D'] })).toEqual(['tiers.0']);
    expect(paths({ url: 'https://example.com', surprise: 1 })).toEqual(['surprise']);
  });

  test('what each format needs: pagerduty a routing key, only feishu and dingtalk a bot secret', () => {
    const problems = (body: Record<string, unknown>) => {
      const parsed = input(body);
      return endpointProblems(newEndpoint('ep_1', parsed, 'whsec_x', NOW), {
        secret: parsed.secret !== undefined,
        routingKey: parsed.routingKey !== undefined,
      }).map((p) => p.path);
    };
    expect(problems({ format: 'pagerduty' })).toEqual(['routingKey']);
    expect(problems({ format: 'pagerduty', routingKey: 'R0UT1NGKEY' })).toEqual([]);
    expect(problems({ format: 'slack', routingKey: 'R0UT1NGKEY' })).toEqual(['routingKey']);
    expect(problems({ format: 'standard', secret: 'mine' })).toEqual(['secret']);
    expect(problems({ format: 'wecom', secret: 'mine' })).toEqual(['secret']);
    expect(problems({ format: 'feishu', secret: 'mine' })).toEqual([]);
    expect(problems({ format: 'dingtalk', secret: 'SECmine' })).toEqual([]);
  });

  test('a standard endpoint signs with its generated secret; a rotation signs with both for 24 h, then the new one alone', () => {
    const endpoint = newEndpoint('ep_1', input({}), 'whsec_old', NOW);
    expect(signingSecrets(endpoint, NOW)).toEqual(['whsec_old']);
    const rotated = rotatedEndpoint(endpoint, 'whsec_new', later(1000));
    expect(signingSecrets(rotated, later(1000))).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(rotated, later(1000 + 24 * 3_600_000 - 1))).toEqual(['whsec_new', 'whsec_old']);
    expect(signingSecrets(rotated, later(1000 + 24 * 3_600_000))).toEqual(['whsec_new']);
    expect(endpointView(rotated, later(2000)).previousSecretExpiresAt).toBe(later(1000 + 24 * 3_600_000));
  });

  test('the view never carries a secret or a routing key', () => {
    const pd = newEndpoint('ep_1', input({ format: 'pagerduty', routingKey: 'R0UT1NGKEY' }), 'whsec_x', NOW);
    const feishu = newEndpoint('ep_2', input({ format: 'feishu', secret: 'b0tsecret' }), 'whsec_x', NOW);
    const standard = rotatedEndpoint(newEndpoint('ep_3', input({}), 'whsec_old', NOW), 'whsec_new', NOW);
    for (const endpoint of [pd, feishu, standard]) {
      const text = JSON.stringify(endpointView(endpoint, NOW));
      for (const secret of ['R0UT1NGKEY', 'b0tsecret', 'whsec_old', 'whsec_new', 'whsec_x']) expect(text).not.toContain(secret);
    }
    expect(endpointView(pd, NOW)).toMatchObject({ routingKeySet: true, secretSet: false });
    expect(endpointView(feishu, NOW)).toMatchObject({ routingKeySet: false, secretSet: true });
  });

  test('a patch changes what it names; null clears a filter; changing format drops what the new one does not take', () => {
    const endpoint = newEndpoint('ep_1', input({ format: 'feishu', secret: 'b0t', tiers: ['A'] }), 'whsec_x', NOW);
    const cleared = patchedEndpoint(endpoint, { tiers: null, description: 'All tiers' }, 'whsec_y', later(1));
    expect(cleared).toMatchObject({ tiers: null, description: 'All tiers', secret: 'b0t', updatedAt: later(1) });
    const asSlack = patchedEndpoint(endpoint, { format: 'slack' }, 'whsec_y', later(1));
    expect(asSlack.secret).toBeNull();
    const asStandard = patchedEndpoint(endpoint, { format: 'standard' }, 'whsec_y', later(1));
    expect(asStandard.secret).toBe('whsec_y');
  });
});
