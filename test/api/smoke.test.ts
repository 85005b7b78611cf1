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
