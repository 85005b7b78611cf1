// RATE_LIMIT through the real app: past a caller's burst, 429 problem+json with Retry-After, counted
// in /metrics; another caller is not touched; after Retry-After the caller is served again.
import { quickSop, TestService } from '../helpers/service';

const RATE = 5;
let service: TestService;

beforeAll(async () => {
  service = await TestService.start({ rateLimit: RATE });
});
afterAll(async () => service?.stop());

test('a caller past twice the rate gets 429 with Retry-After; another caller does not', async () => {
  const started = Date.now();
  const replies = await Promise.all(Array.from({ length: 3 * RATE }, () => service.call('GET', '/v1/sops', { as: 'ops' })));
  const elapsedS = (Date.now() - started) / 1000;
  const served = replies.filter((reply) => reply.status === 200).length;
  // The burst (2 × RATE), plus whatever the bucket refilled while the requests were in flight.
  expect(served).toBeGreaterThanOrEqual(2 * RATE);
  expect(served).toBeLessThanOrEqual(2 * RATE + Math.ceil(elapsedS * RATE));
  const limited = replies.filter((reply) => reply.status === 429);
  expect(limited.length).toBe(replies.length - served);
  expect(limited.length).toBeGreaterThan(0);
  for (const reply of limited) {
    expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(reply.body).toMatchObject({ status: 429, code: 'rate_limited', title: 'Too Many Requests' });
  }
  // The limit is per caller: another subject still has its whole burst.
  expect((await service.call('POST', '/v1/sops', { as: 'admin', body: quickSop('rate-sop') })).status).toBe(201);

  const metrics = await service.call('GET', '/metrics', { as: null });
  expect(metrics.body).toMatch(new RegExp(`http_rate_limited_total\\{role="ops"\\} ${limited.length}\\b`));

  const wait = Number(limited[0].headers.get('retry-after'));
  await new Promise((resolve) => setTimeout(resolve, wait * 1000));
  expect((await service.call('GET', '/v1/sops', { as: 'ops' })).status).toBe(200);
});

test('requests that fail authentication are not counted against anyone', async () => {
  for (let i = 0; i < 3 * RATE; i++) expect((await service.call('GET', '/v1/sops', { as: null })).status).toBe(401);
  expect((await service.call('GET', '/v1/sops', { as: 'viewer' })).status).toBe(200);
});
