import { checkSop, lintSop, type Problem } from '../../domain';

/** A minimal valid definition; each test adds the part it is about. */
function doc(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'enterprise-b2b',
    version: 1,
    name: 'Enterprise B2B sale',
    stages: [
      { id: 'requirements', name: 'Requirements confirmed' },
      { id: 'contract', name: 'Contract signed' },
    ],
    ...overrides,
  };
}

function problemsOf(input: unknown): Problem[] {
  const result = checkSop(input);
  expect(result).toMatchObject({ ok: false });
  return result.ok ? [] : result.problems;
}

const pathsOf = (input: unknown): string[] => problemsOf(input).map((problem) => problem.path);

describe('checkSop: a valid SOP', () => {
  test('passes with calendar, requestSla, raci and list defaults filled in', () => {
    const result = checkSop(doc());
    expect(result).toEqual({
      ok: true,
      sop: {
        id: 'enterprise-b2b',
        version: 1,
        name: 'Enterprise B2B sale',
        calendar: { timezone: 'UTC', workdays: [1, 2, 3, 4, 5], hours: { start: '09:00', end: '18:00' }, holidays: [] },
        requestSla: { breachAfter: '48h', clock: 'continuous', notify: ['owner', 'manager'] },
        stages: [
          {
            id: 'requirements',
            name: 'Requirements confirmed',
            deliverables: [],
            raci: { responsible: 'owner', accountable: 'manager', consulted: [], informed: [] },
            escalations: [],
          },
          {
            id: 'contract',
            name: 'Contract signed',
            deliverables: [],
            raci: { responsible: 'owner', accountable: 'manager', consulted: [], informed: [] },
            escalations: [],
          },
        ],
      },
    });
  });

  test('keeps every field of the CONTRACT example and fills only what is missing', () => {
    const result = checkSop(
      doc({
        calendar: { timezone: 'Asia/Shanghai', holidays: ['2026-10-01'] },
        requestSla: { warnAfter: '24h' },
        stages: [
          {
            id: 'requirements',
            name: 'Requirements confirmed',
            deliverables: ['requirements-doc'],
            raci: { responsible: 'owner', accountable: 'manager', consulted: ['presales'] },
            sla: { warnAfter: '20d', breachAfter: '30d', clock: 'business' },
            escalations: [
              { after: '30d', notify: ['manager'] },
              { after: '32d', notify: ['director'], repeatEvery: '1d' },
            ],
            skipWhen: {
              any: [
                { field: 'customer.tier', op: 'eq', value: 'A' },
                { field: 'amount', op: 'gte', value: 5000000 },
              ],
            },
          },
          { id: 'contract', name: 'Contract signed', sla: { breachAfter: '10d' } },
        ],
      }),
    );
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.sop.calendar).toEqual({
      timezone: 'Asia/Shanghai',
      workdays: [1, 2, 3, 4, 5],
      hours: { start: '09:00', end: '18:00' },
      holidays: ['2026-10-01'],
    });
    expect(result.sop.requestSla).toEqual({ warnAfter: '24h', breachAfter: '48h', clock: 'continuous', notify: ['owner', 'manager'] });
    expect(result.sop.stages[0].raci).toEqual({ responsible: 'owner', accountable: 'manager', consulted: ['presales'], informed: [] });
    expect(result.sop.stages[1].sla).toEqual({ breachAfter: '10d', clock: 'continuous' });
  });

  test('lintSop finds nothing in a valid SOP', () => {
    expect(lintSop(doc())).toEqual([]);
  });
});

describe('checkSop: unknown fields', () => {
  test('at the top level', () => {
    expect(pathsOf(doc({ owner: 'ops' }))).toEqual(['owner']);
  });

  test('in a stage', () => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', foo: 1 }] }))).toEqual(['stages.0.foo']);
  });

  test('deeper: calendar hours, stage sla, raci, escalation and requestSla', () => {
    const paths = pathsOf(
      doc({
        calendar: { hours: { start: '09:00', end: '18:00', lunch: '12:00' } },
        requestSla: { breachAfter: '48h', escalate: true },
        stages: [
          {
            id: 'a',
            name: 'A',
            sla: { breachAfter: '1d', pause: true },
            raci: { responsible: 'owner', driver: 'pete' },
            escalations: [{ after: '1d', notify: ['manager'], channel: 'sms' }],
          },
        ],
      }),
    );
    expect(paths.sort()).toEqual(
      [
        'calendar.hours.lunch',
        'requestSla.escalate',
        'stages.0.escalations.0.channel',
        'stages.0.raci.driver',
        'stages.0.sla.pause',
      ].sort(),
    );
  });

  test('each unknown field is a problem of its own', () => {
    expect(pathsOf(doc({ a: 1, b: 2 })).sort()).toEqual(['a', 'b']);
  });
});

describe('checkSop: lint rules', () => {
  test('a duplicate stage id is reported at the second occurrence', () => {
    const problems = problemsOf(
      doc({
        stages: [
          { id: 'a', name: 'A' },
          { id: 'b', name: 'B' },
          { id: 'a', name: 'A again' },
        ],
      }),
    );
    expect(problems.map((p) => p.path)).toEqual(['stages.2.id']);
  });

  test('stage sla warnAfter equal to breachAfter', () => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', sla: { warnAfter: '2d', breachAfter: '48h' } }] }))).toEqual([
      'stages.0.sla.warnAfter',
    ]);
  });

  test('stage sla warnAfter longer than breachAfter', () => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', sla: { warnAfter: '1w', breachAfter: '6d' } }] }))).toEqual([
      'stages.0.sla.warnAfter',
    ]);
  });

  test('stage sla warnAfter shorter than breachAfter is fine', () => {
    expect(checkSop(doc({ stages: [{ id: 'a', name: 'A', sla: { warnAfter: '47h', breachAfter: '2d' } }] })).ok).toBe(true);
  });

  test('business clock: 1d is one working day (9 h), so warnAfter 10h >= breachAfter 1d', () => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', sla: { warnAfter: '10h', breachAfter: '1d', clock: 'business' } }] }))).toEqual([
      'stages.0.sla.warnAfter',
    ]);
  });

  test('continuous clock: 1d is 24 h, so warnAfter 10h < breachAfter 1d passes', () => {
    expect(checkSop(doc({ stages: [{ id: 'a', name: 'A', sla: { warnAfter: '10h', breachAfter: '1d' } }] })).ok).toBe(true);
  });

  test('business clock uses the calendar: 1d of 08:00-20:00 is 12 h, so 10h < 1d passes', () => {
    const input = doc({
      calendar: { hours: { start: '08:00', end: '20:00' } },
      stages: [{ id: 'a', name: 'A', sla: { warnAfter: '10h', breachAfter: '1d', clock: 'business' } }],
    });
    expect(checkSop(input).ok).toBe(true);
  });

  test('requestSla warnAfter >= breachAfter', () => {
    expect(pathsOf(doc({ requestSla: { warnAfter: '48h', breachAfter: '2d' } }))).toEqual(['requestSla.warnAfter']);
  });

  test('requestSla warnAfter >= the default breachAfter of 48h', () => {
    expect(pathsOf(doc({ requestSla: { warnAfter: '72h' } }))).toEqual(['requestSla.warnAfter']);
  });

  test('unknown time zone', () => {
    expect(pathsOf(doc({ calendar: { timezone: 'Mars/Olympus_Mons' } }))).toEqual(['calendar.timezone']);
  });

  test('a known time zone passes', () => {
    expect(checkSop(doc({ calendar: { timezone: 'America/New_York' } })).ok).toBe(true);
  });

  test('hours.start after hours.end', () => {
    expect(pathsOf(doc({ calendar: { hours: { start: '18:00', end: '09:00' } } }))).toEqual(['calendar.hours']);
  });

  test('hours.start equal to hours.end', () => {
    expect(pathsOf(doc({ calendar: { hours: { start: '09:00', end: '09:00' } } }))).toEqual(['calendar.hours']);
  });

  test('empty workdays', () => {
    expect(pathsOf(doc({ calendar: { workdays: [] } }))).toEqual(['calendar.workdays']);
  });

  test('a duration over 100 years, which could not be a date', () => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', sla: { breachAfter: '999999999w' } }] }))).toEqual(['stages.0.sla.breachAfter']);
  });

  test.each(['1y', '-1d', '48 h', '2 days'])('a malformed duration "%s" is a problem, never a throw', (text) => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', sla: { breachAfter: text } }] }))).toEqual(['stages.0.sla.breachAfter']);
  });

  test('an escalation after of zero', () => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', escalations: [{ after: '0h', notify: ['manager'] }] }] }))).toEqual([
      'stages.0.escalations.0.after',
    ]);
  });

  test('a repeatEvery of zero', () => {
    const input = doc({
      stages: [
        {
          id: 'a',
          name: 'A',
          escalations: [
            { after: '1d', notify: ['manager'] },
            { after: '2d', notify: ['director'], repeatEvery: '0d' },
          ],
        },
      ],
    });
    expect(pathsOf(input)).toEqual(['stages.0.escalations.1.repeatEvery']);
  });

  test('a skipWhen naming an unknown field', () => {
    const input = doc({
      stages: [
        { id: 'a', name: 'A', skipWhen: { field: 'customer.name', op: 'eq', value: 'ACME' } },
        { id: 'b', name: 'B' },
      ],
    });
    expect(pathsOf(input)).toEqual(['stages.0.skipWhen.field']);
  });

  test('a skipWhen naming an unknown field inside any, all and not', () => {
    const input = doc({
      stages: [
        {
          id: 'a',
          name: 'A',
          skipWhen: {
            any: [
              { field: 'amount', op: 'gt', value: 1 },
              { field: 'region', op: 'eq', value: 'x' },
            ],
          },
        },
        { id: 'b', name: 'B', skipWhen: { all: [{ field: 'deal.size', op: 'eq', value: 1 }] } },
        { id: 'c', name: 'C', skipWhen: { not: { all: [{ not: { field: 'tier', op: 'eq', value: 'A' } }] } } },
        { id: 'd', name: 'D' },
      ],
    });
    expect(pathsOf(input)).toEqual([
      'stages.0.skipWhen.any.1.field',
      'stages.1.skipWhen.all.0.field',
      'stages.2.skipWhen.not.all.0.not.field',
    ]);
  });

  test('skipWhen fields that are known pass, attributes.<name> included', () => {
    const input = doc({
      stages: [
        {
          id: 'a',
          name: 'A',
          skipWhen: {
            all: [
              { field: 'amount', op: 'gte', value: 1 },
              { field: 'currency', op: 'eq', value: 'CNY' },
              { field: 'customer.tier', op: 'in', value: ['A', 'B'] },
              { field: 'customer.industryRank', op: 'lte', value: 10 },
              { field: 'attributes.region', op: 'eq', value: 'east' },
            ],
          },
        },
        { id: 'b', name: 'B' },
      ],
    });
    expect(checkSop(input).ok).toBe(true);
  });

  test('every stage carrying a skipWhen', () => {
    const input = doc({
      stages: [
        { id: 'a', name: 'A', skipWhen: { field: 'customer.tier', op: 'eq', value: 'A' } },
        { id: 'b', name: 'B', skipWhen: { field: 'amount', op: 'lt', value: 100 } },
      ],
    });
    expect(pathsOf(input)).toEqual(['stages']);
  });

  test('a single stage with a skipWhen is every stage', () => {
    expect(pathsOf(doc({ stages: [{ id: 'a', name: 'A', skipWhen: { field: 'amount', op: 'lt', value: 100 } }] }))).toEqual(['stages']);
  });
});

describe('checkSop: all problems at once', () => {
  test('a schema error and a lint error are both listed', () => {
    const input = doc({
      version: 0,
      calendar: { timezone: 'Nowhere/City' },
      stages: [
        { id: 'a', name: 'A', colour: 'red' },
        { id: 'a', name: 'A again' },
      ],
    });
    expect(pathsOf(input).sort()).toEqual(['calendar.timezone', 'stages.0.colour', 'stages.1.id', 'version']);
  });

  test('lint still runs when the document does not parse', () => {
    const input = doc({ name: '', stages: [{ id: 'a', name: 'A', sla: { warnAfter: '2d', breachAfter: '1d' } }] });
    expect(pathsOf(input).sort()).toEqual(['name', 'stages.0.sla.warnAfter']);
  });

  test('every problem has a message', () => {
    for (const problem of problemsOf(doc({ foo: 1, calendar: { workdays: [] } }))) {
      expect(problem.message).toEqual(expect.any(String));
      expect(problem.message.length).toBeGreaterThan(0);
    }
  });
});
