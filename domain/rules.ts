/** Facts about a deal that fast-lane rules may read. */
export interface DealFacts {
  readonly amount: number;
  readonly currency: string;
  readonly customer: { readonly tier: string; readonly industryRank?: number };
  readonly attributes: Readonly<Record<string, string | number | boolean>>;
}

export const RULE_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in'] as const;
export type RuleOp = (typeof RULE_OPS)[number];
type Scalar = string | number | boolean;

export interface Condition {
  field: string;
  op: RuleOp;
  value: Scalar | Scalar[];
}
export type Rule = Condition | { all: Rule[] } | { any: Rule[] } | { not: Rule };

const ATTRIBUTE_FIELD = /^attributes\.[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const PLAIN_FIELDS = ['amount', 'currency', 'customer.tier', 'customer.industryRank'];

/** True if a rule may name this field. */
export function isKnownRuleField(field: string): boolean {
  return PLAIN_FIELDS.includes(field) || ATTRIBUTE_FIELD.test(field);
}

function readField(facts: DealFacts, field: string): Scalar | undefined {
  switch (field) {
    case 'amount':
      return facts.amount;
    case 'currency':
      return facts.currency;
    case 'customer.tier':
      return facts.customer.tier;
    case 'customer.industryRank':
      return facts.customer.industryRank;
    default: {
      if (!ATTRIBUTE_FIELD.test(field)) return undefined;
      const name = field.slice('attributes.'.length);
      return Object.prototype.hasOwnProperty.call(facts.attributes, name) ? facts.attributes[name] : undefined;
    }
  }
}

function compare(actual: Scalar, op: RuleOp, expected: Scalar | Scalar[]): boolean {
  if (op === 'in') return Array.isArray(expected) && expected.some((item) => item === actual);
  if (Array.isArray(expected)) return false;
  if (op === 'eq') return actual === expected;
  if (op === 'ne') return actual !== expected;
  // Ordering is only defined between two numbers or two strings.
  if (typeof actual !== typeof expected || typeof actual === 'boolean') return false;
  switch (op) {
    case 'gt':
      return actual > expected;
    case 'gte':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    default:
      return actual <= expected;
  }
}

/** Evaluates a rule; a condition on a missing field is false. */
export function evaluateRule(rule: Rule, facts: DealFacts): boolean {
  if ('all' in rule) return rule.all.every((child) => evaluateRule(child, facts));
  if ('any' in rule) return rule.any.some((child) => evaluateRule(child, facts));
  if ('not' in rule) return !evaluateRule(rule.not, facts);
  const actual = readField(facts, rule.field);
  return actual !== undefined && compare(actual, rule.op, rule.value);
}

/**
 * The part of a true rule that made it true, for the deal's timeline: the first true branch of an
 * `any`, the whole rule otherwise.
 */
export function explainRule(rule: Rule, facts: DealFacts): Rule {
  if ('any' in rule) {
    const fired = rule.any.find((child) => evaluateRule(child, facts));
    return fired ? explainRule(fired, facts) : rule;
  }
  return rule;
}
