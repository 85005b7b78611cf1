import { sopSchema, type Actor, type DealOpening, type Sop, type SopInput } from '../../domain';

export const ALICE: Actor = { subject: 'alice', role: 'rep' };
export const MIA: Actor = { subject: 'mia', role: 'manager' };

/** A three-stage SOP on the continuous clock; override any part. */
export function makeSop(overrides: Partial<SopInput> = {}): Sop {
  return sopSchema.parse({
    id: 'test-sop',
    version: 1,
    name: 'Test SOP',
    stages: [
      { id: 'requirements', name: 'Requirements confirmed', deliverables: ['requirements-doc'] },
      { id: 'pricing', name: 'Internal price comparison', skipWhen: { field: 'customer.tier', op: 'eq', value: 'A' } },
      { id: 'contract', name: 'Contract signed' },
    ],
    ...overrides,
  });
}

export function makeOpening(overrides: Partial<DealOpening> = {}): DealOpening {
  return {
    dealId: 'acme-2026-001',
    customer: { name: 'ACME', tier: 'B' },
    amount: 1_200_000,
    currency: 'CNY',
    owner: 'alice',
    team: { manager: 'mia', director: 'dora' },
    attributes: {},
    ...overrides,
  };
}
