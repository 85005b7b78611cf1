import { dealWorkflowId, rememberRefusalSignal, type MigrationStatus } from '../workflows/messages';
import { cpuNow, cpuSince, settle, type Cpu } from './cpu';
import { apiStart, publish } from './deal-ops';
import { closedLoop, listed } from './load';
import type { Bench } from './setup';

export interface MigrationSettings {
  readonly deals: number;
  readonly openConcurrency: number;
}

/** One way of touching every deal once: its rate, and the CPU it cost per deal. */
export interface MigrationSide {
  readonly deals: number;
  readonly seconds: number;
  readonly dealsPerSecond: number;
  /** CPU ms per deal: the Temporal server (and its database), the workers, the API. */
  readonly serverMs: number;
  readonly workerMs: number;
  readonly apiMs: number;
}

export interface MigrationResult {
  /** `POST …/migrations` with `dryRun`: every deal asked its row by query through the API. */
  readonly dryRun: MigrationSide;
  /** The real run, from the 202 until the migration reports completed. */
  readonly run: MigrationSide;
  /** The raw baseline: one signal to each deal from the Temporal client, ten at a time (the run's concurrency). */
  readonly signal: MigrationSide;
  /** run / signal, server CPU per deal. */
  readonly serverRatio: number;
  readonly migrated: number;
}

const SOP_ID = 'bench-migrate';
const v1 = {
  id: SOP_ID,
  version: 1,
  name: 'Bench: migrate',
  stages: [
    { id: 'legal', name: 'Legal', sla: { breachAfter: '30d' } },
    { id: 'close', name: 'Closing' },
  ],
};
const v2 = { ...v1, version: 2, stages: [{ id: 'contract', name: 'Contract', sla: { breachAfter: '20d' } }, v1.stages[1]] };

/**
 * A dry run and a real run of a migration of N open deals, beside the raw cost of one signal per
 * deal on the same server (a signal the deal reads and drops: one workflow task each).
 */
export async function runMigration(bench: Bench, settings: MigrationSettings, log: (line: string) => void): Promise<MigrationResult> {
  await publish(bench, v1);
  const ids = Array.from({ length: settings.deals }, (_, i) => `migrate-${i}`);
  const opened = await closedLoop(ids.length, settings.openConcurrency, async (i) => void (await apiStart(bench, ids[i], SOP_ID, 1)));
  if (opened.errors > 0) throw new Error(`${opened.errors} deals failed to open: ${opened.firstError}`);
  await publish(bench, v2);
  await listed(bench, `SopId = '${SOP_ID}' AND DealStatus = 'open'`, settings.deals);
  await settle(bench);

  const body = { toVersion: 2, stageMap: { legal: 'contract' } };
  const dryRun = await measure(bench, settings.deals, async () => {
    const answer = await bench.api.call<{ counts: { migrate: number } }>('POST', `/v1/sops/${SOP_ID}/migrations`, {
      ...body,
      dryRun: true,
    });
    if (answer.counts.migrate !== settings.deals) throw new Error(`the dry run would migrate ${answer.counts.migrate} deals`);
  });
  log(
    `  dry run: ${dryRun.dealsPerSecond.toFixed(0)} deals/s; server ${dryRun.serverMs.toFixed(2)} ms, worker ${dryRun.workerMs.toFixed(2)} ms per deal`,
  );

  const signal = await measure(bench, settings.deals, async () => {
    const sent = await closedLoop(ids.length, 10, (i) =>
      bench.client.workflow.getHandle(dealWorkflowId(ids[i])).signal(rememberRefusalSignal, { bench: true } as never),
    );
    if (sent.errors > 0) throw new Error(`${sent.errors} signals failed: ${sent.firstError}`);
  });
  log(
    `  signal: ${signal.dealsPerSecond.toFixed(0)} deals/s; server ${signal.serverMs.toFixed(2)} ms, worker ${signal.workerMs.toFixed(2)} ms per deal`,
  );

  let status: MigrationStatus | null = null;
  const run = await measure(bench, settings.deals, async () => {
    const started = await bench.api.call<{ migrationId: string }>('POST', `/v1/sops/${SOP_ID}/migrations`, body);
    for (;;) {
      status = await bench.api.call<MigrationStatus>('GET', `/v1/migrations/${started.migrationId}`);
      if (status.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  const migrated = (status as MigrationStatus | null)?.counts.migrated ?? 0;
  log(
    `  real run: ${migrated} migrated, ${run.dealsPerSecond.toFixed(0)} deals/s; server ${run.serverMs.toFixed(2)} ms, worker ${run.workerMs.toFixed(2)} ms per deal`,
  );
  return { dryRun, run, signal, serverRatio: run.serverMs / signal.serverMs, migrated };
}

/** Wall time of `work`, and the CPU it and its follow-on work cost until idle, per deal. */
async function measure(bench: Bench, deals: number, work: () => Promise<void>): Promise<MigrationSide> {
  const before: Cpu = cpuNow(bench);
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  await settle(bench);
  const cpu = cpuSince(before, cpuNow(bench));
  return {
    deals,
    seconds,
    dealsPerSecond: deals / seconds,
    serverMs: ((cpu.server + cpu.database) * 1000) / deals,
    workerMs: (cpu.worker * 1000) / deals,
    apiMs: (cpu.api * 1000) / deals,
  };
}
