import { Agent, request } from 'node:http';

/** A keep-alive HTTP client with little overhead of its own, so the load generator stays cheap. */
export class HttpClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512 });
  private readonly url: URL;

  constructor(
    base: string,
    private readonly token: string | null = null,
  ) {
    this.url = new URL(base);
  }

  /** Resolves the parsed JSON body of a 2xx answer; rejects on any other status. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = request({ agent: this.agent, host: this.url.hostname, port: this.url.port, method, path, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) return reject(new Error(`${method} ${path}: ${status} ${text.slice(0, 300)}`));
          resolve((text ? JSON.parse(text) : null) as T);
        });
        response.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
