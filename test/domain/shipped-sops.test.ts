import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { checkSop, evaluateRule, type Sop } from '../../domain';

const SOP_DIR = path.resolve(__dirname, '..', '..', 'sops');

test.each(readdirSync(SOP_DIR).filter((file) => /\.(ya?ml|json)$/.test(file)))('%s lints clean', (file) => {
  const checked = checkSop(parse(readFileSync(path.join(SOP_DIR, file), 'utf8')));
  expect(checked.ok ? [] : checked.problems).toEqual([]);
});

describe('enterprise-b2b', () => {
  const checked = checkSop(parse(readFileSync(path.join(SOP_DIR, 'enterprise-b2b.yaml'), 'utf8')));
  const sop = (checked.ok ? checked.sop : null) as Sop;

  test('walks requirements -> solution -> price comparison -> budget -> contract with their deliverables', () => {
    expect(sop.stages.map((s) => s.id)).toEqual(['requirements', 'solution', 'price-comparison', 'budget', 'contract']);
    expect(sop.stages.find((s) => s.id === 'requirements')?.deliverables).toContain('requirements-doc');
    expect(sop.stages.find((s) => s.id === 'price-comparison')?.deliverables).toContain('quote');
  });

  test('answers customer requests within 48 hours and confirms the solution within 30 days', () => {
    expect(sop.requestSla.breachAfter).toBe('48h');
    expect(sop.stages.find((s) => s.id === 'solution')?.sla?.breachAfter).toBe('30d');
  });

  test('carries the response protocol of the source document (v2, v3): cadence, idle, yellow and red responses up the line, playbooks', () => {
    const solution = sop.stages.find((s) => s.id === 'solution');
    expect(sop.version).toBe(3);
    expect(solution?.cadence).toEqual([{ kinds: ['meeting', 'demo'], atLeast: 2, per: '1w' }]);
    expect(solution?.idleAfter).toBe('14d');
    expect(solution?.onYellow).toEqual({ require: 'cause', within: '1d', clock: 'business', notify: ['manager'] });
    expect(solution?.onRed).toEqual({ require: 'plan', within: '4h', clock: 'business', notify: ['manager', 'manager.manager'] });
    expect(Object.keys(sop.riskPlaybooks ?? {})).toEqual(['decision-maker-change', 'competitor-price-cut']);
    expect(sop.riskPlaybooks?.['decision-maker-change'].steps.map((step) => step.owner)).toEqual(['owner', 'director', 'presales']);
  });

  test('escalates to the manager and then the director', () => {
    expect(sop.stages.find((s) => s.id === 'solution')?.escalations.map((e) => e.notify)).toEqual([['manager'], ['director']]);
  });

  test.each([
    ['tier A', { tier: 'A' }, 1_000_000, true],
    ['5M or more', { tier: 'B' }, 5_000_000, true],
    ['an industry top-10 customer', { tier: 'C', industryRank: 7 }, 100_000, true],
    ['a tier-B 1M deal', { tier: 'B', industryRank: 40 }, 1_000_000, false],
  ])('%s skips the internal price comparison: %s', (_name, customer, amount, skips) => {
    const rule = sop.stages.find((s) => s.id === 'price-comparison')?.skipWhen;
    expect(rule && evaluateRule(rule, { amount, currency: 'CNY', customer, attributes: {} })).toBe(skips);
  });
});
