// `npm run receiver`: a local alert system for trying the service out. It checks each request the
// way the destination tool would (signatures, URL credentials, message shape, size and rate limits),
// answers what the tool answers, and prints what arrived. `--help` for the options.
import { parseArgs } from 'node:util';
import { describeMessage, describeRefusal } from '../test/receivers/describe';
import { RECEIVER_FORMATS, isFormatName, type SettingsByFormat } from '../test/receivers/formats';
import { startReceiver, type RunningReceiver } from '../test/receivers/receiver-server';
import type { FormatName } from '../test/receivers/received';

const USAGE = `Usage: npm run receiver -- [--format <format>] [--port <port>] [--secret <secret>]... [--key <key>]

Starts a local receiver for one alert destination format and prints the URL to register with
POST /v1/alert-endpoints, then each message as it arrives and each refusal with its reason.

  --format   ${Object.keys(RECEIVER_FORMATS).join(' | ')}
             Without it: the v1 endpoint, format standard on /alerts, with the secret in
             ALERT_WEBHOOK_SECRET (required) and the port in RECEIVER_PORT (default 4000).
  --port     port on 127.0.0.1 (default RECEIVER_PORT, else 4000; 0 picks a free one)
  --secret   standard: a whsec_… secret, repeat it for both secrets of a rotation (default
             ALERT_WEBHOOK_SECRET, else one is generated); feishu / dingtalk: the bot's signing
             secret, or "none" for a bot without one (default: one is generated)
  --key      the credential in the URL (default: generated): wecom key, feishu hook token,
             dingtalk access_token, slack path (T…/B…/…), teams sig, pagerduty routing key
  --help     this text`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        format: { type: 'string' },
        port: { type: 'string' },
        secret: { type: 'string', multiple: true },
        key: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

type Given = Partial<SettingsByFormat[FormatName]>;

function settingsFor(format: FormatName, key: string | undefined, secrets: readonly string[]): Given {
  const secret = secrets[0] === 'none' ? null : secrets[0];
  switch (format) {
    case 'standard': {
      const known = secrets.length ? secrets : process.env.ALERT_WEBHOOK_SECRET ? [process.env.ALERT_WEBHOOK_SECRET] : [];
      if (known.some((candidate) => !candidate.startsWith('whsec_'))) fail('A standard secret starts with whsec_.');
      return known.length ? { secrets: known } : {};
    }
    case 'wecom':
      return key ? { key } : {};
    case 'feishu':
      return { ...(key ? { token: key } : {}), ...(secret !== undefined ? { secret } : {}) };
    case 'dingtalk':
      return { ...(key ? { accessToken: key } : {}), ...(secret !== undefined ? { secret } : {}) };
    case 'slack':
      return key ? { path: key } : {};
    case 'teams':
      return key ? { sig: key } : {};
    case 'pagerduty':
      if (key && key.length !== 32) console.warn('A PagerDuty routing key has 32 characters: events will be refused.');
      return key ? { routingKey: key } : {};
  }
}

/** The body to POST to /v1/alert-endpoints for this receiver, and what to do after. */
function registration(receiver: RunningReceiver<FormatName>, secretGiven: boolean): string[] {
  const endpoint: Record<string, string> = { url: receiver.url, format: receiver.format };
  const settings: Record<string, unknown> = { ...receiver.settings };
  if ((receiver.format === 'feishu' || receiver.format === 'dingtalk') && typeof settings.secret === 'string')
    endpoint.secret = settings.secret;
  if (receiver.format === 'pagerduty' && typeof settings.routingKey === 'string') endpoint.routingKey = settings.routingKey;
  const lines = ['Register it (admin or ops key):', `  POST /v1/alert-endpoints ${JSON.stringify(endpoint)}`];
  if (receiver.format === 'standard') {
    const secrets = Array.isArray(settings.secrets) ? settings.secrets.map(String) : [];
    lines.push(`Verifying with: ${secrets.join(' ')}`);
    if (!secretGiven) lines.push('The service generates the secret: restart this receiver with --secret <signingSecret from the answer>.');
  }
  return lines;
}

async function main(): Promise<void> {
  const flags = parse();
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  const legacy = flags.format === undefined;
  const format = flags.format ?? 'standard';
  if (!isFormatName(format)) fail(`Unknown format ${JSON.stringify(format)}.`);
  const secrets = flags.secret ?? [];
  if (legacy && !(process.env.ALERT_WEBHOOK_SECRET ?? '').startsWith('whsec_')) {
    console.error('Set ALERT_WEBHOOK_SECRET to the same whsec_... value the service uses.');
    process.exit(1);
  }
  const port = Number(flags.port ?? process.env.RECEIVER_PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`Not a port: ${flags.port ?? process.env.RECEIVER_PORT}.`);

  const receiver = await startReceiver({
    format,
    settings: settingsFor(format, flags.key, secrets),
    port,
    onEvent: (event) => console.log(event.kind === 'message' ? describeMessage(event.message) : describeRefusal(event.refusal)),
  }).catch((error: unknown) => {
    console.error(`Cannot listen on 127.0.0.1:${port}: ${error instanceof Error ? error.message : String(error)}`);
    return process.exit(1);
  });
  if (legacy) {
    console.log(`alert receiver on ${receiver.url}`);
    return;
  }
  console.log(`${format} receiver (${RECEIVER_FORMATS[format].tool}) on ${receiver.url}`);
  for (const line of registration(receiver, secrets.length > 0 || !!process.env.ALERT_WEBHOOK_SECRET)) console.log(line);
}

void main();
