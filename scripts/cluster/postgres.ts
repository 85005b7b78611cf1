// PostgreSQL for `npm run cluster`: Debian's PostgreSQL 15 binaries, a database cluster in
// DATA_DIR/postgres, listening on loopback only, trusting local connections (a single-machine
// cluster for development and tests; docker-compose.yml is the production shape, with a password).
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Child } from './child';
import { waitForPort } from '../ports';

const run = promisify(execFile);
export const DATABASE_USER = 'temporal';

/** Where PostgreSQL's server binaries are: PG_BIN, else the newest of Debian's /usr/lib/postgresql/N/bin. */
function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'postgres'))) : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL is needed for `npm run cluster`: `apt-get install postgresql` (Debian), or set PG_BIN to the folder of `postgres` and `initdb`.',
    );
  }
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** PostgreSQL refuses to run as root: then it runs as the `postgres` user, which must own its files. */
function asDatabaseOwner(command: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

/** As root, the first folder on the way to `dir` that the `postgres` user may not pass through, if any. */
function closedToDatabaseOwner(dir: string): string | null {
  for (let at = path.dirname(dir); ; at = path.dirname(at)) {
    const { mode } = statSync(at);
    if ((mode & 0o001) === 0) return at;
    if (at === path.dirname(at)) return null;
  }
}

function giveToDatabaseOwner(dir: string): void {
  if (userInfo().uid !== 0) return;
  const closed = closedToDatabaseOwner(dir);
  if (closed) {
    throw new Error(
      `PostgreSQL runs as the \`postgres\` user (it refuses root), which cannot reach ${dir}: ${closed} is closed to other users. Set DATA_DIR to a folder others may pass through, or \`chmod o+x ${closed}\`.`,
    );
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    chownSync(dir, id('-u'), id('-g'));
  } catch {
    throw new Error("running as root, PostgreSQL needs the `postgres` user (Debian's postgresql package creates it)");
  }
}

export interface RunningPostgres {
  readonly port: number;
  readonly child: Child;
  stop(): Promise<void>;
}

/** Initialises DATA_DIR/postgres on first use, then runs `postgres` in the foreground of its own child. */
export async function startPostgres(dataDir: string, port: number, log: (line: string) => void): Promise<RunningPostgres> {
  const bin = postgresBin();
  const dir = path.resolve(dataDir, 'postgres');
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The database owner must reach its folder: DATA_DIR is opened to others for traversal only.
    chmodSync(path.resolve(dataDir), 0o711);
    giveToDatabaseOwner(dir);
    log(`initialising PostgreSQL in ${dir}`);
    const [command, args] = asDatabaseOwner(path.join(bin, 'initdb'), [
      '-D',
      dir,
      '-U',
      DATABASE_USER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-instructions',
    ]);
    await run(command, args).catch((error: { stderr?: string }) => {
      throw new Error(`initdb failed: ${error.stderr ?? String(error)}`);
    });
  }
  const [command, args] = asDatabaseOwner(path.join(bin, 'postgres'), [
    '-D',
    dir,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    '-c',
    'fsync=on',
  ]);
  const child = new Child('postgres', command, args, { env: process.env });
  await waitForPort(port, 60_000, 'PostgreSQL', () => child.running).catch((error: Error) => {
    throw new Error(`${error.message}:\n${child.tail()}`);
  });
  return {
    port,
    child,
    // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the data is flushed.
    stop: () => child.stop('SIGINT', 30_000),
  };
}
