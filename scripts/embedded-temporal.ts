import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SEARCH_ATTRIBUTE_DECLARATIONS } from '../workflows/messages';
import { portOpen } from './ports';
import { cliPath } from './temporal-binaries';

export interface EmbeddedTemporal {
  readonly address: string;
  readonly uiUrl: string;
  stop(): Promise<void>;
}

/**
 * `temporal server start-dev` on loopback, persisting to `dataDir/temporal.db` (SQLite in WAL mode),
 * with the deal search attributes registered; headless without a `uiPort`.
 */
export function devServerArgs(options: { dataDir: string; port: number; uiPort?: number; namespace: string }): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(options.port),
    ...(options.uiPort === undefined ? ['--headless'] : ['--ui-port', String(options.uiPort)]),
    '--db-filename',
    path.join(options.dataDir, 'temporal.db'),
    '--namespace',
    options.namespace,
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
    '--log-level',
    'error',
    ...SEARCH_ATTRIBUTE_DECLARATIONS.flatMap(({ name, type }) => ['--search-attribute', `${name}=${type}`]),
  ];
}

/**
 * The Temporal dev server from the pinned binary, on loopback, persisting to DATA_DIR/temporal.db,
 * with the deal search attributes registered and the namespace's retention set.
 */
export async function startEmbeddedTemporal(options: {
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  retention: string;
  log: (line: string) => void;
}): Promise<EmbeddedTemporal> {
  const cli = cliPath({ install: true, log: options.log });
  if (await portOpen(options.port)) {
    throw new Error(
      `port ${options.port} is already in use; stop what holds it or set TEMPORAL_DEV_PORT (or TEMPORAL_ADDRESS to use that server)`,
    );
  }
  mkdirSync(options.dataDir, { recursive: true });
  const args = devServerArgs(options);
  // Its own process group: Ctrl-C reaches it through ours, and we stop it last, after the worker.
  const child: ChildProcess = spawn(cli, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const deadline = Date.now() + 60_000;
  while (!(await portOpen(options.port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the embedded Temporal server did not start:\n${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const address = `127.0.0.1:${options.port}`;
  await promisify(execFile)(cli, [
    'operator',
    'namespace',
    'update',
    '--address',
    address,
    '--namespace',
    options.namespace,
    '--retention',
    options.retention,
  ]);
  return {
    address,
    uiUrl: `http://127.0.0.1:${options.uiPort}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
