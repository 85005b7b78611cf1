// What each format sends is what its tool takes: every format's request (activities/formats, built
// from the vendor's documents) checked by that tool's receiver (test/receivers, written apart from
// it, from the same documents): accepted, signed where it signs, mentioning whom the tool should.
import { formatOf, type FormatName, type Notice } from '../../activities/formats';
import { FORMATS } from '../../domain';
import {
  alertNotice,
  breach,
  context,
  escalation,
  pingNotice,
  requestBreach,
  resolveNotice,
  warning,
} from '../activities/formats/payloads';
import { RECEIVER_FORMATS, type SettingsByFormat } from './formats';

const NOW = Date.parse('2026-12-01T12:12:00.000Z');
const TOOL_ID: Partial<Record<FormatName, 'wecom' | 'feishu' | 'dingtalk' | 'slack' | 'email'>> = {
  wecom: 'wecom',
  feishu: 'feishu',
  dingtalk: 'dingtalk',
  slack: 'slack',
  teams: 'email',
};

/** The receiver's settings, and the endpoint as the service would hold it for that receiver. */
function pair<F extends FormatName>(format: F) {
  const receiver = RECEIVER_FORMATS[format];
  const settings = receiver.defaults({}) as SettingsByFormat[F];
  const url = `http://127.0.0.1:4000${receiver.endpointPath(settings as never)}`;
  const s = settings as Partial<{ secrets: string[]; secret: string | null; routingKey: string }>;
  const secrets = s.secrets ?? (s.secret ? [s.secret] : []);
  return { receiver, settings, endpoint: { url, secrets, ...(s.routingKey && { routingKey: s.routingKey }) } };
}

function deliver(format: FormatName, notice: Notice) {
  const { receiver, settings, endpoint } = pair(format);
  // The service delivers an alert under its own id, a ping under the ping's.
  const deliveryId = notice.kind === 'ping' ? notice.ping.id : notice.alert.id;
  const request = formatOf(format).request(notice, { ...context(endpoint, NOW), deliveryId });
  if (!request) return null;
  return receiver.check(request, settings as never, NOW, []);
}

describe.each(FORMATS.filter((f) => f !== 'pagerduty'))('%s', (format) => {
  test.each([
    ['a breach', alertNotice(breach())],
    ['a warning', alertNotice(warning())],
    ['an escalation', alertNotice(escalation())],
    ['a request breach', alertNotice(requestBreach())],
    ['a ping', pingNotice()],
  ])('%s is accepted by the tool', (_what, notice) => {
    const result = deliver(format, notice);
    expect(result && !result.accepted ? result.reason : 'accepted').toBe('accepted');
    if (!result?.accepted) return;
    if (format === 'standard' || format === 'feishu' || format === 'dingtalk') expect(result.message.signature).toBe('verified');
    expect(result.message.warnings ?? []).toEqual([]);
  });

  test('the breach mentions the owner and the manager’s manager by the tool’s own ids', () => {
    const result = deliver(format, alertNotice(breach()));
    if (!result?.accepted) throw new Error('refused');
    const field = TOOL_ID[format];
    if (!field) return expect(format).toBe('standard');
    const ids = breach().recipients.map((r) => r[field]);
    expect(result.message.mentions).toEqual(expect.arrayContaining(ids));
    expect(result.message.link).toBe('https://sop.example.com/#sop=enterprise-b2b&deal=acme-001');
  });
});

describe('pagerduty', () => {
  test('an alert triggers and its resolve resolves the same incident; both accepted', () => {
    const trigger = deliver('pagerduty', alertNotice(breach()));
    const resolve = deliver('pagerduty', resolveNotice(breach()));
    if (!trigger?.accepted || !resolve?.accepted) throw new Error('refused');
    expect(trigger.message.incident?.action).toBe('trigger');
    expect(resolve.message.incident).toEqual({ action: 'resolve', dedupKey: trigger.message.incident?.dedupKey });
  });

  test('other formats send nothing for a resolve', () => {
    for (const format of FORMATS.filter((f) => f !== 'pagerduty')) expect(deliver(format, resolveNotice(breach()))).toBeNull();
  });
});
