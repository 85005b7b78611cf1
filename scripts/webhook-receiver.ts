// `npm run receiver`: a local alert system for trying the service out. It verifies each webhook's
// Standard Webhooks signature with ALERT_WEBHOOK_SECRET and prints what arrived.
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

const secret = process.env.ALERT_WEBHOOK_SECRET ?? '';
const port = Number(process.env.RECEIVER_PORT ?? 4000);
if (!secret.startsWith('whsec_')) {
  console.error('Set ALERT_WEBHOOK_SECRET to the same whsec_... value the service uses.');
  process.exit(1);
}
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');

function verified(id: string, timestamp: string, body: string, signatures: string): boolean {
  const expected = Buffer.from(createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64'));
  const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
  return (
    fresh &&
    signatures
      .split(' ')
      .some(
        (s) =>
          s.startsWith('v1,') && Buffer.from(s.slice(3)).length === expected.length && timingSafeEqual(Buffer.from(s.slice(3)), expected),
      )
  );
}

createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const header = (name: string) => String(request.headers[name] ?? '');
    const ok = verified(header('webhook-id'), header('webhook-timestamp'), body, header('webhook-signature'));
    const event = ok
      ? (JSON.parse(body) as { type: string; deal: { dealId: string; health: string }; stage?: { id: string } | null; recipients: unknown })
      : null;
    console.log(
      ok
        ? `${new Date().toISOString()} ${header('webhook-id')} signature ok: ${event?.type} deal=${event?.deal.dealId} stage=${event?.stage?.id ?? '-'} health=${event?.deal.health} recipients=${JSON.stringify(event?.recipients)}`
        : `${new Date().toISOString()} ${header('webhook-id')} BAD SIGNATURE, refused`,
    );
    response.writeHead(ok ? 204 : 401).end();
  });
}).listen(port, '127.0.0.1', () => console.log(`alert receiver on http://127.0.0.1:${port}/alerts`));
