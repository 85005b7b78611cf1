import { allHandlersFinished, condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { createActivities, MigratedDeal } from '../activities';
import type { Actor } from '../domain/deal-schema';
import type { Sop } from '../domain/sop-schema';
import { MIGRATION_STEP } from './activity-options';
import { cancelMigrationUpdate, MAX_MIGRATION_DEALS, migrationStatusQuery, type MigrateRequest, type MigrationStatus } from './messages';

export interface MigrationInput {
  readonly migrationId: string;
  /** The version to move to, whole, as the registry holds it. */
  readonly sop: Sop;
  readonly stageMap: Record<string, string>;
  readonly fromVersions?: number[];
  /** Only these deals; absent: every open deal of the SOP, from visibility. */
  readonly dealIds?: string[];
  readonly actor: Actor;
  readonly startedAt: string;
  /** Continue-as-new after this many deals in one run (default `DEALS_PER_RUN`; tests use fewer). */
  readonly dealsPerRun?: number;
  readonly carried?: MigrationProgress;
}

/** What a run hands the next one. */
export interface MigrationProgress {
  readonly rows: MigratedDeal[];
  /** Deals listed and not yet sent the migration. */
  readonly queue: string[];
  readonly counts: MigrationStatus['counts'];
  /** Where the listing goes on in the current pass; null at its start. */
  readonly pageToken: string | null;
  /** 0: not listing (explicit `dealIds`); 1, 2, …: the pass over visibility in progress; past `MAX_PASSES`: listed. */
  readonly pass: number;
  /** Deals the current pass found that earlier ones had not. */
  readonly foundInPass: number;
  readonly truncated?: boolean;
}

const { listOpenDeals, migrateDeal } = proxyActivities<ReturnType<typeof createActivities>>(MIGRATION_STEP);

/** Deals sent the migration at once: enough to keep a worker busy, few enough to leave room for deals' own work. */
export const MIGRATION_CONCURRENCY = 10;
export const DEALS_PER_RUN = 500;
/**
 * Visibility lists a deal under its current run, and a deal that continues as new moves in the
 * order while the list is read: the list is read again until a pass finds no deal it had not seen.
 */
const MAX_PASSES = 3;

/**
 * One migration (`CONTRACT.md` v2.1): sends the migration to each deal, `MIGRATION_CONCURRENCY` at a
 * time, records each outcome, continues as new every `DEALS_PER_RUN` deals, stops when cancelled.
 * Each deal applies it at most once, whatever is retried (see `migrateDeal`).
 */
export async function sopMigrationWorkflow(input: MigrationInput): Promise<MigrationStatus> {
  const carried = input.carried;
  const rows: MigratedDeal[] = [...(carried?.rows ?? [])];
  const queue: string[] = carried ? [...carried.queue] : [...new Set(input.dealIds ?? [])];
  const seen = new Set([...rows.map((row) => row.dealId), ...queue]);
  const counts = { ...(carried?.counts ?? { total: queue.length, migrated: 0, refused: 0, skipped: 0, pending: queue.length }) };
  const listing = {
    pageToken: carried?.pageToken ?? null,
    pass: carried?.pass ?? (input.dealIds ? 0 : 1),
    found: carried?.foundInPass ?? 0,
  };
  let finishedAt: string | null = null;
  let truncated = carried?.truncated ?? false;
  let cancelled = false;
  const inFlight = new Set<string>();
  let sentThisRun = 0;

  const request: MigrateRequest = {
    migrationId: input.migrationId,
    sop: input.sop,
    stageMap: input.stageMap,
    ...(input.fromVersions && { fromVersions: input.fromVersions }),
    actor: input.actor,
  };
  const status = (): MigrationStatus => ({
    migrationId: input.migrationId,
    sopId: input.sop.id,
    toVersion: input.sop.version,
    status: cancelled ? 'cancelled' : finishedAt ? 'completed' : 'running',
    counts: { ...counts, pending: counts.total - counts.migrated - counts.refused - counts.skipped },
    deals: [
      ...rows.map(({ dealId, outcome, reason }) => ({ dealId, outcome, reason })),
      ...[...inFlight, ...queue].map((dealId) => ({ dealId, outcome: 'pending' as const, reason: null })),
    ],
    startedAt: input.startedAt,
    finishedAt,
    ...(truncated && { truncated }),
  });
  setHandler(migrationStatusQuery, status);
  setHandler(cancelMigrationUpdate, () => {
    cancelled = true;
    return status();
  });

  const record = (row: MigratedDeal): void => {
    counts[row.outcome] += 1;
    rows.push(row);
  };
  const send = (dealId: string): void => {
    inFlight.add(dealId);
    sentThisRun += 1;
    void migrateDeal({ dealId, request })
      .then(
        (row) => record(row),
        (error: unknown) => record({ dealId, outcome: 'refused', reason: error instanceof Error ? error.message : String(error) }),
      )
      .finally(() => inFlight.delete(dealId));
  };
  /** The next page of the list; at its end, the next pass over it, if this one found anything new. */
  const listMore = async (): Promise<void> => {
    const page = await listOpenDeals({ sopId: input.sop.id, pageToken: listing.pageToken });
    for (const { dealId, sopVersion } of page.deals) {
      if (seen.has(dealId)) continue;
      if (counts.total >= MAX_MIGRATION_DEALS) {
        truncated = true;
        break;
      }
      seen.add(dealId);
      // Deals the listing shows on the target version already are counted where they stand, without a call.
      if (sopVersion === input.sop.version) {
        counts.total += 1;
        record({ dealId, outcome: 'skipped', reason: 'already_on_version' });
        continue;
      }
      queue.push(dealId);
      counts.total += 1;
      listing.found += 1;
    }
    listing.pageToken = truncated ? null : page.nextPageToken;
    if (truncated) listing.pass = MAX_PASSES + 1;
    else if (listing.pageToken === null) {
      listing.pass = listing.found === 0 ? MAX_PASSES + 1 : listing.pass + 1;
      listing.found = 0;
    }
  };

  while (!cancelled) {
    if (queue.length === 0 && listing.pass > 0 && listing.pass <= MAX_PASSES) {
      await listMore();
      continue;
    }
    if (queue.length === 0) {
      await condition(() => cancelled || inFlight.size === 0);
      if (inFlight.size === 0) break;
      continue;
    }
    while (inFlight.size < MIGRATION_CONCURRENCY && queue.length > 0) send(queue.shift() as string);
    if (sentThisRun >= (input.dealsPerRun ?? DEALS_PER_RUN) || workflowInfo().continueAsNewSuggested) {
      await condition(() => inFlight.size === 0 && allHandlersFinished());
      if (cancelled) break;
      const progress: MigrationProgress = {
        rows,
        queue,
        counts,
        pageToken: listing.pageToken,
        pass: listing.pass,
        foundInPass: listing.found,
        truncated,
      };
      return continueAsNew<typeof sopMigrationWorkflow>({ ...input, carried: progress });
    }
    await condition(() => cancelled || inFlight.size < MIGRATION_CONCURRENCY);
  }
  // Cancelled: what is in flight finishes; what is queued is left alone.
  await condition(() => inFlight.size === 0);
  finishedAt = new Date(Date.now()).toISOString();
  await condition(allHandlersFinished);
  return status();
}
