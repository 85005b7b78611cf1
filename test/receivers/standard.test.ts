import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { check } from './standard';

// Standard Webhooks v1.0.0 (spec/standard-webhooks.md): signatures are checked here with the
// reference library (`standardwebhooks`) and the test vector its libraries share, not with the receiver's code.

const NOW = Date.UTC(2026, 11, 5, 9, 0, 0);
const seconds = Math.floor(NOW / 1000);
const newSecret = `whsec_${randomBytes(32).toString('base64')}`;
const oldSecret = `whsec_${randomBytes(32).toString('base64')}`;

function delivery(
  id: string,
  signedWith: readonly string[],
  timestamp = seconds,
  body = JSON.stringify({ id, type: 'deal.escalated', deal: { dealId: 'D-1' } }),
) {
  const signature = signedWith.map((secret) => new Webhook(secret).sign(id, new Date(timestamp * 1000), body)).join(' ');
  return {
    url: '/alerts',
    headers: {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
      'content-type': 'application/json',
    },
    body,
  };
}

describe('standard receiver', () => {
  it("accepts the spec libraries' test vector", () => {
    const body = '{"test": 2432232314}';
    const result = check(
      {
        url: '/alerts',
        headers: {
          'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
          'webhook-timestamp': '1614265330',
          'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
        },
        body,
      },
      { secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] },
      1614265330_000,
    );
    // The signature holds; the vector's body is not this service's event (no id), so the body check answers.
    expect(result).toMatchObject({ accepted: false, status: 400, body: 'Invalid payload' });
  });

  it('accepts a signed event, reports the delivery id, the secret that verified and the recipients', () => {
    const result = check(delivery('evt_1', [newSecret]), { secrets: [newSecret] }, NOW);
    expect(result).toMatchObject({
      accepted: true,
      status: 204,
      message: { format: 'standard', deliveryId: 'evt_1', verifiedWith: [0], title: 'deal.escalated: D-1' },
    });
  });

  it('during a rotation both signatures verify, each with its own secret', () => {
    const request = delivery('evt_2', [newSecret, oldSecret]);
    expect(check(request, { secrets: [newSecret, oldSecret] }, NOW)).toMatchObject({ accepted: true, message: { verifiedWith: [0, 1] } });
    expect(check(request, { secrets: [oldSecret] }, NOW)).toMatchObject({ accepted: true, message: { verifiedWith: [0] } });
    expect(check(request, { secrets: [`whsec_${randomBytes(32).toString('base64')}`] }, NOW)).toMatchObject({
      accepted: false,
      status: 401,
    });
  });

  it('matches the signature computed by hand over "<id>.<timestamp>.<body>" with the decoded secret', () => {
    const body = JSON.stringify({ id: 'evt_3' });
    const key = Buffer.from(newSecret.slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`evt_3.${seconds}.${body}`).digest('base64');
    const headers = { 'webhook-id': 'evt_3', 'webhook-timestamp': String(seconds), 'webhook-signature': `v1a,xyz v1,${signature}` };
    expect(check({ url: '/alerts', headers, body }, { secrets: [newSecret] }, NOW).accepted).toBe(true);
  });

  it('refuses missing headers, a stale or future timestamp, a changed body and a bad id with the status a consumer answers', () => {
    const good = delivery('evt_4', [newSecret]);
    const settings = { secrets: [newSecret] };
    expect(check({ ...good, headers: { ...good.headers, 'webhook-signature': undefined } }, settings, NOW)).toMatchObject({
      accepted: false,
      status: 401,
    });
    expect(check(delivery('evt_4', [newSecret], seconds - 301), settings, NOW)).toMatchObject({
      accepted: false,
      status: 401,
      body: 'Message timestamp too old',
    });
    expect(check(delivery('evt_4', [newSecret], seconds + 301), settings, NOW)).toMatchObject({
      accepted: false,
      status: 401,
      body: 'Message timestamp too new',
    });
    expect(check(delivery('evt_4', [newSecret], seconds - 299), settings, NOW).accepted).toBe(true);
    expect(check({ ...good, body: good.body.replace('D-1', 'D-2') }, settings, NOW)).toMatchObject({ accepted: false, status: 401 });
    const otherId = delivery('evt_4', [newSecret], seconds, JSON.stringify({ id: 'evt_5' }));
    expect(check(otherId, settings, NOW)).toMatchObject({ accepted: false, status: 400 });
    expect(check(delivery('evt_4', [newSecret], seconds, 'not json'), settings, NOW)).toMatchObject({ accepted: false, status: 400 });
  });
});
