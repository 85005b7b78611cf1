// The production topology: docker-compose.yml and the Dockerfile, checked as files (no Docker engine).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { TEMPORAL_SERVER_VERSION } from '../../scripts/cluster/temporal-server';

const ROOT = path.resolve(__dirname, '..', '..');
/** CONTRACT.md sits in shared/, beside the repository; README.md is the fallback when it is absent. */
const CONTRACT = path.resolve(__dirname, '..', '..', '..', 'shared', 'CONTRACT.md');

type Environment = Record<string, string>;
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<string | number | { target?: number; published?: string | number }>;
  expose?: Array<string | number>;
  container_name?: string;
  restart?: string;
  healthcheck?: { test?: string | string[] };
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

// Compose supports YAML merge keys (`<<: *app`); so does `yaml` when asked.
const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as Compose;
const { services } = compose;

function environmentOf(service: Service): Environment {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join(' ') : (value ?? ''));

/** Variable names in the first column of every markdown table headed `name` or `variable`. */
function documentedVariables(markdown: string): Set<string> {
  const names = new Set<string>();
  let inTable = false;
  for (const line of markdown.split('\n')) {
    if (!line.trim().startsWith('|')) {
      inTable = false;
      continue;
    }
    const firstCell = line.trim().split('|')[1]?.trim() ?? '';
    if (/^(name|variable)$/i.test(firstCell)) {
      inTable = true;
      continue;
    }
    if (!inTable) continue;
    for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name);
  }
  return names;
}

const docs = [path.join(ROOT, 'README.md'), ...(existsSync(CONTRACT) ? [CONTRACT] : [])];
const documented = new Set(docs.flatMap((file) => [...documentedVariables(readFileSync(file, 'utf8'))]));

const setupName = Object.keys(services).find((name) => /search-attribute\s+create/.test(text(services[name].command)));

describe('docker-compose.yml', () => {
  test('runs postgresql, temporal, temporal-ui, the search-attribute setup, worker and api', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['postgresql', 'temporal', 'temporal-ui', 'worker', 'api']));
    expect(setupName).toBeDefined();
  });

  test('pins every third-party image to a version', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', setupName ?? '']) {
      expect(services[name]?.image).toMatch(/^[\w./-]+:\d[\w.-]*$/);
    }
    // The server alone, at the version `npm run cluster` builds, with its own tools for the setup steps.
    expect(services.temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-schema']?.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:/);
    expect(services[setupName ?? ''].image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(services.postgresql.image).toMatch(/^postgres:16/);
  });

  test('keeps Temporal on PostgreSQL, its data in a named volume', () => {
    expect(environmentOf(services.temporal)).toMatchObject({ DB: 'postgres12', DB_PORT: '5432', POSTGRES_SEEDS: 'postgresql' });
    const volume = (services.postgresql.volumes ?? []).map(String).find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(volume).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(volume?.split(':')[0]);
    expect(services['temporal-schema'].depends_on).toMatchObject({ postgresql: { condition: 'service_healthy' } });
    expect(services.temporal.depends_on).toMatchObject({ 'temporal-schema': { condition: 'service_completed_successfully' } });
    expect(services.postgresql.healthcheck?.test).toBeDefined();
    expect(services.temporal.healthcheck?.test).toBeDefined();
  });

  test('applies both schemas from the server version’s own files, as npm run cluster does', () => {
    const script = `${text(services['temporal-schema'].entrypoint)} ${text(services['temporal-schema'].command)}`;
    expect(script).toMatch(/temporal-sql-tool --plugin postgres12 --ep postgresql/);
    for (const step of ['create-database', 'setup-schema -v 0.0', 'update-schema -d /etc/temporal/schema/postgresql/v12/']) {
      expect(script).toContain(step);
    }
    expect(script).toMatch(/for db in temporal temporal_visibility/);
    expect(environmentOf(services['temporal-schema']).SQL_PASSWORD).toContain('POSTGRES_PASSWORD');
  });

  test('mounts the dynamic configuration npm run cluster uses', () => {
    const mount = (services.temporal.volumes ?? []).map(String).find((v) => v.startsWith('./deploy/temporal-dynamicconfig.yaml:'));
    expect(mount).toBeDefined();
    expect(environmentOf(services.temporal).DYNAMIC_CONFIG_FILE_PATH).toBe(mount?.split(':')[1]);
    expect(existsSync(path.join(ROOT, 'deploy', 'temporal-dynamicconfig.yaml'))).toBe(true);
  });

  test('shows the Temporal UI on host port 8233', () => {
    expect(environmentOf(services['temporal-ui']).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect((services['temporal-ui'].ports ?? []).map(String)).toContainEqual(expect.stringMatching(/(^|:)8233:8080$/));
  });

  describe('the setup service', () => {
    const setup = services[setupName ?? ''] ?? {};
    const script = `${text(setup.entrypoint)} ${text(setup.command)}`;

    test('waits for a healthy server and talks to temporal:7233', () => {
      expect(setup.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' } });
      expect(environmentOf(setup).TEMPORAL_ADDRESS).toBe('temporal:7233');
    });

    test('registers all eight deal search attributes with their types', () => {
      const registered = Object.fromEntries([...script.matchAll(/--name\s+(\w+)\s+--type\s+(\w+)/g)].map(([, name, type]) => [name, type]));
      expect(registered).toEqual({
        SopId: 'Keyword',
        SopStage: 'Keyword',
        DealHealth: 'Keyword',
        DealOwner: 'Keyword',
        DealStatus: 'Keyword',
        CustomerTier: 'Keyword',
        DealAmount: 'Double',
        StageDeadline: 'Datetime',
      });
      expect(script).toMatch(/search-attribute create --namespace/);
    });

    test('sets the namespace retention from TEMPORAL_RETENTION, 90d by default', () => {
      expect(script).toMatch(/namespace update --namespace \S+ --retention/);
      expect(JSON.stringify(setup)).toContain('${TEMPORAL_RETENTION:-90d}');
    });
  });

  describe('worker and api', () => {
    const apps = { worker: services.worker, api: services.api };

    test('run the same image, built from the Dockerfile', () => {
      expect(services.worker.image).toBeDefined();
      expect(services.api.image).toBe(services.worker.image);
      expect(services.api.build).toEqual(services.worker.build);
      expect(JSON.stringify(services.worker.build)).toContain('Dockerfile');
      expect(text(services.worker.command)).toMatch(/worker\/main\.ts|npm run worker/);
      expect(text(services.api.command)).toMatch(/api\/main\.ts|npm run api/);
    });

    test.each(Object.keys(apps))('%s talks to temporal:7233 and runs in production mode on 0.0.0.0', (name) => {
      expect(environmentOf(services[name])).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal:7233',
        HOST: '0.0.0.0',
        NODE_ENV: 'production',
      });
    });

    test.each(Object.keys(apps))('%s gets only variables the configuration tables document', (name) => {
      const undocumented = Object.keys(environmentOf(services[name])).filter((variable) => !documented.has(variable));
      expect(undocumented).toEqual([]);
    });

    test.each(Object.keys(apps))('%s starts after the search attributes are registered, can scale and restarts', (name) => {
      const service = services[name];
      expect(service.depends_on).toMatchObject({ [setupName ?? '']: { condition: 'service_completed_successfully' } });
      expect(service.container_name).toBeUndefined();
      expect(service.restart).toMatch(/^(always|unless-stopped|on-failure)/);
      expect(service.healthcheck?.test).toBeDefined();
    });

    test('the api refuses to start without API_KEYS and listens on host port 3000', () => {
      expect(environmentOf(services.api).API_KEYS).toMatch(/^\$\{API_KEYS:\?.+\}$/);
      expect(environmentOf(services.api).PORT).toBe('3000');
      expect((services.api.ports ?? []).map(String)).toContainEqual(expect.stringMatching(/(^|:)3000:3000$/));
    });

    test('the worker serves metrics on 9464 inside the network only', () => {
      expect(environmentOf(services.worker).WORKER_METRICS_PORT).toBe('9464');
      expect(services.worker.ports).toBeUndefined();
      expect((services.worker.expose ?? []).map(String)).toContain('9464');
    });
  });
});

describe('Dockerfile', () => {
  /** Instructions with continuation lines joined and comments dropped, grouped by stage. */
  const instructions = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword, ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
  const stages: Array<typeof instructions> = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  const finalStage = stages.at(-1) ?? [];

  test('skips the Temporal binaries in every stage that runs npm ci', () => {
    const installing = stages.filter((stage) => stage.some((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args)));
    expect(installing.length).toBeGreaterThanOrEqual(2);
    for (const stage of installing) {
      const firstInstall = stage.findIndex((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args));
      const skipped = stage
        .slice(0, firstInstall + 1)
        .some((i) => (i.keyword === 'ENV' || i.keyword === 'RUN') && /\bTEMPORAL_SKIP_BINARIES=1\b/.test(i.args));
      expect(skipped).toBe(true);
    }
  });

  test('builds the workflow bundle and ships it with production dependencies only', () => {
    expect(instructions.some((i) => i.keyword === 'RUN' && /npm run build\b/.test(i.args))).toBe(true);
    expect(finalStage.some((i) => i.keyword === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    expect(finalStage.some((i) => i.keyword === 'COPY' && /--from=\S+.*\bdist\b/.test(i.args))).toBe(true);
    expect(finalStage.some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
  });

  test('runs on Node 20 and ends as the non-root node user', () => {
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/node:20[\w.-]*/);
    const users = instructions.filter((i) => i.keyword === 'USER');
    expect(users.at(-1)?.args).toBe('node');
    expect(finalStage.some((i) => i.keyword === 'USER')).toBe(true);
  });

  test('.dockerignore keeps node_modules, build output and secrets out of the image', () => {
    const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.temporal', '.env', '.git']));
  });
});
