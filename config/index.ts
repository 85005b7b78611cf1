import { z } from 'zod';
import { webhookKey, type WebhookTarget } from '../activities';
import { ROLES, SUBJECT, type Role } from '../domain';
import { DEFAULT_TASK_QUEUE } from '../workflows/messages';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const port = z.coerce.number().int().min(1).max(65535);
const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. "temporal:7233"');

/** The service's whole environment, parsed once at start (t3-env style); no other module reads `process.env`. */
const envSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
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
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  ALERT_WEBHOOK_SECRET: z.string().optional(),
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

export interface ServiceConfig {
  readonly http: { readonly host: string; readonly port: number };
  /** null: start the embedded dev server (only `npm start` does). */
  readonly temporalAddress: string | null;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly embedded: { readonly port: number; readonly uiPort: number; readonly retention: string };
  readonly dataDir: string;
  readonly sopDir: string;
  /** null: development keys are generated (and printed). */
  readonly apiKeys: readonly ApiKey[] | null;
  readonly webhook: WebhookTarget | null;
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

/** `token:role:subject,...`; every malformed entry is named by its position, never by its token. */
export function parseApiKeys(text: string): { keys: ApiKey[]; problems: Problem[] } {
  const keys: ApiKey[] = [];
  const problems: Problem[] = [];
  text.split(',').forEach((entry, index) => {
    const [token, role, subject, ...rest] = entry.trim().split(':');
    const where = `entry ${index + 1}`;
    if (rest.length > 0 || !token || !role || !subject) {
      problems.push({ variable: 'API_KEYS', message: `${where} is not token:role:subject` });
    } else if (!(ROLES as readonly string[]).includes(role)) {
      problems.push({ variable: 'API_KEYS', message: `${where} has role "${role}"; use one of ${ROLES.join(' ')}` });
    } else if (!SUBJECT.test(subject)) {
      problems.push({ variable: 'API_KEYS', message: `${where} has subject "${subject}"; use letters, digits and . _ @ -` });
    } else if (keys.some((key) => key.token === token)) {
      problems.push({ variable: 'API_KEYS', message: `${where} repeats a token` });
    } else {
      keys.push({ token, role: role as Role, subject });
    }
  });
  return { keys, problems };
}

export function parseConfig(env: NodeJS.ProcessEnv): ServiceConfig {
  const raw = withoutBlanks(env);
  const parsed = envSchema.safeParse(raw);
  const apiKeys = raw.API_KEYS ? parseApiKeys(raw.API_KEYS) : null;
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), message: issue.message }))),
    ...webhookProblems(raw),
    ...(apiKeys?.problems ?? []),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    http: { host: e.HOST, port: e.PORT },
    temporalAddress: e.TEMPORAL_ADDRESS ?? null,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TASK_QUEUE,
    embedded: { port: e.TEMPORAL_DEV_PORT, uiPort: e.TEMPORAL_UI_PORT, retention: e.TEMPORAL_RETENTION },
    dataDir: e.DATA_DIR,
    sopDir: e.SOP_DIR,
    apiKeys: apiKeys?.keys ?? null,
    webhook: e.ALERT_WEBHOOK_URL && e.ALERT_WEBHOOK_SECRET ? { url: e.ALERT_WEBHOOK_URL, key: webhookKey(e.ALERT_WEBHOOK_SECRET) } : null,
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
