// Requests Node's HTTP parser refuses before Express sees them (a URL or headers over its 16 KB
// limit, malformed HTTP) are answered problem+json like every other error, and their connection is
// closed: the real API server (serveApi) on a loopback port, against a real dev server.
import { connect } from 'node:net';
import pino from 'pino';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { serveApi, type RunningApi } from '../../api/serve';
import { parseConfig } from '../../config';
import { freePort } from '../helpers/ports';
import { devServerEnv } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let api: RunningApi;
let host: string;
let port: number;
const TOKEN = 'client-errors-admin';

beforeAll(async () => {
  env = await devServerEnv();
  const config = parseConfig({
    HOST: '127.0.0.1',
    PORT: await freePort(),
    TEMPORAL_ADDRESS: env.address,
    API_KEYS: `${TOKEN}:admin:root`,
    TASK_QUEUE: 'client-errors',
  });
  api = await serveApi({
    config,
    temporalAddress: env.address,
    apiKeys: config.apiKeys ?? [],
    logger: pino({ level: 'silent' }),
  });
  const url = new URL(api.url);
  [host, port] = [url.hostname, Number(url.port)];
});
afterAll(async () => {
  await api?.close();
  await env?.teardown();
});

const auth = { authorization: `Bearer ${TOKEN}` };

async function expectParserProblem(response: Response, status: number) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.headers.get('connection')).toBe('close');
  expect(await response.json()).toEqual({ type: 'about:blank', title: expect.any(String), status, detail: expect.any(String) });
}

interface RawReply {
  /** Everything the server sent until it closed the connection. */
  text: string;
  /** Whether the server ended the connection by itself (the client never closes it here). */
  closedByServer: boolean;
}

/** Writes `request` on a fresh connection and reads until the server closes it, or `waitMs` passes. */
function raw(request: string | Buffer, waitMs = 3_000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closedByServer: false });
    }, waitMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closedByServer: true });
    });
    socket.write(request);
  });
}

function parse(text: string): { status: number; headers: Record<string, string>; body: unknown } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n')) };
}

describe('over 16 KB of request line and headers: 431 problem+json, not a bare status line', () => {
  test('a GET with a 20 KB query string', async () => {
    await expectParserProblem(await fetch(`${api.url}/v1/deals?owner=${'a'.repeat(20_000)}`, { headers: auth }), 431);
  });

  test('a GET with a 20 KB header', async () => {
    await expectParserProblem(await fetch(`${api.url}/v1/sops`, { headers: { ...auth, 'x-padding': 'p'.repeat(20_000) } }), 431);
  });

  test('the connection is closed after the answer, even when the client asked to keep it alive', async () => {
    const reply = await raw(`GET /v1/sops?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
    expect(reply.closedByServer).toBe(true);
    const { status, headers, body } = parse(reply.text);
    expect([status, headers['content-type'], headers.connection]).toEqual([431, 'application/problem+json; charset=utf-8', 'close']);
    expect(Number(headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(body)));
    expect(body).toMatchObject({ status: 431, title: 'Request Header Fields Too Large' });
  });
});

describe('malformed HTTP: 400 problem+json, then the connection closes', () => {
  test.each([
    ['a request line that is not HTTP', 'THIS IS NOT HTTP\r\n\r\n'],
    ['a header without a colon', 'GET /v1/sops HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    ['a bad Content-Length', 'POST /v1/deals HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n'],
  ])('%s', async (_name, request) => {
    const reply = await raw(request);
    expect(reply.closedByServer).toBe(true);
    const { status, headers, body } = parse(reply.text);
    expect([status, headers['content-type'], headers.connection]).toEqual([400, 'application/problem+json; charset=utf-8', 'close']);
    expect(body).toEqual({ type: 'about:blank', title: 'Bad Request', status: 400, detail: expect.any(String) });
  });

  test('a good keep-alive request, then garbage on the same connection: the first answer intact, then 400, then close', async () => {
    const reply = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`, 1_000);
    expect(reply.closedByServer).toBe(false);
    expect(reply.text).toMatch(/^HTTP\/1\.1 200 /);
    const both = await new Promise<RawReply>((resolve, reject) => {
      const socket = connect(port, host);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => {
        chunks.push(chunk);
        if (chunks.length === 1) socket.write('NOT HTTP AT ALL\r\n\r\n');
      });
      socket.on('error', reject);
      socket.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), closedByServer: true }));
      setTimeout(() => resolve({ text: Buffer.concat(chunks).toString('utf8'), closedByServer: false }), 3_000).unref();
      socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
    });
    expect(both.closedByServer).toBe(true);
    const second = both.text.indexOf('HTTP/1.1 400 ');
    expect(both.text.slice(0, second)).toMatch(/^HTTP\/1\.1 200 [\s\S]*\{"status":"ok"\}$/);
    expect(parse(both.text.slice(second)).body).toMatchObject({ status: 400 });
  });
});

test('requests within the limits are unaffected', async () => {
  const response = await fetch(`${api.url}/v1/sops`, { headers: { ...auth, 'x-padding': 'p'.repeat(8_000) } });
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ sops: [] });
});

test('the OpenAPI document lists the 431 problem on every operation', async () => {
  const doc = (await (await fetch(`${api.url}/v1/openapi.json`)).json()) as {
    paths: object;
    components: { responses: Record<string, unknown> };
  };
  expect(doc.components.responses.HeadersTooLarge).toEqual({
    description: expect.any(String),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods as Record<string, { responses: Record<string, unknown> }>).map(([method, operation]) => ({
      operation: `${method} ${path}`,
      431: operation.responses['431'],
    })),
  );
  expect(operations.length).toBeGreaterThanOrEqual(10);
  for (const entry of operations)
    expect(entry).toEqual({ operation: entry.operation, 431: { $ref: '#/components/responses/HeadersTooLarge' } });
});
