import { dealBody, quickSop, TestService } from '../helpers/service';

let service: TestService;
beforeAll(async () => {
  service = await TestService.start();
  await service.call('POST', '/v1/sops', { as: 'ops', body: quickSop() });
});
afterAll(async () => service?.stop());

test('a deal opens, refuses an early completion and completes a stage', async () => {
  const opened = await service.call('POST', '/v1/deals', { as: 'alice', body: dealBody('smoke-1') });
  expect(opened.status).toBe(201);
  expect(opened.body).toMatchObject({ dealId: 'smoke-1', owner: 'alice', stage: { id: 'requirements' } });
  const early = await service.call('POST', '/v1/deals/smoke-1/actions', {
    as: 'alice',
    body: { type: 'complete_stage', stage: 'requirements' },
  });
  expect(early.status).toBe(409);
  expect(early.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(early.body).toMatchObject({ code: 'missing_deliverables', status: 409 });
});

test('a body nested thousands of levels deep is a fast 422, not a crash', async () => {
  // Written as text: JSON.stringify itself cannot go this deep.
  const rule = `${'{"not":'.repeat(50_000)}{"field":"amount","op":"gt","value":1}${'}'.repeat(50_000)}`;
  const sop = `{"id":"deep-sop","version":1,"name":"Deep","stages":[{"id":"a","name":"A","skipWhen":${rule}},{"id":"b","name":"B"}]}`;
  const started = Date.now();
  const response = await service.call('POST', '/v1/sops', { as: 'ops', body: sop });
  expect(response.status).toBe(422);
  expect(response.body.errors[0].message).toMatch(/nested more than 32 levels/);
  expect(Date.now() - started).toBeLessThan(1_000);
});
