import { DealReads } from '../api/deal-reads';
import { recordedDeal, simulateDeal, sopSchema, type DealEvent } from '../domain';
import { dealWorkflowId } from '../workflows/messages';
import { apiStart, publish, sopSnapshot } from './deal-ops';
import { closedLoop, listed } from './load';
import type { Bench } from './setup';

export interface WhatIfSettings {
  readonly deals: number;
  readonly openConcurrency: number;
}

export interface WhatIfResult {
  readonly deals: number;
  /** `POST …/simulations` end to end: deals per second, and the answer's own split. */
  readonly request: { seconds: number; dealsPerSecond: number; readMs: number; simulateMs: number };
  /** Reading deals the raw way (the Temporal client, 16 at a time, the queries the API sends), just before: the baseline for reading. */
  readonly rawRead: { seconds: number; dealsPerSecond: number };
  /** Both replays of every deal in this process, with nothing else: the pure simulator's rate. */
  readonly simulateOnly: { seconds: number; dealsPerSecond: number };
  /** The request's reading time over the raw reading time. */
  readonly readRatio: number;
  readonly consistency: { checked: number; reproduced: number };
}

const SOP_ID = 'bench-what-if';
/** Warnings at 2 s and breaches at 4 s, so deals acted on at once stay green and the others do not. */
const sop = {
  id: SOP_ID,
  version: 1,
  name: 'Bench: what-if',
  stages: [
    { id: 'discovery', name: 'Discovery', deliverables: ['notes'], sla: { warnAfter: '2s', breachAfter: '4s' } },
    { id: 'proposal', name: 'Proposal', sla: { breachAfter: '30d' } },
    { id: 'close', name: 'Closing' },
  ],
};
const draft = {
  ...sop,
  version: 2,
  stages: [{ ...sop.stages[0], deliverables: ['notes', 'budget'], sla: { breachAfter: '1s' } }, ...sop.stages.slice(1)],
};

/**
 * N deals with a few actions each (half acted on at once, half after their breach; a third lost),
 * then a what-if over all of them through the API, beside reading the same deals with the raw
 * client and replaying them with nothing else.
 */
export async function runWhatIf(bench: Bench, settings: WhatIfSettings, log: (line: string) => void): Promise<WhatIfResult> {
  await publish(bench, sop);
  const ids = Array.from({ length: settings.deals }, (_, i) => `what-if-${i}`);
  const opened = await closedLoop(ids.length, settings.openConcurrency, async (i) => void (await apiStart(bench, ids[i], SOP_ID, 1)));
  if (opened.errors > 0) throw new Error(`${opened.errors} deals failed to open: ${opened.firstError}`);
  const act = (i: number, body: unknown) => bench.api.call('POST', `/v1/deals/${ids[i]}/actions`, body);
  const work = async (i: number): Promise<void> => {
    await act(i, { type: 'submit_deliverable', stage: 'discovery', deliverable: 'notes' });
    await act(i, { type: 'complete_stage', stage: 'discovery' });
    if (i % 3 === 0) await act(i, { type: 'mark_lost', reason: 'budget frozen' });
  };
  const early = await closedLoop(ids.length / 2, settings.openConcurrency, (i) => work(i * 2));
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  const late = await closedLoop(ids.length / 2, settings.openConcurrency, (i) => work(i * 2 + 1));
  if (early.errors + late.errors > 0) throw new Error(`actions failed: ${early.firstError ?? late.firstError}`);
  await listed(bench, `SopId = '${SOP_ID}' AND ExecutionStatus != 'ContinuedAsNew'`, settings.deals);
  log(`  ${settings.deals} deals opened and acted on`);

  const reads = new DealReads(bench.client, bench.client.options.namespace);
  const timelines: DealEvent[][] = new Array(ids.length);
  const readStarted = performance.now();
  const read = await closedLoop(ids.length, 16, async (i) => {
    timelines[i] = (await reads.timeline(dealWorkflowId(ids[i]))).events as DealEvent[];
  });
  if (read.errors > 0) throw new Error(`raw reads failed: ${read.firstError}`);
  const readSeconds = (performance.now() - readStarted) / 1000;
  log(`  raw read: ${(settings.deals / readSeconds).toFixed(0)} deals/s`);

  const started = performance.now();
  const answer = await bench.api.call<{
    deals: number;
    consistency: { checked: number; reproduced: number };
    took: { readMs: number; simulateMs: number };
  }>('POST', `/v1/sops/${SOP_ID}/simulations`, { sop: draft, deals: { limit: 5_000 } });
  const requestSeconds = (performance.now() - started) / 1000;
  if (answer.deals !== settings.deals) throw new Error(`the what-if replayed ${answer.deals} of ${settings.deals} deals`);
  log(
    `  request: ${(settings.deals / requestSeconds).toFixed(0)} deals/s (read ${answer.took.readMs} ms, simulate ${answer.took.simulateMs} ms); consistency ${answer.consistency.reproduced}/${answer.consistency.checked}`,
  );

  const own = await sopSnapshot(bench, SOP_ID, 1);
  const proposed = sopSchema.parse(draft);
  const now = new Date().toISOString();
  const simulateStarted = performance.now();
  for (const events of timelines) {
    const recorded = recordedDeal(events);
    simulateDeal(recorded, { own: () => own }, now);
    simulateDeal(recorded, { draft: proposed }, now);
  }
  const simulateSeconds = (performance.now() - simulateStarted) / 1000;
  log(`  simulate only: ${(settings.deals / simulateSeconds).toFixed(0)} deals/s`);
  return {
    deals: settings.deals,
    request: {
      seconds: requestSeconds,
      dealsPerSecond: settings.deals / requestSeconds,
      readMs: answer.took.readMs,
      simulateMs: answer.took.simulateMs,
    },
    rawRead: { seconds: readSeconds, dealsPerSecond: settings.deals / readSeconds },
    simulateOnly: { seconds: simulateSeconds, dealsPerSecond: settings.deals / simulateSeconds },
    readRatio: answer.took.readMs / 1000 / readSeconds,
    consistency: answer.consistency,
  };
}
