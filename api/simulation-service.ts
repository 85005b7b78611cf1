import type { Client } from '@temporalio/client';
import {
  recordedDeal,
  simulateDeal,
  simulationReport,
  type Actor,
  type DealEvent,
  type RecordedDeal,
  type SimulatedDeal,
  type SimulationReport,
  type Sop,
} from '../domain';
import type { DealService } from './deal-service';
import { inParallel } from './in-parallel';
import { ProblemError, problems } from './problem';
import { sopDealsPage, sopDealsQuery, type DealSelection } from './sop-deals';
import type { SopService } from './sop-service';
import { withinDeadline } from './temporal-connection';

/** At most this many deals in one what-if (`deals.limit`). */
export const MAX_SIMULATED_DEALS = 5_000;
/** Timelines read at once. */
const READ_CONCURRENCY = 16;

export interface SimulationRequest {
  readonly sop: Sop;
  readonly deals: DealSelection & { readonly limit: number };
}

/** The report, with the deals whose timeline could not be read (each with why): replayed, they would be guesses. */
export type SimulationAnswer = SimulationReport & {
  readonly unread: Array<{ dealId: string; reason: string }>;
  /** Milliseconds spent reading timelines and replaying them: where a slow what-if spends its time. */
  readonly took: { readMs: number; simulateMs: number };
};

/**
 * What-if (`POST /v1/sops/:id/simulations`): reads the SOP's deals' timelines from Temporal and
 * replays each twice through the pure simulator, under its own versions and under the draft.
 * Nothing is written anywhere.
 */
export class SimulationService {
  constructor(
    private readonly client: Client,
    private readonly namespace: string,
    private readonly sops: SopService,
    private readonly deals: DealService,
    private readonly timeoutMs = 10_000,
  ) {}

  async simulate(sopId: string, request: SimulationRequest, actor: Actor, now = new Date().toISOString()): Promise<SimulationAnswer> {
    if (request.sop.id !== sopId) {
      throw problems.validation([{ path: 'sop.id', message: `the draft is SOP "${request.sop.id}", not "${sopId}"` }]);
    }
    if (!(await this.sops.get(sopId))) throw problems.notFound(`No SOP "${sopId}" is published.`);
    const readStarted = Date.now();
    const { deals, unread } = await this.readDeals(sopId, request.deals, actor);
    const versions = await this.versionsOf(sopId, deals);
    const readMs = Date.now() - readStarted;
    const simulateStarted = Date.now();
    const own = (version: number) => versions.get(version) ?? null;
    const runs: SimulatedDeal[] = deals.map(({ dealId, recorded }) => ({
      dealId,
      recorded,
      baseline: simulateDeal(recorded, { own }, now),
      proposed: simulateDeal(recorded, { draft: request.sop }, now),
    }));
    const report = simulationReport(request.sop, runs);
    return { ...report, unread, took: { readMs, simulateMs: Date.now() - simulateStarted } };
  }

  /**
   * The selected deals' timelines, read `READ_CONCURRENCY` at a time, each within the deadline, in
   * visibility's pages until `limit` deals match. A deal that cannot be read is listed as unread.
   */
  private async readDeals(
    sopId: string,
    selection: SimulationRequest['deals'],
    actor: Actor,
  ): Promise<{ deals: Array<{ dealId: string; recorded: RecordedDeal }>; unread: Array<{ dealId: string; reason: string }> }> {
    const query = sopDealsQuery(sopId, selection);
    const seen = new Set<string>();
    const deals: Array<{ dealId: string; recorded: RecordedDeal }> = [];
    const unread: Array<{ dealId: string; reason: string }> = [];
    let pageToken: Uint8Array | null = null;
    do {
      const page = await withinDeadline(this.client, this.timeoutMs, () => sopDealsPage(this.client, this.namespace, query, pageToken));
      pageToken = page.nextPageToken;
      const fresh = page.dealIds.filter((dealId) => !seen.has(dealId) && seen.add(dealId));
      // No more reads than the deals still wanted, unless some turn out to be outside the period.
      while (fresh.length > 0 && deals.length < selection.limit) {
        const batch = fresh.splice(0, Math.max(selection.limit - deals.length, READ_CONCURRENCY));
        const read = await inParallel(batch, READ_CONCURRENCY, (dealId) => this.read(dealId, actor));
        for (const [index, outcome] of read.entries()) {
          const dealId = batch[index];
          if (typeof outcome === 'string') unread.push({ dealId, reason: outcome });
          else if (outcome && matches(outcome, selection) && deals.length < selection.limit) deals.push({ dealId, recorded: outcome });
        }
      }
    } while (pageToken && deals.length < selection.limit);
    return { deals, unread };
  }

  /** The deal as recorded; null when it is not one to replay (another SOP); a string saying why it cannot be read. */
  private async read(dealId: string, actor: Actor): Promise<RecordedDeal | string | null> {
    try {
      const { events } = await this.deals.timeline(dealId, actor);
      return recordedDeal(events as DealEvent[]);
    } catch (error) {
      if (error instanceof ProblemError && error.status === 404) return null;
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Every version the deals ran on, read once each from the registry. */
  private async versionsOf(sopId: string, deals: ReadonlyArray<{ recorded: RecordedDeal }>): Promise<Map<number, Sop>> {
    const wanted = new Set<number>();
    for (const { recorded } of deals) {
      wanted.add(recorded.sop.version);
      for (const step of recorded.steps) if (step.kind === 'migration') wanted.add(step.toVersion);
    }
    const versions = new Map<number, Sop>();
    for (const version of wanted) {
      const sop = await this.sops.get(sopId, version);
      if (!sop) throw problems.unavailable(`SOP "${sopId}" version ${version}, which deals ran on, cannot be read from the registry.`);
      versions.set(version, sop);
    }
    return versions;
  }
}

/** Whether the deal was opened in the selected period (visibility could narrow by `openedFrom` only). */
function matches(deal: RecordedDeal, selection: DealSelection): boolean {
  if (selection.openedFrom && deal.openedAt < new Date(selection.openedFrom).toISOString()) return false;
  if (selection.openedTo && deal.openedAt > new Date(selection.openedTo).toISOString()) return false;
  return true;
}
