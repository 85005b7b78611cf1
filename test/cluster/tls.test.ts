// The cluster's Temporal frontend behind mutual TLS (certificates generated here): the worker and
// the API connect through Temporal's environment configuration (TEMPORAL_TLS_*) and serve deals; a
// client without a certificate, or with one the server's CA did not sign, is refused; and a wrong
// certificate path stops the worker at start, naming the variable.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Cluster } from '../../scripts/cluster/cluster';
import { freePortBelow } from '../../scripts/ports';
import { dealBody, faultSop } from '../faults/helpers/deals';
import { callWithRetries } from '../faults/helpers/http';
import { FAULT_KEYS } from '../faults/helpers/service-process';
import { generateCertificates } from './certificates';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'sales-sop-tls-'));
chmodSync(dir, 0o755);
const certificates = generateCertificates(dir);
let cluster: Cluster;

beforeAll(async () => {
  const sopDir = path.join(dir, 'sops');
  mkdirSync(sopDir);
  writeFileSync(path.join(sopDir, 'fault-sop.json'), JSON.stringify(faultSop()));
  cluster = await Cluster.start({
    dataDir: path.join(dir, 'data'),
    apiPort: await freePortBelow(new Set(), 33_000, 39_000),
    temporalPort: await freePortBelow(new Set()),
    workers: 1,
    apis: 1,
    namespace: 'default',
    retention: '1d',
    tls: certificates,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      HOST: '127.0.0.1',
      SOP_DIR: sopDir,
      API_KEYS: `${FAULT_KEYS.manager}:manager:mia`,
      LOG_LEVEL: 'warn',
    },
    log: () => undefined,
  });
}, 600_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

test('over mTLS, the worker and the API serve a deal', async () => {
  const created = await callWithRetries(cluster.apiUrl(0), 'POST', '/v1/deals', { as: 'manager', body: dealBody('tls-1') });
  expect(created.status).toBe(201);
  const acted = await callWithRetries(cluster.apiUrl(0), 'POST', '/v1/deals/tls-1/actions', {
    as: 'manager',
    body: { type: 'log_activity', kind: 'call', note: 'over TLS' },
  });
  expect(acted.status).toBe(200);
});

test('without a client certificate, or with one the CA did not sign, the frontend refuses', async () => {
  const ca = readFileSync(certificates.ca);
  const attempt = async (clientCertPair?: { crt: Buffer; key: Buffer }) => {
    const connection = await Connection.connect({
      address: cluster.temporalAddress,
      tls: { serverNameOverride: 'localhost', serverRootCACertificate: ca, ...(clientCertPair && { clientCertPair }) },
      connectTimeout: 5_000,
    }).catch((error: Error) => error);
    if (connection instanceof Error) return 'refused';
    try {
      await new Client({ connection }).withDeadline(Date.now() + 5_000, () => connection.workflowService.getSystemInfo({}));
      return 'answered';
    } catch {
      return 'refused';
    } finally {
      await connection.close();
    }
  };
  expect(await attempt()).toBe('refused');
  expect(await attempt({ crt: readFileSync(certificates.strangerCert), key: readFileSync(certificates.strangerKey) })).toBe('refused');
  expect(await attempt({ crt: readFileSync(certificates.clientCert), key: readFileSync(certificates.clientKey) })).toBe('answered');
});

test('a wrong certificate path stops the worker at start with the variable named', async () => {
  const failure = await promisify(execFile)(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'worker/main.ts'],
    {
      cwd: ROOT,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        TEMPORAL_ADDRESS: cluster.temporalAddress,
        TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'no-such-client.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.clientKey,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificates.ca,
      },
    },
  ).then(
    () => null,
    (error: { code?: number; stderr?: string }) => error,
  );
  expect(failure?.code).toBe(1);
  expect(failure?.stderr).toBe(
    `Bad configuration:\n  TEMPORAL_TLS_CLIENT_CERT_PATH: cannot read "${path.join(dir, 'no-such-client.pem')}": ENOENT\n`,
  );
});
