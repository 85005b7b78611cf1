import type { Actor, DealView } from '../domain';
import type { DealService } from './deal-service';
import { inParallel } from './in-parallel';
import { ProblemError } from './problem';

/** Open deals read for one review; past it the answer says `truncated`. */
export const MAX_REVIEWED_DEALS = 2_000;
const READ_CONCURRENCY = 16;

export interface RiskFilters {
  readonly status: 'open' | 'resolved' | 'all';
  /** The risk's owner. */
  readonly owner?: string;
  readonly sopId?: string;
}

/** One risk as the weekly review reads it: what, whose, by when, and how late. */
export interface ReviewedRisk {
  dealId: string;
  customer: string;
  dealOwner: string;
  sop: { id: string; version: number };
  stage: string | null;
  riskId: string;
  summary: string;
  owner: string;
  raisedAt: string;
  resolvedAt: string | null;
  playbook: string | null;
  /** The earliest task not done, or null. */
  nextTask: { taskId: string; summary: string; owner: string | null; dueBy: string } | null;
  /** The earliest of the risk's own due date and its next task's: "by when". */
  nextDueAt: string | null;
  /** How long past `nextDueAt` it is now (0 when not yet due, null without a date). */
  overdueMs: number | null;
  tasks: { done: number; total: number };
}

/**
 * `GET /v1/risks`, the weekly risk review (`CONTRACT.md` v2.4): the risks of the open deals a caller
 * may read, each with its deal, its owner and what is due next, the most overdue first. Deals come
 * from visibility (a rep's are its own), then each is read, 16 at a time.
 */
export class RiskService {
  constructor(
    private readonly deals: DealService,
    private readonly now: () => number = Date.now,
  ) {}

  async review(filters: RiskFilters, actor: Actor): Promise<{ risks: ReviewedRisk[]; truncated: boolean }> {
    const dealIds: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.deals.list({ sopId: filters.sopId, status: 'open', pageSize: 100, pageToken }, actor);
      for (const deal of page.deals) if (!dealIds.includes(deal.dealId)) dealIds.push(deal.dealId);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken && dealIds.length < MAX_REVIEWED_DEALS + 1);
    const truncated = dealIds.length > MAX_REVIEWED_DEALS;
    const views = await inParallel(dealIds.slice(0, MAX_REVIEWED_DEALS), READ_CONCURRENCY, (dealId) =>
      this.deals.get(dealId, actor).catch((error: unknown) => {
        // Closed, or gone, between the list and the read: it has no open risk to review.
        if (error instanceof ProblemError && error.status === 404) return null;
        throw error;
      }),
    );
    const now = this.now();
    const risks = views
      .filter((view): view is DealView => view !== null && view.status === 'open')
      .flatMap((view) => view.risks.map((risk) => reviewed(view, risk, now)))
      .filter((risk) => filters.status === 'all' || (filters.status === 'open') === (risk.resolvedAt === null))
      .filter((risk) => filters.owner === undefined || risk.owner === filters.owner)
      .sort(mostOverdueFirst);
    return { risks, truncated };
  }
}

function reviewed(view: DealView, risk: DealView['risks'][number], now: number): ReviewedRisk {
  const open = risk.tasks.filter((task) => !task.doneAt).sort((a, b) => (a.dueBy < b.dueBy ? -1 : a.dueBy > b.dueBy ? 1 : 0));
  const next = open[0] ?? null;
  const dates = [risk.dueBy, next?.dueBy].filter((date): date is string => typeof date === 'string').sort();
  const nextDueAt = risk.resolvedAt ? null : (dates[0] ?? null);
  return {
    dealId: view.dealId,
    customer: view.customer.name,
    dealOwner: view.owner,
    sop: view.sop,
    stage: view.stage?.id ?? null,
    riskId: risk.riskId,
    summary: risk.summary,
    owner: risk.owner,
    raisedAt: risk.raisedAt,
    resolvedAt: risk.resolvedAt,
    playbook: risk.playbook,
    nextTask: next && { taskId: next.taskId, summary: next.summary, owner: next.owner, dueBy: next.dueBy },
    nextDueAt,
    overdueMs: nextDueAt === null ? null : Math.max(0, now - Date.parse(nextDueAt)),
    tasks: { done: risk.tasks.length - open.length, total: risk.tasks.length },
  };
}

/** The most overdue first; then the soonest due; then those without a date, oldest raised first. */
function mostOverdueFirst(a: ReviewedRisk, b: ReviewedRisk): number {
  const overdue = (b.overdueMs ?? -1) - (a.overdueMs ?? -1);
  if (overdue !== 0) return overdue;
  if (a.nextDueAt !== b.nextDueAt) return a.nextDueAt === null ? 1 : b.nextDueAt === null ? -1 : a.nextDueAt < b.nextDueAt ? -1 : 1;
  return a.raisedAt < b.raisedAt ? -1 : a.raisedAt > b.raisedAt ? 1 : a.dealId.localeCompare(b.dealId);
}
