import type { Client } from '@temporalio/client';
import { dealWorkflowId } from '../workflows/messages';
import { cpuNow, cpuSince, settle, type Cpu } from './cpu';
import { apiStart, publish } from './deal-ops';
import { closedLoop } from './load';
import { BASELINE_TASK_QUEUE, type Bench } from './setup';

export interface AlertCostSettings {
  /** Deals (and as many baseline workflows) per side and round. */
  readonly deals: number;
  /** Seconds from a deal's opening to its warning: long enough for opening and settling to end first. */
  readonly warnAfterSeconds: number;
  readonly rounds: number;
  readonly openConcurrency: number;
}

/** What one side's deadlines cost while they fell due, per deadline. */
export interface AlertCostSide {
  readonly deadlines: number;
  readonly delivered: number;
  /** CPU ms per deadline (server: Temporal and its database), from just before the first fell due until the server and workers were idle again. */
  readonly serverMs: number;
  readonly workerMs: number;
  /** History events one workflow wrote from its timer firing to the end of the history (a sample of one). */
  readonly historyEvents: number;
}

export interface AlertCostRound {
  readonly ours: AlertCostSide;
  readonly baseline: AlertCostSide;
  /** ours / baseline server CPU per deadline: the target is ≤ 1.2. */
  readonly serverRatio: number;
}

const SOP_ID = 'bench-alert-cost';

/**
 * Server work per alert, each side alone on the same server: N deals opened through the API whose
 * first stage warns after `warnAfterSeconds`, then N bare baseline workflows (a timer and one
 * activity that POSTs) falling due in the same pattern. The opening is left out: the server's and
 * the workers' CPU is read from just before the first deadline until everything is idle after the
 * last delivery, so each side is charged only for what its deadlines made the server do.
 */
export async function runAlertCost(bench: Bench, settings: AlertCostSettings, log: (line: string) => void): Promise<AlertCostRound[]> {
  await publish(bench, {
    id: SOP_ID,
    version: 1,
    name: `Bench: warn after ${settings.warnAfterSeconds}s`,
    stages: [
      { id: 'respond', name: 'Responding', sla: { warnAfter: `${settings.warnAfterSeconds}s`, breachAfter: '1h' } },
      { id: 'close', name: 'Closing' },
    ],
  });
  const rounds: AlertCostRound[] = [];
  for (let round = 0; round < settings.rounds; round += 1) {
    // Alternate which side goes first, so neither always runs on the fresher server.
    const oursFirst = round % 2 === 0;
    const sides: Partial<Record<'ours' | 'baseline', AlertCostSide>> = {};
    let pattern: number[] = [];
    for (const side of oursFirst ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const)) {
      if (side === 'ours') {
        const result = await oursSide(bench, settings, `r${round}`);
        pattern = result.pattern;
        sides.ours = result.side;
      } else {
        sides.baseline = await baselineSide(bench, settings, `r${round}`, pattern);
      }
      const s = sides[side] as AlertCostSide;
      log(
        `  round ${round} ${side}: ${s.delivered}/${s.deadlines} delivered; server ${s.serverMs.toFixed(1)} ms, worker ${s.workerMs.toFixed(1)} ms per deadline; ${s.historyEvents} history events`,
      );
    }
    const ours = sides.ours as AlertCostSide;
    const baseline = sides.baseline as AlertCostSide;
    rounds.push({ ours, baseline, serverRatio: ours.serverMs / baseline.serverMs });
  }
  return rounds;
}

async function oursSide(bench: Bench, settings: AlertCostSettings, tag: string): Promise<{ side: AlertCostSide; pattern: number[] }> {
  const deadlines = new Map<string, number>();
  const opened = await closedLoop(settings.deals, settings.openConcurrency, async (i) => {
    const dealId = `alert-cost-${tag}-${i}`;
    const deal = await apiStart(bench, dealId, SOP_ID, 1);
    deadlines.set(dealId, Date.parse(deal.stage?.warnAt ?? ''));
  });
  if (opened.errors > 0) throw new Error(`${opened.errors} alert-cost deals failed to open: ${opened.firstError}`);
  const side = await measure(bench, deadlines, 'worker', (body) => (body.baseline ? undefined : body.deal?.dealId));
  const first = Math.min(...deadlines.values());
  const sample = [...deadlines.keys()][0];
  return {
    side: { ...side, historyEvents: await eventsAfterFirstTimer(bench.client, dealWorkflowId(sample)) },
    pattern: [...deadlines.values()].map((at) => at - first),
  };
}

async function baselineSide(bench: Bench, settings: AlertCostSettings, tag: string, pattern: readonly number[]): Promise<AlertCostSide> {
  // The same spread of deadlines as the deals', starting as far ahead as a deal's warning.
  const offsets = pattern.length > 0 ? pattern : Array.from({ length: settings.deals }, () => 0);
  const start = Date.now() + settings.warnAfterSeconds * 1000;
  const deadlines = new Map<string, number>();
  const started = await closedLoop(offsets.length, settings.openConcurrency, async (i) => {
    const id = `alert-cost-${tag}-${i}`;
    const deadline = start + offsets[i];
    await bench.client.workflow.start('sleepToDeadline', {
      workflowId: `baseline:${id}`,
      taskQueue: BASELINE_TASK_QUEUE,
      args: [{ id, deadline }],
    });
    deadlines.set(id, deadline);
  });
  if (started.errors > 0) throw new Error(`${started.errors} baseline workflows failed to start: ${started.firstError}`);
  const side = await measure(bench, deadlines, 'baselineWorker', (body) => (body.baseline ? body.dealId : undefined));
  return { ...side, historyEvents: await eventsAfterFirstTimer(bench.client, `baseline:${[...deadlines.keys()][0]}`) };
}

interface Body {
  readonly baseline?: boolean;
  readonly dealId?: string;
  readonly deal?: { readonly dealId: string };
}

/** Waits out the opening's follow-on work, then measures from just before the first deadline to idle after the last delivery. */
async function measure(
  bench: Bench,
  deadlines: ReadonlyMap<string, number>,
  worker: 'worker' | 'baselineWorker',
  idOf: (body: Body) => string | undefined,
): Promise<Omit<AlertCostSide, 'historyEvents'>> {
  await settle(bench);
  const first = Math.min(...deadlines.values());
  const last = Math.max(...deadlines.values());
  if (Date.now() > first - 500) throw new Error('the opening and its follow-on work ran past the first deadline: raise warnAfterSeconds');
  await new Promise((resolve) => setTimeout(resolve, first - 500 - Date.now()));
  const before: Cpu = cpuNow(bench);
  const receivedBefore = bench.receiver.received.length;
  const delivered = new Set<string>();
  let parsed = receivedBefore;
  const giveUp = last + 120_000;
  while (delivered.size < deadlines.size && Date.now() < giveUp) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (; parsed < bench.receiver.received.length; parsed += 1) {
      const id = idOf(JSON.parse(bench.receiver.received[parsed].body) as Body);
      if (id !== undefined && deadlines.has(id)) delivered.add(id);
    }
  }
  await settle(bench);
  const cpu = cpuSince(before, cpuNow(bench));
  return {
    deadlines: deadlines.size,
    delivered: delivered.size,
    serverMs: ((cpu.server + cpu.database) * 1000) / deadlines.size,
    workerMs: (cpu[worker] * 1000) / deadlines.size,
  };
}

/** Events from the first TimerFired to the end of the workflow's history (the deadline's own work). */
async function eventsAfterFirstTimer(client: Client, workflowId: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const fired = events.findIndex((event) => event.timerFiredEventAttributes);
  return fired === -1 ? 0 : events.length - fired;
}
