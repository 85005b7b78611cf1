import { z } from 'zod';
import { webhookKey, type WebhookTarget } from '../activities';
import { DEFAULT_TASK_QUEUE } from '../workflows/messages';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const port = z.coerce.number().int().min(1).max(65535);
const hostPort = z.string().regex(/^[^\s:/]+:\d{1,5}$/, 'expected host:port, e.g. "temporal:7233"');

/** The worker's environment, parsed once at start; no other module reads `process.env`. */
const workerEnvSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_DEV_PORT: port.default(7233),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TASK_QUEUE: z.string().min(1).default(DEFAULT_TASK_QUEUE),
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  ALERT_WEBHOOK_SECRET: z.string().optional(),
  HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: port.default(9464),
  NODE_ENV: z.string().default('development'),
  LOG_LEVEL: z
    .string()
    .transform((level) => level.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(' ')}` }))
    .default('info'),
});

export interface WorkerConfig {
  readonly temporalAddress: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly webhook: WebhookTarget | null;
  readonly metricsAddress: string;
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

/** Blank variables count as unset, as they do in most shells' `VAR= cmd` habits. */
function withoutBlanks(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''),
  );
}

/** Checks that span variables, run even when others are wrong, so every problem is named at once. */
function webhookProblems(env: Record<string, string>): Array<{ variable: string; message: string }> {
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

export function parseWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const raw = withoutBlanks(env);
  const parsed = workerEnvSchema.safeParse(raw);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => ({ variable: String(issue.path[0] ?? 'environment'), message: issue.message }))),
    ...webhookProblems(raw),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    temporalAddress: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_DEV_PORT}`,
    namespace: e.TEMPORAL_NAMESPACE,
    taskQueue: e.TASK_QUEUE,
    webhook: e.ALERT_WEBHOOK_URL && e.ALERT_WEBHOOK_SECRET ? { url: e.ALERT_WEBHOOK_URL, key: webhookKey(e.ALERT_WEBHOOK_SECRET) } : null,
    metricsAddress: `${e.HOST}:${e.WORKER_METRICS_PORT}`,
    logLevel: e.LOG_LEVEL,
    production: e.NODE_ENV === 'production',
  };
}
