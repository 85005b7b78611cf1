import { Webhook } from 'standardwebhooks';
import { MAX_BODY_BYTES, startReceiver } from './receiver-server';

// The receivers on loopback, posted to with fetch as the delivery activity posts.

function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('receiver server', () => {
  it('wecom: generates a key, answers the tool answer, keeps messages and refusals', async () => {
    const receiver = await startReceiver({ format: 'wecom' });
    try {
      expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}/cgi-bin/webhook/send?key=${receiver.settings.key}`);
      const ok = await postJson(receiver.url, { msgtype: 'markdown', markdown: { content: '**Escalated**\n<@lisi>' } });
      expect([ok.status, await ok.json()]).toEqual([200, { errcode: 0, errmsg: 'ok' }]);
      const wrong = await postJson(receiver.url.replace(receiver.settings.key, 'nope'), {
        msgtype: 'markdown',
        markdown: { content: 'x' },
      });
      expect(await wrong.json()).toEqual({ errcode: 93000, errmsg: 'invalid webhook url' });
      expect(receiver.messages).toEqual([expect.objectContaining({ format: 'wecom', title: 'Escalated', mentions: ['lisi'] })]);
      expect(receiver.refused).toEqual([expect.objectContaining({ status: 200, reason: 'key is not this robot' })]);
      expect(receiver.attempts).toBe(2);
    } finally {
      await receiver.stop();
    }
  });

  it('flaps as the test says: 503 twice, then the real check; respondWith changes it', async () => {
    const receiver = await startReceiver({ format: 'slack', answer: (attempt) => (attempt < 2 ? 503 : 'pass') });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await postJson(receiver.url, { text: `try ${i}` })).status);
      expect(statuses).toEqual([503, 503, 200]);
      receiver.respondWith(() => 429);
      const limited = await postJson(receiver.url, { text: 'again' });
      expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '1']);
      expect(receiver.messages.map((m) => m.text)).toEqual(['try 2']);
      expect(receiver.refused.map((r) => r.status)).toEqual([503, 503, 429]);
    } finally {
      await receiver.stop();
    }
  });

  it('never throws on bad input: not JSON, not POST, over the size cap', async () => {
    const receiver = await startReceiver({ format: 'pagerduty' });
    try {
      expect((await postJson(receiver.url, '{"routing_key":')).status).toBe(400);
      expect((await fetch(receiver.url)).status).toBe(405);
      expect((await postJson(receiver.url, 'x'.repeat(MAX_BODY_BYTES + 1))).status).toBe(413);
      expect(receiver.refused.map((r) => r.status)).toEqual([400, 405, 413]);
      expect((await postJson(receiver.url.replace('/v2/enqueue', '/v1/other'), {})).status).toBe(404);
    } finally {
      await receiver.stop();
    }
  });

  it('pagerduty: keeps the incidents, trigger then resolve', async () => {
    const receiver = await startReceiver({ format: 'pagerduty' });
    try {
      expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}/v2/enqueue`);
      const routing_key = receiver.settings.routingKey;
      const payload = { summary: 'SLA breached: D-1', source: 'sales-sop', severity: 'critical' };
      expect((await postJson(receiver.url, { routing_key, event_action: 'trigger', dedup_key: 'D-1/s1/1/sla', payload })).status).toBe(202);
      expect((await postJson(receiver.url, { routing_key, event_action: 'resolve', dedup_key: 'D-1/s1/1/sla' })).status).toBe(202);
      expect(receiver.incidents.get('D-1/s1/1/sla')).toMatchObject({
        status: 'resolved',
        events: [{ action: 'trigger' }, { action: 'resolve' }],
      });
    } finally {
      await receiver.stop();
    }
  });

  it('standard: with both secrets of a rotation, a doubly signed delivery verifies with both', async () => {
    const receiver = await startReceiver({
      format: 'standard',
      settings: { secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_dGVzdC1zZWNyZXQtb2xkLTAxMjM0NTY3ODk='] },
    });
    try {
      const body = JSON.stringify({ id: 'evt_9', type: 'ping' });
      const at = new Date();
      const signature = receiver.settings.secrets.map((secret) => new Webhook(secret).sign('evt_9', at, body)).join(' ');
      const headers = {
        'webhook-id': 'evt_9',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signature,
      };
      expect((await postJson(receiver.url, body, headers)).status).toBe(204);
      expect(receiver.messages[0]).toMatchObject({ deliveryId: 'evt_9', verifiedWith: [0, 1] });
    } finally {
      await receiver.stop();
    }
  });
});
