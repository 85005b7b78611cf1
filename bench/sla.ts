import { cpuNow, cpuSince, type Cpu } from './cpu';
import { apiStart, publish } from './deal-ops';
import { closedLoop, percentile } from './load';
import { BASELINE_TASK_QUEUE, type Bench } from './setup';

/** One SLA run: its deals, and how many of them fall due in the same second (the burst). */
export interface SlaRunSettings {
  /** Names the run, and the SOP (`bench-sla-<name>`) whose versions give its deals their SLAs. */
  readonly name: string;
  readonly deals: number;
  /** Share of the deals that fall due in the same second. */
  readonly burstShare: number;
  /**
   * Seconds after the first start at which the burst falls due; 'auto': when opening every burst
   * deal is expected to have ended, from the open rate of the run before (×1.3 + 20 s).
   */
  readonly burstAt: number | 'auto';
}

export interface SlaSettings {
  readonly runs: readonly SlaRunSettings[];
  /** SLA lengths (seconds) of the deals outside the burst, spread evenly over them. */
  readonly spreadFrom: number;
  readonly spreadTo: number;
  readonly spreadStep: number;
  /** How long to wait after the last deadline for missing deliveries... */
  readonly graceSeconds: number;
  /** ...and past that for as long as late ones still arrive (some within the last 20 s), up to this many seconds in all. */
  readonly drainCapSeconds: number;
  /** Deals opened at once (each also starts its baseline workflow). */
  readonly openConcurrency: number;
}

export interface Lateness {
  readonly deals: number;
  readonly delivered: number;
  readonly missed: number;
  readonly repeats: number;
  /** Deals whose warning arrived under more than one webhook id (one event, several ids): must be 0. */
  readonly idsPerEventAboveOne: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly burst: { deals: number; spanMs: number; drainMs: number; p50: number; p99: number; max: number };
}

export interface SlaResult {
  readonly settings: SlaRunSettings & { readonly burstAtSeconds: number };
  readonly openRate: number;
  readonly deadlineSpanSeconds: number;
  readonly ours: Lateness;
  readonly baseline: Lateness;
  readonly cpuSeconds: Cpu & { total: number };
}

interface Receipt {
  readonly id: string;
  readonly dealId: string;
  readonly deadline: number;
  readonly receivedAt: number;
}

/** One SOP version per SLA length: a first stage that warns after that many seconds. */
function slaSop(id: string, version: number, seconds: number) {
  return {
    id,
    version,
    name: `Bench: warn after ${seconds}s`,
    stages: [
      { id: 'respond', name: 'Responding', sla: { warnAfter: `${seconds}s`, breachAfter: '1h' } },
      { id: 'close', name: 'Closing' },
    ],
  };
}

function lateness(deals: ReadonlyMap<string, number>, burst: ReadonlySet<string>, receipts: readonly Receipt[]): Lateness {
  const first = new Map<string, Receipt>();
  let repeats = 0;
  const ids = new Set<string>();
  const idsOfDeal = new Map<string, Set<string>>();
  for (const receipt of receipts) {
    if (!deals.has(receipt.dealId)) continue;
    if (ids.has(receipt.id)) repeats += 1;
    ids.add(receipt.id);
    idsOfDeal.set(receipt.dealId, (idsOfDeal.get(receipt.dealId) ?? new Set()).add(receipt.id));
    if (!first.has(receipt.dealId)) first.set(receipt.dealId, receipt);
  }
  const late = [...first.values()].map((r) => r.receivedAt - r.deadline);
  const burstReceipts = [...first.values()].filter((r) => burst.has(r.dealId));
  const burstDeadlines = [...burst].map((id) => deals.get(id) as number);
  const burstLate = burstReceipts.map((r) => r.receivedAt - r.deadline);
  return {
    deals: deals.size,
    delivered: first.size,
    missed: deals.size - first.size,
    repeats,
    idsPerEventAboveOne: [...idsOfDeal.values()].filter((set) => set.size > 1).length,
    p50: percentile(late, 50),
    p99: percentile(late, 99),
    max: Math.max(...late),
    burst: {
      deals: burst.size,
      spanMs: Math.max(...burstDeadlines) - Math.min(...burstDeadlines),
      drainMs: Math.max(...burstReceipts.map((r) => r.receivedAt)) - Math.max(...burstDeadlines),
      p50: percentile(burstLate, 50),
      p99: percentile(burstLate, 99),
      max: Math.max(...burstLate),
    },
  };
}

/**
 * SLA lateness: deals whose first stage warns after a few seconds to a couple of minutes, a share of
 * them falling due in the same second, each paired with a baseline workflow sleeping to the same
 * instant. Lateness is the first receipt at the receiver minus the deadline in the body.
 */
export async function runSla(
  bench: Bench,
  settings: SlaSettings,
  run: SlaRunSettings,
  previousOpenRate: number | null,
  log: (line: string) => void,
): Promise<SlaResult> {
  const sopId = `bench-sla-${run.name}`;
  const burstCount = Math.round(run.deals * run.burstShare);
  const burstAt = run.burstAt === 'auto' ? Math.ceil((burstCount / Math.max(previousOpenRate ?? 20, 1)) * 1.3) + 20 : run.burstAt;
  const spreadLengths: number[] = [];
  for (let s = settings.spreadFrom; s <= settings.spreadTo; s += settings.spreadStep) spreadLengths.push(s);
  // The burst deals open first; each gets the SLA (whole seconds) that makes it fall due at burstAt.
  const burstLengths = burstCount > 0 ? Array.from({ length: burstAt }, (_, i) => burstAt - i) : [];
  const lengths = [...new Set([...burstLengths, ...(burstCount < run.deals ? spreadLengths : [])])]
    .filter((s) => s > 0)
    .sort((a, b) => a - b);
  const versionOf = new Map<number, number>();
  for (const [index, seconds] of lengths.entries()) {
    await publish(bench, slaSop(sopId, index + 1, seconds));
    versionOf.set(seconds, index + 1);
  }
  log(
    `  ${run.name}: published ${lengths.length} versions of ${sopId}${burstCount > 0 ? `; the burst falls due ${burstAt} s after the first start` : ''}`,
  );

  const deals = new Map<string, number>();
  const baselineDeals = new Map<string, number>();
  const burst = new Set<string>();
  const receivedBefore = bench.receiver.received.length;
  const cpuBefore = cpuNow(bench);
  const startedAt = Date.now();
  const burstDue = startedAt + burstAt * 1000;
  const open = async (i: number) => {
    const dealId = `sla-${run.name}-${i}`;
    const inBurst = i < burstCount;
    const seconds = inBurst
      ? Math.max(lengths[0], Math.min(burstAt, Math.round((burstDue - Date.now()) / 1000)))
      : spreadLengths[(i - burstCount) % spreadLengths.length];
    // Opened through the API, as users open them; its answer carries the deal's deadlines.
    const deal = await apiStart(bench, dealId, sopId, versionOf.get(seconds));
    const deadline = Date.parse(deal.stage?.warnAt ?? '');
    if (!Number.isFinite(deadline)) throw new Error(`deal ${dealId} has no warning deadline`);
    deals.set(dealId, deadline);
    if (inBurst) burst.add(dealId);
    await bench.client.workflow.start('sleepToDeadline', {
      workflowId: `baseline:${dealId}`,
      taskQueue: BASELINE_TASK_QUEUE,
      args: [{ id: dealId, deadline }],
    });
    baselineDeals.set(dealId, deadline);
  };
  const opened = await closedLoop(run.deals, settings.openConcurrency, open);
  if (opened.errors > 0) log(`  ${run.name}: ${opened.errors} SLA deals failed to open, first: ${opened.firstError}`);
  const openRate = deals.size / opened.seconds;
  const lastDeadline = Math.max(...deals.values());
  const firstDeadline = Math.min(...deals.values());
  log(
    `  ${run.name}: opened ${deals.size} deals (+ baselines) at ${openRate.toFixed(0)}/s; deadlines over ${((lastDeadline - firstDeadline) / 1000).toFixed(0)} s`,
  );

  // Receipts of this run's deals, parsed once each as they arrive (the receiver keeps every run's).
  const ours: Receipt[] = [];
  const theirs: Receipt[] = [];
  const oursDone = new Set<string>();
  const theirsDone = new Set<string>();
  let parsed = receivedBefore;
  const collect = () => {
    for (; parsed < bench.receiver.received.length; parsed += 1) {
      const r = bench.receiver.received[parsed];
      const body = JSON.parse(r.body) as { id: string; baseline?: boolean; dealId?: string; deal?: { dealId: string }; deadline: string };
      const receipt = {
        id: body.id,
        dealId: (body.baseline ? body.dealId : body.deal?.dealId) ?? '',
        deadline: Date.parse(body.deadline),
        receivedAt: r.receivedAt,
      };
      if (!deals.has(receipt.dealId)) continue;
      (body.baseline ? theirs : ours).push(receipt);
      (body.baseline ? theirsDone : oursDone).add(receipt.dealId);
    }
  };
  // Missed means not delivered by the drain cap, not merely past the grace: while receipts still arrive, the run waits on.
  const grace = lastDeadline + settings.graceSeconds * 1000;
  const cap = lastDeadline + settings.drainCapSeconds * 1000;
  let lastArrival = Date.now();
  for (;;) {
    const seen = ours.length + theirs.length;
    collect();
    if (ours.length + theirs.length > seen) lastArrival = Date.now();
    const done = oursDone.size >= deals.size && theirsDone.size >= deals.size;
    if (done && Date.now() > lastDeadline + 2_000) break;
    if (Date.now() > cap || (Date.now() > grace && Date.now() - lastArrival > 20_000)) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const result = {
    settings: { ...run, burstAtSeconds: burstAt },
    openRate,
    deadlineSpanSeconds: (lastDeadline - firstDeadline) / 1000,
    ours: lateness(deals, burst, ours),
    baseline: lateness(baselineDeals, burst, theirs),
    cpuSeconds: cpuSince(cpuBefore, cpuNow(bench)),
  };
  log(
    `  ${run.name}: ours p50 ${result.ours.p50.toFixed(0)} p99 ${result.ours.p99.toFixed(0)} max ${result.ours.max.toFixed(0)} ms, missed ${result.ours.missed}; baseline p99 ${result.baseline.p99.toFixed(0)} ms, missed ${result.baseline.missed}`,
  );
  return result;
}
