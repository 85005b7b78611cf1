import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RECEIVER_FORMATS, type SettingsByFormat } from './formats';
import { recordIncident, type Incident } from './pagerduty-incidents';
import type { CheckRequest, CheckResult, FormatName, ReceivedMessage } from './received';

/**
 * A format's receiver on loopback, as a real tool would answer: each request is read (at most
 * `MAX_BODY_BYTES`), checked by the format's `check` and answered with the tool's answer; accepted
 * messages and refusals are kept for the test to read.
 */

export const MAX_BODY_BYTES = 1024 * 1024;

/** A status to fail this attempt with (0-based, counting every request), or 'pass' to check it for real. */
export type Answer = (attempt: number) => number | 'pass';

export interface Refusal {
  readonly at: number;
  readonly status: number;
  readonly reason: string;
  /** What was answered. */
  readonly body: string;
}

export type ReceiverEvent =
  { readonly kind: 'message'; readonly message: ReceivedMessage } | { readonly kind: 'refused'; readonly refusal: Refusal };

export interface ReceiverOptions<F extends FormatName> {
  readonly format: F;
  readonly settings?: Partial<SettingsByFormat[F]>;
  /** 0 (the default): a free port. */
  readonly port?: number;
  readonly answer?: Answer;
  /** Told of each message and refusal as it happens (the CLI prints them). */
  readonly onEvent?: (event: ReceiverEvent) => void;
  /** The receiver's clock, ms since the epoch. */
  readonly now?: () => number;
}

export interface RunningReceiver<F extends FormatName> {
  readonly format: F;
  /** The URL to configure as the endpoint, credentials included. */
  readonly url: string;
  readonly port: number;
  readonly settings: SettingsByFormat[F];
  readonly messages: ReceivedMessage[];
  readonly refused: Refusal[];
  /** Requests received so far. */
  readonly attempts: number;
  /** `pagerduty`: the incidents by dedup key, in the order they were first triggered. */
  readonly incidents: Map<string, Incident>;
  respondWith(answer: Answer): void;
  stop(): Promise<void>;
}

const pass: Answer = () => 'pass';

function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

/** The body, or null when it is over the cap (the rest is read and dropped, so the client sees the answer). */
function readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(null));
  });
}

function send(response: ServerResponse, result: { status: number; body: string; headers?: Readonly<Record<string, string>> }): void {
  const type = result.body.startsWith('{') ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8';
  response.writeHead(result.status, { ...(result.body ? { 'content-type': type } : {}), ...result.headers });
  response.end(result.body);
}

export async function startReceiver<F extends FormatName>(options: ReceiverOptions<F>): Promise<RunningReceiver<F>> {
  const format = RECEIVER_FORMATS[options.format];
  const settings = format.defaults(options.settings ?? {});
  const now = options.now ?? Date.now;
  const messages: ReceivedMessage[] = [];
  const refused: Refusal[] = [];
  const incidents = new Map<string, Incident>();
  /** Instants of accepted messages in the last two minutes: the rate limits' memory. */
  let earlier: number[] = [];
  let answer = options.answer ?? pass;
  let attempts = 0;

  const refuse = (at: number, status: number, reason: string, body: string): void => {
    const refusal = { at, status, reason, body };
    refused.push(refusal);
    options.onEvent?.({ kind: 'refused', refusal });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const attempt = attempts++;
    const body = await readBody(request);
    const at = now();
    if (request.method !== 'POST') {
      refuse(at, 405, `method ${request.method ?? '?'} (only POST)`, '');
      return send(response, { status: 405, body: '', headers: { allow: 'POST' } });
    }
    if (body === null) {
      refuse(at, 413, `body over ${MAX_BODY_BYTES} bytes or unreadable`, '');
      return send(response, { status: 413, body: '' });
    }
    const forced = answer(attempt);
    if (forced !== 'pass') {
      refuse(at, forced, `answered ${forced} by the test (attempt ${attempt})`, '');
      return send(response, { status: forced, body: '', headers: forced === 429 ? { 'retry-after': '1' } : {} });
    }
    const checked: CheckRequest = { url: request.url ?? '/', headers: headersOf(request), body };
    earlier = earlier.filter((instant) => instant > at - 120_000);
    const result: CheckResult = format.check(checked, settings, at, earlier);
    if (result.accepted) {
      earlier.push(at);
      messages.push(result.message);
      recordIncident(incidents, result.message);
      options.onEvent?.({ kind: 'message', message: result.message });
    } else refuse(at, result.status, result.reason, result.body);
    send(response, result);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      refuse(now(), 500, `receiver error: ${error instanceof Error ? error.message : String(error)}`, '');
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    format: options.format,
    url: `http://127.0.0.1:${port}${format.endpointPath(settings)}`,
    port,
    settings,
    messages,
    refused,
    get attempts() {
      return attempts;
    },
    incidents,
    respondWith: (next) => {
      answer = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
