import { cpuNow, cpuSince, type Cpu } from './cpu';
import { apiStart, publish } from './deal-ops';
import { closedLoop, percentile } from './load';
import { BASELINE_TASK_QUEUE, type Bench } from './setup';

export const SLA_SOP = 'bench-sla';

export interface SlaSettings {
  readonly deals: number;
  /** Share of the deals that fall due in the same second. */
  readonly burstShare: number;
  /** Seconds after the first start at which the burst falls due. */
  readonly burstAt: number;
  /** SLA lengths (seconds) of the other deals, spread evenly over them. */
  readonly spreadFrom: number;
  readonly spreadTo: number;
  readonly spreadStep: number;
  /** How long to wait after the last deadline for missing deliveries. */
  readonly graceSeconds: number;
}

export interface Lateness {
  readonly deals: number;
  readonly delivered: number;
  readonly missed: number;
  readonly repeats: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly burst: { deals: number; spanMs: number; drainMs: number; p50: number; p99: number; max: number };
}

export interface SlaResult {
  readonly settings: SlaSettings;
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
function slaSop(version: number, seconds: number) {
  return {
    id: SLA_SOP,
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
  for (const receipt of receipts) {
    if (!deals.has(receipt.dealId)) continue;
    if (ids.has(receipt.id)) repeats += 1;
    ids.add(receipt.id);
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
export async function runSla(bench: Bench, settings: SlaSettings, log: (line: string) => void): Promise<SlaResult> {
  const burstCount = Math.round(settings.deals * settings.burstShare);
  const spreadLengths: number[] = [];
  for (let s = settings.spreadFrom; s <= settings.spreadTo; s += settings.spreadStep) spreadLengths.push(s);
  // The burst deals open first; each gets the SLA (whole seconds) that makes it fall due at burstAt.
  const burstLengths = Array.from({ length: settings.burstAt }, (_, i) => settings.burstAt - i);
  const lengths = [...new Set([...burstLengths, ...spreadLengths])].filter((s) => s > 0).sort((a, b) => a - b);
  const versionOf = new Map<number, number>();
  for (const [index, seconds] of lengths.entries()) {
    await publish(bench, slaSop(index + 1, seconds));
    versionOf.set(seconds, index + 1);
  }
  log(`  published ${lengths.length} versions of ${SLA_SOP}`);

  const deals = new Map<string, number>();
  const baselineDeals = new Map<string, number>();
  const burst = new Set<string>();
  const cpuBefore = cpuNow(bench);
  const startedAt = Date.now();
  const burstDue = startedAt + settings.burstAt * 1000;
  const open = async (i: number) => {
    const dealId = `sla-${i}`;
    const inBurst = i < burstCount;
    const seconds = inBurst
      ? Math.max(lengths[0], Math.min(settings.burstAt, Math.round((burstDue - Date.now()) / 1000)))
      : spreadLengths[(i - burstCount) % spreadLengths.length];
    // Opened through the API, as users open them; its answer carries the deal's deadlines.
    const deal = await apiStart(bench, dealId, SLA_SOP, versionOf.get(seconds));
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
  const opened = await closedLoop(settings.deals, 16, open);
  if (opened.errors > 0) log(`  ${opened.errors} SLA deals failed to open, first: ${opened.firstError}`);
  const openRate = deals.size / opened.seconds;
  const lastDeadline = Math.max(...deals.values());
  const firstDeadline = Math.min(...deals.values());
  log(
    `  opened ${settings.deals} deals (+ baselines) at ${openRate.toFixed(0)}/s; deadlines over ${((lastDeadline - firstDeadline) / 1000).toFixed(0)} s`,
  );

  const receipts = () =>
    bench.receiver.received.map((r): Receipt => {
      const body = JSON.parse(r.body) as { id: string; baseline?: boolean; dealId?: string; deal?: { dealId: string }; deadline: string };
      return {
        id: body.id,
        dealId: (body.baseline ? body.dealId : body.deal?.dealId) ?? '',
        deadline: Date.parse(body.deadline),
        receivedAt: r.receivedAt,
      };
    });
  const ours = () => receipts().filter((r) => !r.id.startsWith('baseline:'));
  const theirs = () => receipts().filter((r) => r.id.startsWith('baseline:'));
  const until = lastDeadline + settings.graceSeconds * 1000;
  for (;;) {
    const done = new Set(ours().map((r) => r.dealId)).size >= deals.size && new Set(theirs().map((r) => r.dealId)).size >= deals.size;
    if ((done && Date.now() > lastDeadline + 2_000) || Date.now() > until) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    settings,
    openRate,
    deadlineSpanSeconds: (lastDeadline - firstDeadline) / 1000,
    ours: lateness(deals, burst, ours()),
    baseline: lateness(baselineDeals, burst, theirs()),
    cpuSeconds: cpuSince(cpuBefore, cpuNow(bench)),
  };
}
