import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly receivedAt: number;
  readonly status: number;
}

/**
 * A real alert-system endpoint on loopback that records every request. `answer` picks the status of
 * each request from the number of requests seen so far for that webhook id (0 for the first).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly attempts = new Map<string, number>();
  private server: Server | null = null;

  constructor(private answer: (attempt: number, id: string) => number = () => 204) {}

  respondWith(answer: (attempt: number, id: string) => number): void {
    this.answer = answer;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const id = String(request.headers['webhook-id']);
        const attempt = this.attempts.get(id) ?? 0;
        this.attempts.set(id, attempt + 1);
        const status = this.answer(attempt, id);
        this.received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: Date.now(), status });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }

  /** Parsed bodies of the requests answered 2xx. */
  delivered<T = Record<string, unknown>>(): T[] {
    return this.received.filter((r) => r.status < 300).map((r) => JSON.parse(r.body) as T);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
