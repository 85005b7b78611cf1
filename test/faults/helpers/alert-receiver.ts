import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { WEBHOOK_SECRET } from '../../helpers/deal-harness';

export interface AlertRequest {
  readonly id: string;
  readonly body: string;
  readonly status: number;
  readonly signatureValid: boolean;
  readonly receivedAt: number;
}

/**
 * An alert system on loopback that can go away (connection refused) and come back on the same port,
 * answer each request with a status of the test's choosing, and checks every signature.
 */
export class AlertReceiver {
  readonly requests: AlertRequest[] = [];
  private server: Server | null = null;
  private port = 0;
  private answer: (id: string) => number = () => 204;
  private readonly verifier = new Webhook(WEBHOOK_SECRET);

  get url(): string {
    return `http://127.0.0.1:${this.port}/alerts`;
  }

  respondWith(answer: (id: string) => number): void {
    this.answer = answer;
  }

  /** Listens on the port it had before, or a fresh one the first time. */
  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = String(request.headers['webhook-id']);
        let signatureValid = true;
        try {
          this.verifier.verify(body, {
            'webhook-id': id,
            'webhook-timestamp': String(request.headers['webhook-timestamp']),
            'webhook-signature': String(request.headers['webhook-signature']),
          });
        } catch {
          signatureValid = false;
        }
        const status = this.answer(id);
        this.requests.push({ id, body, status, signatureValid, receivedAt: Date.now() });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this.url;
  }

  /** Closes the port: deliveries meet "connection refused" until `start()` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Ids answered 2xx, each with how many 2xx answers it got (>1: a repeat delivery). */
  deliveredIds(): Map<string, number> {
    const ids = new Map<string, number>();
    for (const r of this.requests) if (r.status < 300) ids.set(r.id, (ids.get(r.id) ?? 0) + 1);
    return ids;
  }

  /** Every delivered body, parsed, one per id. */
  deliveredBodies(): Map<string, Record<string, any>> {
    const bodies = new Map<string, Record<string, any>>();
    for (const r of this.requests) if (r.status < 300 && !bodies.has(r.id)) bodies.set(r.id, JSON.parse(r.body));
    return bodies;
  }
}
