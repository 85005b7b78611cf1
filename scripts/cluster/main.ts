// `npm run cluster`: the production topology on one machine. PostgreSQL (DATA_DIR/postgres), the
// Temporal server built from its pinned Go module (schemas, namespace, retention and search
// attributes as docker-compose.yml sets them up), then WORKERS workers and APIS API processes on
// consecutive ports from PORT. Ctrl-C stops it all, in order.
import { z } from 'zod';
import { developmentKeys } from '../../api/dev-keys';
import { ConfigError, parseConfig } from '../../config';
import { Cluster } from './cluster';
import { TEMPORAL_SERVER_VERSION } from './temporal-server';

const count = (name: string, fallback: number): number => {
  const parsed = z.coerce
    .number()
    .int()
    .min(1)
    .max(16)
    .safeParse(process.env[name] || fallback);
  if (!parsed.success) throw new ConfigError([{ variable: name, message: 'expected a whole number from 1 to 16' }]);
  return parsed.data;
};

async function run(): Promise<void> {
  const config = parseConfig(process.env);
  if (config.temporalAddress) {
    throw new ConfigError([
      {
        variable: 'TEMPORAL_ADDRESS',
        message:
          '`npm run cluster` runs its own Temporal server; unset it, and any address in your temporal.toml profile (or use `npm run worker` / `npm run api` against that server)',
      },
    ]);
  }
  const [workers, apis] = [count('WORKERS', 2), count('APIS', 2)];
  const started = Date.now();
  const devKeys = process.env.API_KEYS ? null : developmentKeys(config.dataDir);
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
  if (devKeys) env.API_KEYS = devKeys.map((key) => `${key.token}:${key.role}:${key.subject}`).join(',');
  const stopping = new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const cluster = await Cluster.start({
    dataDir: config.dataDir,
    apiPort: config.http.port,
    temporalPort: config.embedded.port,
    workers,
    apis,
    namespace: config.namespace,
    retention: config.embedded.retention,
    env,
    log,
  });
  const lines = [
    '',
    `Sales SOP orchestrator cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    `  PostgreSQL  127.0.0.1:${cluster.postgresPort}  (data in ${config.dataDir}/postgres)`,
    `  Temporal    ${cluster.temporalAddress}  (namespace ${config.namespace}; server ${TEMPORAL_SERVER_VERSION} on PostgreSQL)`,
    ...Array.from({ length: workers }, (_, i) => `  Worker ${i + 1}    pid ${cluster.workers[i].pid ?? '?'}`),
    ...Array.from(
      { length: apis },
      (_, i) => `  API ${i + 1}       ${cluster.apiUrl(i)}  (board ${cluster.apiUrl(i)}/, OpenAPI ${cluster.apiUrl(i)}/v1/openapi.json)`,
    ),
    ...(devKeys
      ? [
          '  API_KEYS unset: development keys (kept in DATA_DIR):',
          ...devKeys.map((k) => `    ${k.role.padEnd(8)} ${k.subject.padEnd(9)} ${k.token}`),
        ]
      : []),
    '  Ctrl-C stops everything.',
    '',
  ];
  log(lines.join('\n'));
  await stopping;
  log('stopping: APIs, workers, the Temporal server, PostgreSQL');
  await cluster.stop();
  log('stopped');
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
