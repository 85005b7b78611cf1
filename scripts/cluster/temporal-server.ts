// The Temporal server for `npm run cluster`: built from its pinned Go module into `.temporal/`
// (git-ignored) on first use; Go's own module and build caches make a rebuild in a fresh clone quick.
// docker-compose.yml runs `temporalio/server` and `temporalio/admin-tools` at this same version, with
// the same setup steps (schemas, namespace, search attributes): change one, change the other
// (test/deploy/compose.test.ts holds them together).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export const TEMPORAL_SERVER_VERSION = '1.32.0';
const ROOT = path.resolve(__dirname, '..', '..');
const run = promisify(execFile);

export interface TemporalServerBinaries {
  /** `temporal-server`, the server itself (`go.temporal.io/server/cmd/server`). */
  readonly server: string;
  /** `temporal-sql-tool`, which creates and upgrades the SQL schemas (`cmd/tools/sql`). */
  readonly sqlTool: string;
  /** `schema/postgresql/v12` of the same module: `temporal/` and `visibility/`, each `versioned/`. */
  readonly postgresSchema: string;
}

/** Where the pinned server lives, building it first if it is not there; `log` hears what takes time. */
export async function temporalServer(log: (line: string) => void): Promise<TemporalServerBinaries> {
  const bin = path.join(ROOT, '.temporal', `server-${TEMPORAL_SERVER_VERSION}`);
  const server = path.join(bin, 'server');
  const sqlTool = path.join(bin, 'sql');
  const env = { ...process.env, GOBIN: bin, GOTOOLCHAIN: 'local' };
  const go = async (args: string[]) => {
    try {
      return (await run('go', args, { env, maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
    } catch (error) {
      const { code, stderr } = error as { code?: string; stderr?: string };
      if (code === 'ENOENT') throw new Error('Go is needed to build the Temporal server for `npm run cluster`: install Go 1.24 or newer.');
      throw new Error(`go ${args.join(' ')} failed:\n${stderr ?? String(error)}`);
    }
  };
  if (!existsSync(server) || !existsSync(sqlTool)) {
    log(
      `building the Temporal server ${TEMPORAL_SERVER_VERSION} from its Go module into ${path.relative(ROOT, bin)} (minutes the first time)`,
    );
    await go([
      'install',
      `go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`,
      `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`,
    ]);
  }
  const modules = await go(['env', 'GOMODCACHE']);
  const postgresSchema = path.join(modules, `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(postgresSchema)) {
    await go(['mod', 'download', `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`]);
  }
  return { server, sqlTool, postgresSchema };
}
