import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  analyticsFigures,
  analyticsReport,
  emptyAnalytics,
  paceOf,
  periodFigures,
  PERMISSIONS,
  type Actor,
  type AnalyticsFigures,
  type AnalyticsReport,
  type Sop,
} from '../domain';
import { analyticsPeriodQuery, analyticsQuery, analyticsWorkflowId } from '../workflows/messages';
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

/** `from` / `to` of `GET /v1/sops/:id/analytics` and `/pace`: figures of whole weeks; absent, all time. */
export interface Period {
  readonly from?: string;
  readonly to?: string;
}

export type PaceFilters = Pick<DealFilters, 'stage' | 'owner' | 'pageSize' | 'pageToken'> & Period;

/** Completed visits of a stage needed before a deal's pace is given against them. */
export const MIN_PEERS = 3;

/** How long one replica reuses an SOP's figures, so a board polling every second costs one query per interval. */
const FIGURES_TTL_MS = 2_000;
/** Figures kept at once (SOPs × periods asked); past it the cache starts again. */
const MAX_CACHED = 1_000;
/** A period's bound in the cache key: to the second, so a board asking "until now" every second hits the cache. */
const toSecond = (at: string): string => new Date(at).toISOString().slice(0, 19);

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

  async report(sopId: string, actor: Actor, period: Period = {}): Promise<AnalyticsReport> {
    if (actor.role !== 'system' && !PERMISSIONS[actor.role].readAll) {
      throw problems.forbidden(`A ${actor.role} sees its own deals only, not an SOP's analytics.`);
    }
    const sop = await this.publishedSop(sopId);
    return analyticsReport(await this.figures(sopId, period), sop);
  }

  async pace(sopId: string, filters: PaceFilters, actor: Actor): Promise<{ deals: DealPace[]; nextPageToken: string | null }> {
    await this.publishedSop(sopId);
    const { from, to, ...listFilters } = filters;
    const [listed, figures] = await Promise.all([
      this.deals.list({ ...listFilters, sopId, status: 'open' }, actor),
      this.figures(sopId, { from, to }),
    ]);
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

  /** All time, or a period (`from` default the beginning, `to` default now); each answer cached briefly. */
  private figures(sopId: string, period: Period = {}): Promise<AnalyticsFigures> {
    const bounds =
      period.from || period.to
        ? { from: period.from ?? new Date(0).toISOString(), to: period.to ?? new Date(this.now()).toISOString() }
        : null;
    const key = bounds ? `${sopId}\u0000${toSecond(bounds.from)}\u0000${toSecond(bounds.to)}` : sopId;
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < FIGURES_TTL_MS) return cached.figures;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const figures = this.queryFigures(sopId, bounds);
    this.cache.set(key, { at: this.now(), figures });
    figures.catch(() => this.cache.delete(key));
    return figures;
  }

  private async queryFigures(sopId: string, bounds: { from: string; to: string } | null): Promise<AnalyticsFigures> {
    try {
      return await withinDeadline(this.client, this.timeoutMs, () => {
        const handle = this.client.workflow.getHandle(analyticsWorkflowId(sopId));
        return bounds ? handle.query(analyticsPeriodQuery, bounds.from, bounds.to) : handle.query(analyticsQuery);
      });
    } catch (error) {
      // No deal of this SOP has reported yet: the analytics workflow starts with the first fact.
      if (error instanceof WorkflowNotFoundError) {
        const empty = emptyAnalytics(sopId);
        return bounds ? periodFigures(empty, bounds.from, bounds.to) : analyticsFigures(empty);
      }
      throw error;
    }
  }
}

function activeTimeInStage(deal: DealListItem, now: number): number | null {
  if (!deal.stageEnteredAt) return null;
  const until = deal.pausedSince ? Math.max(Date.parse(deal.pausedSince), Date.parse(deal.stageEnteredAt)) : now;
  return Math.max(0, until - Date.parse(deal.stageEnteredAt) - deal.stagePausedMs);
}
