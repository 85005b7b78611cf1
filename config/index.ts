import { createHash } from 'node:crypto';
import { accessSync, constants, readFileSync } from 'node:fs';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { ConnectionOptions } from '@temporalio/client';
import { z } from 'zod';
import { webhookKey, type WebhookTarget } from '../activities';
import { DAY, durationMs, parseDuration, ROLES, SUBJECT, type Role } from '../domain';
import { DEFAULT_TASK_QUEUE } from '../workflows/messages';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const port = z.coerce.number().int().min(1).max(65535);
const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. "temporal:7233"');

/** The service's whole environment, parsed once at start (t3-env style); no other module reads `process.env`. */
const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  TEMPORAL_RETENTION: z
    .string()
    .regex(/^[1-9]\d{0,4}[dh]$/, 'expected a number of days or hours, e.g. "90d"')
    .default('90d'),
  TASK_QUEUE: z.string().min(1).max(200).default(DEFAULT_TASK_QUEUE),
  DATA_DIR: z.string().min(1).default('.data'),
  SOP_DIR: z.string().min(1).default('sops'),
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().optional(),
  AUTH_JWKS_URL: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .refine((url) => url.startsWith('https:') || LOOPBACK.test(new URL(url).hostname), {
      error: 'expected an https URL (plain http only on localhost): whoever can change the keys can sign in as anyone',
    })
    .optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  AUTH_SUBJECT_CLAIM: z.string().min(1).max(200).default('sub'),
  AUTH_ROLE_CLAIM: z.string().min(1).max(200).default('role'),
  RATE_LIMIT: z.coerce
    .number({ error: 'expected a whole number of requests a second, e.g. 50' })
    .int({ error: 'expected a whole number of requests a second, e.g. 50' })
    .min(1)
    .max(1_000_000)
    .default(50),
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  ALERT_WEBHOOK_SECRET: z.string().optional(),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'expected the http(s) address users open the board at, e.g. "https://sales-sop.example.com"' })
    .optional(),
  PEOPLE_FILE: z.string().min(1).optional(),
  ALERT_RETRY_WINDOW: z
    .string()
    .regex(/^[1-9]\d{0,5}[smhdw]$/, 'expected a whole number and a unit s m h d w, e.g. "25h"')
    .default('25h'),
  REOPEN_WINDOW: z
    .string()
    .regex(/^(0|[1-9]\d{0,5})[smhdw]$/, 'expected a whole number and a unit s m h d w, e.g. "30d" ("0d": never)')
    .default('30d'),
  WORKER_METRICS_PORT: port.default(9464),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(10).max(1_000_000).default(2_000),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z
    .string()
    .transform((level) => level.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(' ')}` }))
    .default('info'),
});

/** An API key: a bearer token and who holds it. */
export interface ApiKey {
  readonly token: string;
  readonly role: Role;
  readonly subject: string;
}

/** An API key as the API keeps it: only the SHA-256 of its token, never the token. */
export interface CallerKey {
  /** Lower-case hex SHA-256 of the token's UTF-8 bytes. */
  readonly sha256: string;
  readonly role: Role;
  readonly subject: string;
}

/** Where bearer tokens that are JWTs are checked (OIDC): `AUTH_*`. */
export interface SsoConfig {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  readonly subjectClaim: string;
  readonly roleClaim: string;
}

/** The SHA-256 of a token, as `API_KEYS_FILE` holds it (`sha256:<this>:role:subject`). */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function hashKey(key: ApiKey): CallerKey {
  return { sha256: tokenSha256(key.token), role: key.role, subject: key.subject };
}

/** How to reach Temporal beyond its address: TLS (mTLS), an API key (Temporal Cloud), gRPC metadata. */
export interface TemporalConnection {
  readonly tls?: ConnectionOptions['tls'];
  readonly apiKey?: string;
  readonly metadata?: Record<string, string>;
}

/** Alert endpoints beyond the built-in one (`CONTRACT.md` v2.3). */
export interface AlertConfig {
  /** PUBLIC_URL, no trailing slash: messages link to deals on the board there. Default: the API's own address. */
  readonly publicUrl: string;
  /** PEOPLE_FILE: the people directory's entries, written at each start; null when unset. */
  readonly peopleFile: string | null;
  /** ALERT_RETRY_WINDOW: how long an endpoint's delivery is retried before it fails (default 25 h). */
  readonly retryForMs: number;
}

export interface ServiceConfig {
  readonly http: { readonly host: string; readonly port: number };
  /** null: start the embedded dev server (only `npm start` does). From TEMPORAL_ADDRESS or the profile. */
  readonly temporalAddress: string | null;
  /** From Temporal's own environment configuration (`@temporalio/envconfig`): env vars, then the profile. */
  readonly temporalConnection: TemporalConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly embedded: { readonly port: number; readonly uiPort: number; readonly retention: string };
  /** REOPEN_WINDOW: how long a lost deal may be reopened; each deal keeps the window it was opened with. */
  readonly reopenWindowMs: number;
  readonly dataDir: string;
  readonly sopDir: string;
  /** From API_KEYS and API_KEYS_FILE; null when neither is set (nor SSO): development keys are generated (and printed). */
  readonly apiKeys: readonly CallerKey[] | null;
  /** null: bearer tokens are API keys only. */
  readonly sso: SsoConfig | null;
  /** Requests a second per caller and API process; bursts up to twice that. */
  readonly rateLimit: number;
  readonly webhook: WebhookTarget | null;
  readonly alerts: AlertConfig;
  readonly metricsAddress: string;
  /** Workflows a worker keeps in memory between tasks; evicted ones replay from history on their next task. */
  readonly maxCachedWorkflows: number;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** NODE_ENV=production: load the prebuilt workflow bundle. */
  readonly production: boolean;
}

/** Thrown when the environment is wrong; the message names every variable at fault. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: ReadonlyArray<{ variable: string; message: string }>) {
    super(`Bad configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
  }
}

/** Blank variables count as unset, as in `VAR= cmd`. */
function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''),
  );
}

type Problem = { variable: string; message: string };

/** Checks that span variables, run even when others are wrong, so every problem is named at once. */
function webhookProblems(env: Record<string, string>): Problem[] {
  if (env.ALERT_WEBHOOK_URL && !env.ALERT_WEBHOOK_SECRET) {
    return [{ variable: 'ALERT_WEBHOOK_SECRET', message: 'required when ALERT_WEBHOOK_URL is set' }];
  }
  if (!env.ALERT_WEBHOOK_SECRET) return [];
  try {
    webhookKey(env.ALERT_WEBHOOK_SECRET);
    return [];
  } catch (error) {
    return [{ variable: 'ALERT_WEBHOOK_SECRET', message: (error as Error).message }];
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** One `token:role:subject` or `sha256:<hex>:role:subject` entry; a problem names it by `where`, never by its token. */
function parseKeyEntry(entry: string, where: string, allowHashed: boolean): CallerKey | string {
  const parts = entry.trim().split(':');
  const hashed = allowHashed && parts[0] === 'sha256' && parts.length === 4;
  const [secret, role, subject, ...rest] = hashed ? parts.slice(1) : parts;
  if (rest.length > 0 || !secret || !role || !subject) {
    return `${where} is not ${allowHashed ? 'token:role:subject or sha256:<hex>:role:subject' : 'token:role:subject'}`;
  }
  if (hashed && !SHA256_HEX.test(secret.toLowerCase())) return `${where} has a sha256 that is not 64 hex digits`;
  if (!(ROLES as readonly string[]).includes(role)) return `${where} has role "${role}"; use one of ${ROLES.join(' ')}`;
  if (!SUBJECT.test(subject)) return `${where} has subject "${subject}"; use letters, digits and . _ @ -`;
  return { sha256: hashed ? secret.toLowerCase() : tokenSha256(secret), role: role as Role, subject };
}

function addKeys(entries: Array<{ entry: string; where: string }>, variable: string, allowHashed: boolean, into: CallerKey[]): Problem[] {
  const problems: Problem[] = [];
  for (const { entry, where } of entries) {
    const key = parseKeyEntry(entry, where, allowHashed);
    if (typeof key === 'string') problems.push({ variable, message: key });
    else if (into.some((known) => known.sha256 === key.sha256)) problems.push({ variable, message: `${where} repeats a key` });
    else into.push(key);
  }
  return problems;
}

/** `token:role:subject,...`; every malformed entry is named by its position, never by its token. */
export function parseApiKeys(text: string, into: CallerKey[] = []): { keys: CallerKey[]; problems: Problem[] } {
  const entries = text.split(',').map((entry, index) => ({ entry, where: `entry ${index + 1}` }));
  return { keys: into, problems: addKeys(entries, 'API_KEYS', false, into) };
}

/** One key a line, `sha256:<hex of the token>:role:subject` or `token:role:subject`; blank lines and `#` comments skipped. */
export function parseApiKeysFile(file: string, into: CallerKey[] = []): { keys: CallerKey[]; problems: Problem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { keys: into, problems: [{ variable: 'API_KEYS_FILE', message: `cannot read "${file}": ${(error as Error).message}` }] };
  }
  const entries = text
    .split(/\r?\n/)
    .map((line, index) => ({ entry: line.trim(), where: `line ${index + 1} of ${file}` }))
    .filter(({ entry }) => entry !== '' && !entry.startsWith('#'));
  return { keys: into, problems: addKeys(entries, 'API_KEYS_FILE', true, into) };
}

/** envconfig reads files as Uint8Array; the SDK's connections take Buffers. */
function asBuffers(tls: NonNullable<ConnectionOptions['tls']>): NonNullable<ConnectionOptions['tls']> {
  if (typeof tls === 'boolean') return tls;
  const buffer = (data: Uint8Array | undefined) => (data ? Buffer.from(data) : undefined);
  return {
    ...tls,
    serverRootCACertificate: buffer(tls.serverRootCACertificate),
    clientCertPair: tls.clientCertPair && { crt: Buffer.from(tls.clientCertPair.crt), key: Buffer.from(tls.clientCertPair.key) },
  };
}

const TLS_FILES = [
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_CONFIG_FILE',
] as const;

/**
 * The Temporal connection as Temporal's SDKs and CLI read it (`@temporalio/envconfig`): a profile
 * from TEMPORAL_CONFIG_FILE (default `~/.config/temporalio/temporal.toml`) chosen by
 * TEMPORAL_PROFILE, overridden by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and
 * TEMPORAL_TLS_*. Every file named is read now, so a wrong path stops the process at start.
 */
function temporalProfile(env: Record<string, string>): {
  profile: { address?: string; namespace?: string; connection: TemporalConnection };
  problems: Problem[];
} {
  const problems: Problem[] = [];
  for (const variable of TLS_FILES) {
    if (!env[variable]) continue;
    try {
      accessSync(env[variable], constants.R_OK);
    } catch (error) {
      problems.push({
        variable,
        message: `cannot read "${env[variable]}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      });
    }
  }
  if (Boolean(env.TEMPORAL_TLS_CLIENT_CERT_PATH) !== Boolean(env.TEMPORAL_TLS_CLIENT_KEY_PATH)) {
    const missing = env.TEMPORAL_TLS_CLIENT_CERT_PATH ? 'TEMPORAL_TLS_CLIENT_KEY_PATH' : 'TEMPORAL_TLS_CLIENT_CERT_PATH';
    problems.push({ variable: missing, message: 'a client certificate and its key go together (mTLS): set both' });
  }
  if (problems.length > 0) return { profile: { connection: {} }, problems };
  try {
    const { namespace, connectionOptions } = loadClientConnectConfig({ overrideEnvVars: env });
    const { address, tls, apiKey, metadata } = connectionOptions;
    const connection: TemporalConnection = {
      ...(tls !== undefined && tls !== null && { tls: asBuffers(tls) }),
      ...(typeof apiKey === 'string' && { apiKey }),
      ...(metadata && Object.keys(metadata).length > 0 && { metadata: metadata as Record<string, string> }),
    };
    return { profile: { address, namespace, connection }, problems };
  } catch (error) {
    const message = (error as Error).message;
    const variable = /^Profile /.test(message) ? 'TEMPORAL_PROFILE' : 'TEMPORAL_CONFIG_FILE';
    return { profile: { connection: {} }, problems: [{ variable, message }] };
  }
}

const SSO_VARIABLES = ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const;

/** The three AUTH_* variables go together: one without the others is a mistake, not a choice. */
function ssoProblems(env: Record<string, string>): Problem[] {
  const set = SSO_VARIABLES.filter((name) => env[name]);
  if (set.length === 0 || set.length === SSO_VARIABLES.length) return [];
  return SSO_VARIABLES.filter((name) => !env[name]).map((variable) => ({
    variable,
    message: `required with ${set.join(' and ')} (SSO needs the JWKS URL, the issuer and the audience)`,
  }));
}

export function parseConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const raw = withoutBlanks(env);
  const parsed = envSchema.safeParse(raw);
  const keys: CallerKey[] = [];
  const keyProblems = [
    ...(raw.API_KEYS ? parseApiKeys(raw.API_KEYS, keys).problems : []),
    ...(raw.API_KEYS_FILE ? parseApiKeysFile(raw.API_KEYS_FILE, keys).problems : []),
  ];
  const temporal = temporalProfile(raw);
  const profileAddress = !raw.TEMPORAL_ADDRESS && temporal.profile.address ? hostPort.safeParse(temporal.profile.address) : null;
  const problems = [
    ...temporal.problems,
    ...(profileAddress && !profileAddress.success
      ? [{ variable: 'TEMPORAL_PROFILE', message: `the profile's address "${temporal.profile.address}" is not host:port` }]
      : []),
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), message: issue.message }))),
    ...webhookProblems(raw),
    ...keyProblems,
    ...ssoProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    http: { host: e.HOST, port: e.PORT },
    temporalAddress: e.TEMPORAL_ADDRESS ?? temporal.profile.address ?? null,
    temporalConnection: temporal.profile.connection,
    namespace: e.TEMPORAL_NAMESPACE ?? temporal.profile.namespace ?? 'default',
    taskQueue: e.TASK_QUEUE,
    embedded: { port: e.TEMPORAL_DEV_PORT, uiPort: e.TEMPORAL_UI_PORT, retention: e.TEMPORAL_RETENTION },
    dataDir: e.DATA_DIR,
    sopDir: e.SOP_DIR,
    apiKeys: raw.API_KEYS || raw.API_KEYS_FILE || e.AUTH_JWKS_URL ? keys : null,
    sso:
      e.AUTH_JWKS_URL && e.AUTH_ISSUER && e.AUTH_AUDIENCE
        ? {
            jwksUrl: e.AUTH_JWKS_URL,
            issuer: e.AUTH_ISSUER,
            audience: e.AUTH_AUDIENCE,
            subjectClaim: e.AUTH_SUBJECT_CLAIM,
            roleClaim: e.AUTH_ROLE_CLAIM,
          }
        : null,
    rateLimit: e.RATE_LIMIT,
    reopenWindowMs: reopenWindowMs(e.REOPEN_WINDOW),
    webhook: e.ALERT_WEBHOOK_URL && e.ALERT_WEBHOOK_SECRET ? { url: e.ALERT_WEBHOOK_URL, key: webhookKey(e.ALERT_WEBHOOK_SECRET) } : null,
    alerts: {
      publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST}:${e.PORT}`).replace(/\/+$/, ''),
      peopleFile: e.PEOPLE_FILE ?? null,
      retryForMs: durationMs(parseDuration(e.ALERT_RETRY_WINDOW), DAY, 7 * DAY),
    },
    metricsAddress: `${e.HOST}:${e.WORKER_METRICS_PORT}`,
    maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    logLevel: e.LOG_LEVEL,
    production: e.NODE_ENV === 'production',
  };
}

/** Where a process that does not start the embedded server finds Temporal. */
export function temporalAddressOf(config: ServiceConfig): string {
  return config.temporalAddress ?? `127.0.0.1:${config.embedded.port}`;
}

/** REOPEN_WINDOW on the continuous clock: a day is 24 h, a week 7 days. */
function reopenWindowMs(text: string): number {
  return durationMs(parseDuration(text), DAY, 7 * DAY);
}
