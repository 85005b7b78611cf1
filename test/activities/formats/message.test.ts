import {
  addressees,
  chatMessage,
  clip,
  dealLink,
  durationWords,
  eventWords,
  fitBytes,
  lateness,
  mentionsOf,
} from '../../../activities/formats/message';
import type { AlertPayload, Recipient } from '../../../domain';
import {
  alert,
  breach,
  escalation,
  MANAGER,
  NOBODY,
  NOW_MS,
  OWNER,
  ping,
  PUBLIC_URL,
  requestBreach,
  SKIP_MANAGER,
  warning,
} from './payloads';

test.each<[Partial<AlertPayload>, string]>([
  [{ type: 'deal.sla.warning' }, 'SLA warning'],
  [{ type: 'deal.sla.breached' }, 'SLA breached'],
  [{ type: 'deal.escalated', level: 0, occurrence: 0 }, 'Escalated (level 1)'],
  [{ type: 'deal.escalated', level: 1, occurrence: 2 }, 'Escalated (level 2, repeat 2)'],
  [{ type: 'deal.request.warning' }, 'Customer request due soon'],
  [{ type: 'deal.request.breached' }, 'Customer request overdue'],
  [{ type: 'deal.risk.overdue' }, 'Risk overdue'],
  [{ type: 'deal.task.overdue' }, 'Risk task overdue'],
  [{ type: 'deal.idle' }, 'Deal idle'],
  [{ type: 'deal.response.overdue' }, 'Response overdue'],
  [{ type: 'deal.cadence.missed' }, 'Contact cadence missed'],
])('%o reads "%s"', (overrides, words) => {
  expect(eventWords(alert(overrides))).toBe(words);
});

test.each([
  [0, '<1m late'],
  [59_000, '<1m late'],
  [20 * 60_000, '20m late'],
  [(3 * 60 + 12) * 60_000, '3h 12m late'],
  [2 * 3_600_000, '2h late'],
  [(2 * 24 + 3) * 3_600_000 + 5 * 60_000, '2d 3h late'],
  [-20 * 60_000, 'due in 20m'],
  [-(25 * 60) * 60_000, 'due in 1d 1h'],
])('%i ms past the deadline reads "%s"', (late, words) => {
  expect(lateness(NOW_MS - late, NOW_MS)).toBe(words);
});

test('durations keep their two largest units', () => {
  expect(durationWords(3 * 86_400_000)).toBe('3d');
  expect(durationWords(61 * 60_000)).toBe('1h 1m');
});

test('a breach names the deal, customer and tier, stage, deadline and how late, owner, SOP and links to the deal', () => {
  const message = chatMessage(breach(), NOW_MS, PUBLIC_URL);
  expect(message).toMatchObject({
    event: 'SLA breached',
    title: 'SLA breached: acme-001',
    severity: 'critical',
    link: 'https://sop.example.com/#sop=enterprise-b2b&deal=acme-001',
    linkText: 'Open deal',
  });
  expect(message.facts).toEqual([
    { label: 'Deal', value: 'acme-001' },
    { label: 'Customer', value: 'Acme Corp (tier A)' },
    { label: 'Stage', value: 'Negotiation' },
    { label: 'Deadline', value: '2026-12-01 09:00 UTC (3h 12m late)' },
    { label: 'Owner', value: 'alice' },
    { label: 'SOP', value: 'enterprise-b2b v3' },
  ]);
});

test('a warning says how soon the deadline falls', () => {
  const deadline = chatMessage(warning(), NOW_MS, PUBLIC_URL).facts.find((fact) => fact.label === 'Deadline');
  expect(deadline?.value).toBe('2026-12-01 12:32 UTC (due in 20m)');
  expect(chatMessage(warning(), NOW_MS, PUBLIC_URL).severity).toBe('warning');
});

test('a request breach has no stage: it names the request', () => {
  const labels = chatMessage(requestBreach(), NOW_MS, PUBLIC_URL).facts.map((fact) => fact.label);
  expect(labels).toEqual(['Deal', 'Customer', 'Request', 'Deadline', 'Owner', 'SOP']);
});

test('a ping names the endpoint and links to the board', () => {
  expect(chatMessage(ping(), NOW_MS, PUBLIC_URL)).toMatchObject({
    title: 'Test message: Sales SOP alerts reach this channel',
    severity: 'info',
    link: PUBLIC_URL,
    facts: [
      { label: 'Endpoint', value: 'Sales leadership group' },
      { label: 'Sent', value: '2026-12-01 12:12 UTC' },
    ],
  });
});

test('the board link encodes the SOP and deal ids', () => {
  expect(dealLink(PUBLIC_URL, 'a b', 'x&y=z')).toBe('https://sop.example.com/#sop=a%20b&deal=x%26y%3Dz');
});

test('long free text is cut to ~200 characters on one line', () => {
  const name = `Very\nLong ${'名'.repeat(300)}`;
  const message = chatMessage(alert({ deal: { ...breach().deal, customer: { name, tier: 'B' } } }), NOW_MS, PUBLIC_URL);
  const customer = message.facts.find((fact) => fact.label === 'Customer')?.value ?? '';
  expect(customer).toMatch(/^Very Long 名+… \(tier B\)$/);
  expect([...customer].length).toBeLessThanOrEqual(210);
  expect([...clip('x'.repeat(500))]).toHaveLength(200);
});

test('fitBytes cuts UTF-8 at a character boundary', () => {
  const cut = fitBytes('名'.repeat(10), 10);
  expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(10);
  expect(cut).toBe('名名…');
  expect(fitBytes('short', 10)).toBe('short');
});

const markup = { text: (value: string) => value, mention: (m: { id: string; name: string }) => `<@${m.id}>` };

test.each<[string, Recipient[], string, string]>([
  ['the owner and the skip-level manager, by chat id', [OWNER, SKIP_MANAGER], 'slack', '<@U0ALICE> (owner), <@U0CAROL> (manager.manager)'],
  ['a person without the id, by name or subject', [OWNER, MANAGER], 'wecom', '<@AliceW> (owner), bob (manager)'],
  ['a person without that id, by name', [{ ...OWNER, slack: undefined }], 'slack', 'Alice Wang (owner)'],
  ['a role nobody fills', [NOBODY], 'feishu', 'legal: nobody in the directory'],
  ['a person in two roles, once', [OWNER, { ...OWNER, role: 'rep' }], 'dingtalk', '<@alice01> (owner, rep)'],
])('addressees: %s', (_case, recipients, field, text) => {
  expect(addressees(recipients, field as 'slack', markup)).toBe(text);
});

test('addressees name at most 20 people and count the rest, and keep to a length', () => {
  const many = Array.from({ length: 25 }, (_, i): Recipient => ({ role: `r${i}`, subject: `s${i}` }));
  expect(addressees(many, 'slack', markup)).toMatch(/, s19 \(r19\) and 5 more$/);
  expect(addressees(many, 'slack', markup, 30)).toBe('s0 (r0), s1 (r1) and 23 more');
});

test('mentionsOf lists the recipients with a subject and that chat id, each id once', () => {
  const recipients = [OWNER, SKIP_MANAGER, MANAGER, NOBODY, { ...NOBODY, slack: 'U0GHOST' }, { ...OWNER, role: 'rep' }];
  expect(mentionsOf(recipients, 'slack')).toEqual([
    { id: 'U0ALICE', name: 'Alice Wang' },
    { id: 'U0CAROL', name: 'Carol Liu' },
  ]);
  expect(mentionsOf(recipients, 'email').map((m) => m.id)).toEqual(['alice@example.com', 'carol@example.com']);
  expect(mentionsOf([MANAGER], 'wecom')).toEqual([]);
});

test('an escalation names its level and repeat', () => {
  expect(chatMessage(escalation(), NOW_MS, PUBLIC_URL).title).toBe('Escalated (level 2, repeat 2): acme-001');
});
