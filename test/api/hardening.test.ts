// Hardening of the HTTP API beyond the contract tests: list filters that used to reach Temporal and
// fail there slowly.
import { quickSop, TestService, type Reply } from '../helpers/service';

let service: TestService;
beforeAll(async () => {
  service = await TestService.start();
  expect((await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() })).status).toBe(201);
});
afterAll(async () => service?.stop());

/** Well inside the API's 10 s Temporal deadline: the answer came without waiting on Temporal. */
const FAST_MS = 2_000;

async function timed<T>(call: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const value = await call();
  return [value, Date.now() - started];
}

function expectProblem(reply: Reply, status: number, code?: string): void {
  expect({ status: reply.status, code: reply.body?.code }).toEqual({ status, code });
  expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
}

describe('list filters take only values a deal can hold', () => {
  test.each([
    ['owner', '%00'],
    ['owner', 'alice%00'],
    ['owner', "x'%20OR%20'1'%3D'1"],
    ['owner', 'a%20b'],
    ['owner', 'x'.repeat(129)],
    ['stage', '%00'],
    ['stage', 'Requirements'],
    ['stage', 'a%0Ab'],
    ['sopId', '%00'],
    ['sopId', 'quick_sop'],
    ['sopId', 'q'],
  ])('%s=%s is 422 at once, naming the parameter', async (name, value) => {
    const [reply, ms] = await timed(() => service.call('GET', `/v1/deals?${name}=${value}`, { as: 'manager' }));
    expectProblem(reply, 422, 'validation_failed');
    expect(reply.body.errors.map((e: { path: string }) => e.path)).toEqual([`query.${name}`]);
    expect(ms).toBeLessThan(FAST_MS);
  });

  test('every value a deal can hold is still accepted', async () => {
    const reply = await service.call('GET', '/v1/deals?owner=alice.smith%40example.com&stage=requirements&sopId=quick-sop', {
      as: 'manager',
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ deals: expect.any(Array), nextPageToken: null });
  });
});
