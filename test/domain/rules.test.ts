import { evaluateRule, explainRule, type Condition, type DealFacts, type Rule } from '../../domain';

const FACTS: DealFacts = {
  amount: 1_200_000,
  currency: 'CNY',
  customer: { tier: 'B', industryRank: 3 },
  attributes: { region: 'east', seats: 40, strategic: true },
};
const NO_RANK: DealFacts = { ...FACTS, customer: { tier: 'B' }, attributes: {} };

const cond = (field: string, op: Condition['op'], value: Condition['value']): Condition => ({ field, op, value });
const holds = (rule: Rule, facts: DealFacts = FACTS): boolean => evaluateRule(rule, facts);

describe('evaluateRule: ops', () => {
  test.each([
    ['eq', 1_200_000, true],
    ['eq', 1_200_001, false],
    ['ne', 1_200_001, true],
    ['ne', 1_200_000, false],
    ['gt', 1_199_999, true],
    ['gt', 1_200_000, false],
    ['gte', 1_200_000, true],
    ['gte', 1_200_001, false],
    ['lt', 1_200_001, true],
    ['lt', 1_200_000, false],
    ['lte', 1_200_000, true],
    ['lte', 1_199_999, false],
  ] as const)('amount %s %d is %s', (op, value, expected) => {
    expect(holds(cond('amount', op, value))).toBe(expected);
  });

  test('in: true when the array holds the value, false otherwise', () => {
    expect(holds(cond('customer.tier', 'in', ['A', 'B']))).toBe(true);
    expect(holds(cond('customer.tier', 'in', ['A', 'C']))).toBe(false);
    expect(holds(cond('customer.tier', 'in', []))).toBe(false);
  });

  test('in with a scalar value is false', () => {
    expect(holds(cond('customer.tier', 'in', 'B'))).toBe(false);
  });

  test('ordering on strings compares them', () => {
    expect(holds(cond('currency', 'gt', 'AAA'))).toBe(true);
    expect(holds(cond('currency', 'lt', 'AAA'))).toBe(false);
    expect(holds(cond('currency', 'gte', 'CNY'))).toBe(true);
    expect(holds(cond('currency', 'lte', 'CNX'))).toBe(false);
  });
});

describe('evaluateRule: fields', () => {
  test('amount', () => {
    expect(holds(cond('amount', 'gte', 1_000_000))).toBe(true);
    expect(holds(cond('amount', 'gte', 5_000_000))).toBe(false);
  });

  test('currency', () => {
    expect(holds(cond('currency', 'eq', 'CNY'))).toBe(true);
    expect(holds(cond('currency', 'eq', 'USD'))).toBe(false);
  });

  test('customer.tier', () => {
    expect(holds(cond('customer.tier', 'eq', 'B'))).toBe(true);
    expect(holds(cond('customer.tier', 'eq', 'A'))).toBe(false);
  });

  test('customer.industryRank', () => {
    expect(holds(cond('customer.industryRank', 'lte', 3))).toBe(true);
    expect(holds(cond('customer.industryRank', 'lt', 3))).toBe(false);
  });

  test('attributes.<name> of each value type', () => {
    expect(holds(cond('attributes.region', 'eq', 'east'))).toBe(true);
    expect(holds(cond('attributes.region', 'eq', 'west'))).toBe(false);
    expect(holds(cond('attributes.seats', 'gt', 30))).toBe(true);
    expect(holds(cond('attributes.seats', 'gt', 40))).toBe(false);
    expect(holds(cond('attributes.strategic', 'eq', true))).toBe(true);
    expect(holds(cond('attributes.strategic', 'eq', false))).toBe(false);
  });
});

describe('evaluateRule: a missing field makes a condition false', () => {
  test('a missing industryRank, for every op', () => {
    for (const op of ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const) {
      expect(holds(cond('customer.industryRank', op, 3), NO_RANK)).toBe(false);
    }
    expect(holds(cond('customer.industryRank', 'in', [1, 2, 3]), NO_RANK)).toBe(false);
  });

  test('a missing attribute, also for ne', () => {
    expect(holds(cond('attributes.region', 'eq', 'east'), NO_RANK)).toBe(false);
    expect(holds(cond('attributes.region', 'ne', 'east'), NO_RANK)).toBe(false);
    expect(holds(cond('attributes.region', 'ne', 'west'), NO_RANK)).toBe(false);
  });

  test('an inherited property is not an attribute', () => {
    expect(holds(cond('attributes.constructor', 'ne', 'x'))).toBe(false);
    expect(holds(cond('attributes.toString', 'ne', 'x'))).toBe(false);
  });

  test('an unknown field is false, also for ne', () => {
    expect(holds(cond('customer.name', 'ne', 'x'))).toBe(false);
  });

  test('not of a missing-field condition is true', () => {
    expect(holds({ not: cond('attributes.region', 'eq', 'east') }, NO_RANK)).toBe(true);
  });
});

describe('evaluateRule: type mismatches are false', () => {
  test('a number compared with a string', () => {
    expect(holds(cond('amount', 'eq', '1200000'))).toBe(false);
    expect(holds(cond('amount', 'gt', '1'))).toBe(false);
    expect(holds(cond('amount', 'gte', '1'))).toBe(false);
    expect(holds(cond('amount', 'lt', 'zzz'))).toBe(false);
    expect(holds(cond('amount', 'lte', 'zzz'))).toBe(false);
  });

  test('a string compared with a number', () => {
    expect(holds(cond('customer.tier', 'gt', 0))).toBe(false);
    expect(holds(cond('customer.tier', 'lt', 100))).toBe(false);
    expect(holds(cond('customer.tier', 'eq', 1))).toBe(false);
  });

  test('booleans have no order', () => {
    expect(holds(cond('attributes.strategic', 'gte', false))).toBe(false);
    expect(holds(cond('attributes.strategic', 'lte', true))).toBe(false);
  });

  test('in does not coerce', () => {
    expect(holds(cond('amount', 'in', ['1200000']))).toBe(false);
    expect(holds(cond('attributes.seats', 'in', [40]))).toBe(true);
  });

  test('an array value is false for every op but in', () => {
    for (const op of ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'] as const) {
      expect(holds(cond('customer.tier', op, ['B']))).toBe(false);
    }
  });
});

describe('evaluateRule: combinators', () => {
  const yes = cond('customer.tier', 'eq', 'B');
  const no = cond('customer.tier', 'eq', 'A');

  test('all: true only when every branch is', () => {
    expect(holds({ all: [yes, yes] })).toBe(true);
    expect(holds({ all: [yes, no] })).toBe(false);
    expect(holds({ all: [no, no] })).toBe(false);
  });

  test('any: true when at least one branch is', () => {
    expect(holds({ any: [no, yes] })).toBe(true);
    expect(holds({ any: [no, no] })).toBe(false);
  });

  test('not inverts', () => {
    expect(holds({ not: yes })).toBe(false);
    expect(holds({ not: no })).toBe(true);
  });

  test('nested: any of (all, not)', () => {
    const rule: Rule = { any: [{ all: [yes, no] }, { not: { any: [no, cond('amount', 'gt', 5_000_000)] } }] };
    expect(holds(rule)).toBe(true);
    expect(holds({ not: rule })).toBe(false);
  });
});

describe('explainRule', () => {
  const tierA = cond('customer.tier', 'eq', 'A');
  const big = cond('amount', 'gte', 1_000_000);
  const east = cond('attributes.region', 'eq', 'east');

  test('returns the first true branch of an any', () => {
    expect(explainRule({ any: [tierA, big, east] }, FACTS)).toEqual(big);
  });

  test('returns the first true branch when several are true', () => {
    expect(explainRule({ any: [east, big] }, FACTS)).toEqual(east);
  });

  test('returns a condition or an all as it is', () => {
    expect(explainRule(big, FACTS)).toEqual(big);
    const all: Rule = { all: [big, east] };
    expect(explainRule(all, FACTS)).toEqual(all);
  });

  test('a not is returned whole', () => {
    const rule: Rule = { not: tierA };
    expect(explainRule(rule, FACTS)).toEqual(rule);
  });

  test('an any whose branches are all false is returned whole', () => {
    const rule: Rule = { any: [tierA, cond('currency', 'eq', 'USD')] };
    expect(explainRule(rule, FACTS)).toEqual(rule);
  });
});
