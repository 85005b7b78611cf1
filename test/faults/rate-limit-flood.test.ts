// One caller floods the API far past RATE_LIMIT while another works as usual: the flooder is held
// to its rate (429 with Retry-After), and the other caller is never refused and keeps its latency.
import { dealBody, faultSop } from './helpers/deals';
import { call, type Answer } from './helpers/http';
import { ServiceProcess } from './helpers/service-process';

const RATE = 20;
const FLOOD_MS = 6_000;
const FLOODERS = 24;
let service: ServiceProcess;

beforeAll(async () => {
  service = await ServiceProcess.create({ sops: [faultSop()], rateLimit: RATE });
  await service.startAll();
  expect((await call(service.apiUrl, 'POST', '/v1/deals', { as: 'manager', body: dealBody('flood-1') })).status).toBe(201);
}, 300_000);
afterAll(async () => service?.stop());

const percentile = (values: number[], p: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))];

/** The other caller's reads, one after another, paced under its own limit, until `until` says stop. */
async function steadyReads(count: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < count; i++) {
    answers.push(await call(service.apiUrl, 'GET', '/v1/deals/flood-1', { as: 'manager' }));
    await new Promise((resolve) => setTimeout(resolve, 1000 / RATE));
  }
  return answers;
}

test('a flood from one caller is held to its rate and does not slow another caller down', async () => {
  const before = await steadyReads(40);
  expect(before.every((answer) => answer.status === 200)).toBe(true);

  const flood: Answer[] = [];
  const floodUntil = Date.now() + FLOOD_MS;
  const flooding = Promise.all(
    Array.from({ length: FLOODERS }, async () => {
      while (Date.now() < floodUntil) flood.push(await call(service.apiUrl, 'GET', '/v1/deals/flood-1', { as: 'alice' }));
    }),
  );
  const floodStarted = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const during = await steadyReads(40);
  await flooding;
  const floodSeconds = (Date.now() - floodStarted) / 1000;

  // The flooder: its burst and its rate, nothing more; the rest refused with a usable Retry-After.
  const served = flood.filter((answer) => answer.status === 200).length;
  const refused = flood.filter((answer) => answer.status === 429);
  expect(served + refused.length).toBe(flood.length);
  expect(served).toBeLessThanOrEqual(2 * RATE + Math.ceil(floodSeconds * RATE));
  expect(refused.length).toBeGreaterThan(5 * served);
  expect(refused.every((answer) => answer.contentType.startsWith('application/problem+json'))).toBe(true);

  // The other caller: never refused, and its reads as quick as before the flood (within a margin for 2 cores).
  expect(during.map((answer) => answer.status)).toEqual(during.map(() => 200));
  const [p50Before, p50During] = [
    percentile(
      before.map((a) => a.ms),
      0.5,
    ),
    percentile(
      during.map((a) => a.ms),
      0.5,
    ),
  ];
  const [p90Before, p90During] = [
    percentile(
      before.map((a) => a.ms),
      0.9,
    ),
    percentile(
      during.map((a) => a.ms),
      0.9,
    ),
  ];
  console.log(
    `rate-limit flood: ${flood.length} flood requests in ${floodSeconds.toFixed(1)} s (${served} served, ${refused.length} refused); ` +
      `other caller p50 ${p50Before} → ${p50During} ms, p90 ${p90Before} → ${p90During} ms`,
  );
  expect(p50During).toBeLessThanOrEqual(3 * p50Before + 30);
  expect(p90During).toBeLessThanOrEqual(3 * p90Before + 60);
});
