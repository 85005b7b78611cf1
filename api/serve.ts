import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type pino from 'pino';
import type { CallerKey, ServiceConfig } from '../config';
import type { AlertEndpoint, Person } from '../domain';
import { alertIds } from '../workflows/alert-messages';
import { AlertEndpointService } from './alert-endpoint-service';
import { KeyedRegistryClient } from './keyed-registry-client';
import { PeopleService } from './people-service';
import { createApp } from './app';
import { Callers } from './callers';
import { JwksCache } from './jwks-cache';
import { KeyRing } from './key-ring';
import { SsoVerifier } from './sso';
import { listen } from './http-server';
import { AnalyticsService } from './analytics-service';
import { DealService } from './deal-service';
import { publishSopFiles } from './publish-sops';
import { createReadiness } from './readiness';
import { MigrationService } from './migration-service';
import { RiskService } from './risk-service';
import { SimulationService } from './simulation-service';
import { SopService } from './sop-service';
import { apiConnectionOptions } from './temporal-connection';

export interface RunningApi {
  readonly url: string;
  readonly sops: SopService;
  /** Publishes SOP_DIR and loads PEOPLE_FILE; `/readyz` turns ready once it has. */
  publishSops(): Promise<void>;
  close(): Promise<void>;
}

/** Connects to Temporal and serves the API on HOST:PORT. */
export async function serveApi(options: {
  config: ServiceConfig;
  temporalAddress: string;
  apiKeys: readonly CallerKey[];
  logger: pino.Logger;
  workerMetrics?: () => Promise<string>;
}): Promise<RunningApi> {
  const { config, logger } = options;
  const jwks = config.sso
    ? await JwksCache.load(config.sso.jwksUrl, {
        onStale: (error) =>
          logger.warn(
            { jwksUrl: config.sso?.jwksUrl, error },
            "identity provider's keys could not be fetched again; verifying tokens with the keys fetched before",
          ),
        onRecovered: () => logger.info({ jwksUrl: config.sso?.jwksUrl }, "identity provider's keys fetched again"),
      })
    : null;
  const sso = config.sso && jwks ? new SsoVerifier(config.sso, jwks) : null;
  const connection = await Connection.connect(apiConnectionOptions(options.temporalAddress, config.temporalConnection));
  const client = new Client({ connection, namespace: config.namespace });
  const sops = new SopService(client, config.taskQueue);
  const deals = new DealService(client, sops, config.taskQueue, config.namespace, undefined, config.reopenWindowMs);
  const analytics = new AnalyticsService(client, sops, deals);
  const ids = alertIds();
  const people = new PeopleService(new KeyedRegistryClient<Person>(client, config.taskQueue, ids.people));
  let sopsPublished = false;
  const { app } = createApp({
    services: {
      deals,
      sops,
      migrations: new MigrationService(client, sops, config.taskQueue),
      simulations: new SimulationService(client, config.namespace, sops, deals),
      risks: new RiskService(deals),
      people,
      endpoints: new AlertEndpointService({
        client,
        taskQueue: config.taskQueue,
        registry: new KeyedRegistryClient<AlertEndpoint>(client, config.taskQueue, ids.endpoints),
        ids,
        defaultUrl: config.webhook?.url ?? null,
        retryForMs: config.alerts.retryForMs,
      }),
    },
    analytics,
    callers: new Callers(new KeyRing(options.apiKeys), sso),
    rateLimit: config.rateLimit,
    readiness: createReadiness({
      client,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      sopsPublished: () => sopsPublished,
      sso: jwks ? () => jwks.status() : undefined,
    }),
    workerMetrics: options.workerMetrics,
    onUnexpectedError: (error) => logger.error({ err: error }, 'unexpected error in a request'),
  });
  const server: Server = await listen(app, config.http.port, config.http.host);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`,
    sops,
    async publishSops() {
      const published = await publishSopFiles(config.sopDir, sops);
      for (const sop of published) logger.info(sop, sop.created ? 'SOP published' : 'SOP already published');
      if (config.alerts.peopleFile) {
        const file = config.alerts.peopleFile;
        const changed = await people.load(file);
        logger.info({ file, changed }, 'people directory loaded');
      }
      sopsPublished = true;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await connection.close();
      jwks?.close();
    },
  };
}
