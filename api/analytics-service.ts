import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  analyticsFigures,
  analyticsReport,
  emptyAnalytics,
  paceOf,
  PERMISSIONS,
  type Actor,
  type AnalyticsFigures,
  type AnalyticsReport,
  type Sop,
} from '../domain';
import { analyticsQuery, analyticsWorkflowId } from '../workflows/messages';
import type { DealFilters, DealListItem } from './deal-list';
import type { DealService } from './deal-service';
import { problems } from './problem';
import type { SopService } from './sop-service';
import { withinDeadline } from './temporal-connection';

export interface DealPace {
  dealId: string;
  owner: string;
  stage: string | null;
  /** Time in the current stage so far, paused time left out. */
  timeInStageMs: number | null;
  /** The median time in this stage of the SOP's completed visits; null below `MIN_PEERS` of them. */
  peerP50Ms: number | null;
  /** timeInStageMs / peerP50Ms: 1.4 is 40% slower than the typical deal. */
  pace: number | null;
}

export type PaceFilters = Pick<DealFilters, 'stage' | 'owner' | 'pageSize' | 'pageToken'>;

/** Completed visits of a stage needed before a deal's pace is given against them. */
export const MIN_PEERS = 3;

/** How long one replica reuses an SOP's figures, so a board polling every second costs one query per interval. */
const FIGURES_TTL_MS = 2_000;

/** SOP analytics: figures from the SOP's analytics workflow, pace from the open deals' listings. */
export class AnalyticsService {
  private readonly cache = new Map<string, { at: number; figures: Promise<AnalyticsFigures> }>();

  constructor(
    private readonly client: Client,
    private readonly sops: SopService,
    private readonly deals: DealService,
    private readonly now: () => number = Date.now,
    private readonly timeoutMs = 10_000,
  ) {}

  async report(sopId: string, actor: Actor): Promise<AnalyticsReport> {
    if (actor.role !== 'system' && !PERMISSIONS[actor.role].readAll) {
      throw problems.forbidden(`A ${actor.role} sees its own deals only, not an SOP's analytics.`);
    }
    const sop = await this.publishedSop(sopId);
    return analyticsReport(await this.figures(sopId), sop);
  }

  async pace(sopId: string, filters: PaceFilters, actor: Actor): Promise<{ deals: DealPace[]; nextPageToken: string | null }> {
    await this.publishedSop(sopId);
    const [listed, figures] = await Promise.all([this.deals.list({ ...filters, sopId, status: 'open' }, actor), this.figures(sopId)]);
    // Fewer completed visits than this make a median too thin to compare a deal with.
    const p50 = new Map(figures.stages.filter((s) => s.timeInStage.samples >= MIN_PEERS).map((s) => [s.stage, s.timeInStage.wallMs.p50]));
    const now = this.now();
    return {
      deals: listed.deals.map((deal) => {
        const timeInStageMs = activeTimeInStage(deal, now);
        const peerP50Ms = deal.stage ? (p50.get(deal.stage) ?? null) : null;
        return {
          dealId: deal.dealId,
          owner: deal.owner,
          stage: deal.stage,
          timeInStageMs,
          peerP50Ms,
          pace: timeInStageMs === null ? null : paceOf(timeInStageMs, peerP50Ms),
        };
      }),
      nextPageToken: listed.nextPageToken,
    };
  }

  private async publishedSop(sopId: string): Promise<Sop> {
    const sop = await this.sops.get(sopId);
    if (!sop) throw problems.notFound(`No SOP "${sopId}" is published.`);
    return sop;
  }

  private figures(sopId: string): Promise<AnalyticsFigures> {
    const cached = this.cache.get(sopId);
    if (cached && this.now() - cached.at < FIGURES_TTL_MS) return cached.figures;
    const figures = this.queryFigures(sopId);
    this.cache.set(sopId, { at: this.now(), figures });
    figures.catch(() => this.cache.delete(sopId));
    return figures;
  }

  private async queryFigures(sopId: string): Promise<AnalyticsFigures> {
    try {
      return await withinDeadline(this.client, this.timeoutMs, () =>
        this.client.workflow.getHandle(analyticsWorkflowId(sopId)).query(analyticsQuery),
      );
    } catch (error) {
      // No deal of this SOP has reported yet: the analytics workflow starts with the first fact.
      if (error instanceof WorkflowNotFoundError) return analyticsFigures(emptyAnalytics(sopId));
      throw error;
    }
  }
}

function activeTimeInStage(deal: DealListItem, now: number): number | null {
  if (!deal.stageEnteredAt) return null;
  const until = deal.pausedSince ? Math.max(Date.parse(deal.pausedSince), Date.parse(deal.stageEnteredAt)) : now;
  return Math.max(0, until - Date.parse(deal.stageEnteredAt) - deal.stagePausedMs);
}
