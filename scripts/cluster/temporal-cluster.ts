// The Temporal server of `npm run cluster` on PostgreSQL: schemas created or upgraded with the
// server's own SQL tool, a config of our own (4 history shards, every service in one process, on
// loopback), then the namespace, its retention and the deal search attributes, as the
// `temporal-setup` service of docker-compose.yml does. Keep the two in step.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../../workflows/messages';
import { cliPath } from '../temporal-binaries';
import { Child } from './child';
import { DATABASE_USER } from './postgres';
import { freePortBelow, waitForPort } from '../ports';
import type { TemporalServerBinaries } from './temporal-server';

/** Temporal's dynamic configuration, shared with docker-compose.yml. */
const DYNAMIC_CONFIG = path.resolve(__dirname, '..', '..', 'deploy', 'temporal-dynamicconfig.yaml');

const run = promisify(execFile);
const DATABASES = { temporal: 'temporal', visibility: 'temporal_visibility' } as const;

/** mTLS on the frontend: the server's certificate, and the CA its clients' certificates must chain to. */
export interface ClusterTls {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate the server's own system workers present (and the CLI, for the setup). */
  readonly clientCert: string;
  readonly clientKey: string;
  /** The name in the server's certificate that clients check. */
  readonly serverName: string;
}

/** The temporal CLI's flags for a frontend behind `tls`. */
export function cliTlsFlags(tls: ClusterTls | undefined): string[] {
  return tls
    ? ['--tls-cert-path', tls.clientCert, '--tls-key-path', tls.clientKey, '--tls-ca-path', tls.ca, '--tls-server-name', tls.serverName]
    : [];
}

export interface TemporalPorts {
  readonly frontend: number;
  readonly others: { history: number; matching: number; worker: number; frontendHttp: number };
  readonly membership: { frontend: number; history: number; matching: number; worker: number };
}

/** The frontend on `frontend`; every other port free and below 32768 (membership gossip needs that). */
export async function temporalPorts(frontend: number): Promise<TemporalPorts> {
  const taken = new Set([frontend]);
  const next = () => freePortBelow(taken);
  return {
    frontend,
    others: { history: await next(), matching: await next(), worker: await next(), frontendHttp: await next() },
    membership: { frontend: await next(), history: await next(), matching: await next(), worker: await next() },
  };
}

/** Creates the two databases if they are missing and brings their schemas to the server's version. */
export async function setUpSchemas(binaries: TemporalServerBinaries, postgresPort: number): Promise<void> {
  const tool = (database: string, ...args: string[]) =>
    run(binaries.sqlTool, [
      '--plugin',
      'postgres12',
      '--ep',
      '127.0.0.1',
      '-p',
      String(postgresPort),
      '-u',
      DATABASE_USER,
      '--db',
      database,
      ...args,
    ]).catch((error: { stderr?: string; stdout?: string }) => {
      throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed:\n${error.stderr || error.stdout || String(error)}`);
    });
  for (const [schema, database] of Object.entries(DATABASES)) {
    await tool(database, 'create-database').catch((error: Error) => {
      if (!/already exists/.test(error.message)) throw error;
    });
    // setup-schema only records version 0.0 where nothing is yet; update-schema then applies every step.
    await tool(database, 'setup-schema', '-v', '0.0').catch((error: Error) => {
      if (!/already exists|schema_version/.test(error.message)) throw error;
    });
    await tool(database, 'update-schema', '-d', path.join(binaries.postgresSchema, schema, 'versioned'));
  }
}

function tlsConfig(tls: ClusterTls | undefined): string {
  if (!tls) return '';
  const client = `
      client:
        serverName: ${tls.serverName}
        rootCaFiles: [${JSON.stringify(tls.ca)}]`;
  return `
  tls:
    frontend:
      server:
        certFile: ${JSON.stringify(tls.serverCert)}
        keyFile: ${JSON.stringify(tls.serverKey)}
        clientCaFiles: [${JSON.stringify(tls.ca)}]
        requireClientAuth: true${client}
    systemWorker:
      certFile: ${JSON.stringify(tls.clientCert)}
      keyFile: ${JSON.stringify(tls.clientKey)}${client}`;
}

function serverConfig(ports: TemporalPorts, postgresPort: number, dynamicConfig: string, tls?: ClusterTls): string {
  const store = (database: string, conns: number) => `
      sql:
        pluginName: postgres12
        databaseName: ${database}
        connectAddr: 127.0.0.1:${postgresPort}
        connectProtocol: tcp
        user: ${DATABASE_USER}
        password: ''
        maxConns: ${conns}
        maxIdleConns: ${conns}
        maxConnLifetime: 1h`;
  const service = (grpc: number, membership: number, http?: number) => `
    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${http ? `\n      httpPort: ${http}` : ''}`;
  return `# Written by scripts/cluster/temporal-cluster.ts at each start of \`npm run cluster\`.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: 4
  datastores:
    default:${store(DATABASES.temporal, 20)}
    visibility:${store(DATABASES.visibility, 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1${tlsConfig(tls)}
services:
  frontend:${service(ports.frontend, ports.membership.frontend, ports.others.frontendHttp)}
  history:${service(ports.others.history, ports.membership.history)}
  matching:${service(ports.others.matching, ports.membership.matching)}
  worker:${service(ports.others.worker, ports.membership.worker)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: 127.0.0.1:${ports.frontend}
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: ${JSON.stringify(dynamicConfig)}
  pollInterval: 10s
`;
}

/** Starts the server (schemas must be set up); resolves once the frontend answers the CLI. */
export async function startTemporalServer(options: {
  binaries: TemporalServerBinaries;
  dir: string;
  ports: TemporalPorts;
  postgresPort: number;
  tls?: ClusterTls;
  onLine?: (line: string) => void;
}): Promise<Child> {
  mkdirSync(options.dir, { recursive: true });
  const configFile = path.join(options.dir, 'cluster.yaml');
  const dynamicConfig = path.join(options.dir, 'dynamicconfig.yaml');
  // The dynamic configuration docker-compose.yml mounts into its server.
  copyFileSync(DYNAMIC_CONFIG, dynamicConfig);
  writeFileSync(configFile, serverConfig(options.ports, options.postgresPort, dynamicConfig, options.tls));
  const child = new Child('temporal', options.binaries.server, ['--config-file', configFile, '--allow-no-auth', 'start'], {
    env: process.env,
    onLine: options.onLine,
  });
  await waitForPort(options.ports.frontend, 90_000, 'the Temporal server', () => child.running).catch((error: Error) => {
    throw new Error(`${error.message}:\n${child.tail()}`);
  });
  const cli = cliPath({ install: true });
  const address = `127.0.0.1:${options.ports.frontend}`;
  const until = Date.now() + 90_000;
  for (;;) {
    const healthy = await run(cli, ['operator', 'cluster', 'health', '--address', address, ...cliTlsFlags(options.tls)]).then(
      () => true,
      () => false,
    );
    if (healthy) return child;
    if (!child.running || Date.now() > until) throw new Error(`the Temporal server did not become healthy:\n${child.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The namespace with its retention, and the deal search attributes (ones that exist are fine). */
export async function setUpNamespace(address: string, namespace: string, retention: string, tls?: ClusterTls): Promise<void> {
  const cli = cliPath({ install: true });
  const temporal = (...args: string[]) => run(cli, [...args, '--address', address, ...cliTlsFlags(tls)]);
  await temporal('operator', 'namespace', 'create', '--namespace', namespace, '--retention', retention).catch(
    async (error: { stderr?: string }) => {
      if (!/already|exists/i.test(error.stderr ?? ''))
        throw new Error(`namespace ${namespace} not created: ${error.stderr ?? String(error)}`);
      await temporal('operator', 'namespace', 'update', '--namespace', namespace, '--retention', retention);
    },
  );
  const attributes = SEARCH_ATTRIBUTE_DECLARATIONS.flatMap(({ name, type }) => ['--name', name, '--type', type]);
  await temporal('operator', 'search-attribute', 'create', '--namespace', namespace, ...attributes).catch((error: { stderr?: string }) => {
    if (!/already exists/i.test(error.stderr ?? '')) throw new Error(`search attributes not registered: ${error.stderr ?? String(error)}`);
  });
}
