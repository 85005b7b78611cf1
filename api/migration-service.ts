import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { openDealsPage } from '../activities';
import { canonicalJson, stableDigest, type Actor, type MigrationRow, type Problem, type Sop } from '../domain';
import type { MigrationInput } from '../workflows/sop-migration';
import {
  MAX_MIGRATION_DEALS,
  cancelMigrationUpdate,
  dealWorkflowId,
  migrationPreviewQuery,
  migrationStatusQuery,
  migrationWorkflowId,
  SOP_MIGRATION_WORKFLOW,
  type MigrateRequest,
  type MigrationStatus,
} from '../workflows/messages';
import { inParallel } from './in-parallel';
import { ProblemError, problems } from './problem';
import type { MigrationBody } from './schemas';
import type { SopService } from './sop-service';
import { withinDeadline } from './temporal-connection';
import { resendingLostUpdates } from './temporal-errors';

/** A dry run's answer (`CONTRACT.md` v2.1). */
export interface DryRun {
  toVersion: number;
  counts: { migrate: number; refuse: number; skip: number };
  deals: Array<Omit<MigrationRow, 'alreadyApplied'> | (Omit<MigrationRow, 'fromVersion'> & { fromVersion: number | null })>;
}

/** Deals a dry run asks at once. */
const PREVIEW_CONCURRENCY = 16;

/** Migrations seen from the API: checked against the registry, previewed by the deals, run by `sopMigrationWorkflow`. */
export class MigrationService {
  constructor(
    private readonly client: Client,
    private readonly sops: SopService,
    private readonly taskQueue: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private bounded<T>(call: () => Promise<T>): Promise<T> {
    return withinDeadline(this.client, this.timeoutMs, call);
  }

  /**
   * Checks the request against the published versions: every problem at once, each with its path.
   * Returns the version it moves deals to.
   */
  async check(sopId: string, body: MigrationBody): Promise<Sop> {
    const latest = await this.sops.get(sopId);
    if (!latest) throw problems.notFound(`No SOP "${sopId}" is published.`);
    const found: Problem[] = [];
    // One read of the published versions: nothing below is looked up that is not published.
    const published = new Set(await this.sops.versions(sopId));
    const to = published.has(body.toVersion) ? await this.sops.get(sopId, body.toVersion) : null;
    if (!to) found.push({ path: 'toVersion', message: `version ${body.toVersion} of "${sopId}" is not published` });
    const wanted = body.fromVersions ?? [...published].filter((version) => version < body.toVersion);
    const from: Sop[] = [];
    for (const [index, version] of wanted.entries()) {
      const where = body.fromVersions ? `fromVersions.${index}` : 'toVersion';
      if (version >= body.toVersion) {
        found.push({ path: where, message: `toVersion must be above every fromVersion; ${version} is not below ${body.toVersion}` });
        continue;
      }
      const sop = published.has(version) ? await this.sops.get(sopId, version) : null;
      if (sop) from.push(sop);
      else if (body.fromVersions) found.push({ path: where, message: `version ${version} of "${sopId}" is not published` });
    }
    if (body.fromVersions === undefined && from.length === 0 && to) {
      found.push({ path: 'toVersion', message: `"${sopId}" has no published version below ${body.toVersion} to migrate from` });
    }
    for (const [oldStage, newStage] of Object.entries(body.stageMap ?? {})) {
      if (from.length > 0 && !from.some((sop) => sop.stages.some((stage) => stage.id === oldStage))) {
        found.push({ path: `stageMap.${oldStage}`, message: `no version migrated from has a stage "${oldStage}"` });
      }
      if (to && !to.stages.some((stage) => stage.id === newStage)) {
        found.push({ path: `stageMap.${oldStage}`, message: `version ${to.version} has no stage "${newStage}"` });
      }
    }
    if (found.length > 0 || !to) throw problems.validation(found, 'The migration cannot run as asked; see errors.');
    return to;
  }

  private request(sopId: string, body: MigrationBody, to: Sop, actor: Actor): MigrateRequest {
    return {
      migrationId: migrationIdOf(sopId, body),
      sop: to,
      stageMap: body.stageMap ?? {},
      ...(body.fromVersions && { fromVersions: body.fromVersions }),
      actor,
    };
  }

  /** What the migration would do, deal by deal, asked of each deal now: the code that migrates, nothing changed. */
  async dryRun(sopId: string, body: MigrationBody, actor: Actor): Promise<DryRun> {
    const to = await this.check(sopId, body);
    const request = this.request(sopId, body, to, actor);
    const dealIds = body.dealIds ? [...new Set(body.dealIds)] : await this.openDeals(sopId);
    const at = new Date().toISOString();
    const rows = await inParallel(dealIds, PREVIEW_CONCURRENCY, (dealId) => this.preview(dealId, request, at));
    const count = (outcome: string) => rows.filter((row) => row.outcome === outcome).length;
    return { toVersion: to.version, counts: { migrate: count('migrate'), refuse: count('refuse'), skip: count('skip') }, deals: rows };
  }

  private async openDeals(sopId: string): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | null = null;
    do {
      const page = await this.bounded(() => openDealsPage(this.client, sopId, pageToken));
      ids.push(...page.deals.map((deal) => deal.dealId));
      pageToken = page.nextPageToken;
    } while (pageToken && ids.length < MAX_MIGRATION_DEALS);
    return [...new Set(ids)].slice(0, MAX_MIGRATION_DEALS);
  }

  private async preview(dealId: string, request: MigrateRequest, at: string): Promise<DryRun['deals'][number]> {
    try {
      const { alreadyApplied: _repeat, ...row } = await this.bounded(() =>
        this.client.workflow.getHandle(dealWorkflowId(dealId)).query(migrationPreviewQuery, request, at),
      );
      return row;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      const none = {
        fromVersion: null,
        fromStage: null,
        toStage: null,
        warnAt: null,
        breachAt: null,
        missingDeliverables: [],
        firesAtOnce: [],
      };
      return { dealId, outcome: 'skip', reason: 'unknown_deal', ...none };
    }
  }

  /** Starts the migration's workflow: 409 `migration_running` while the same request runs. */
  async start(sopId: string, body: MigrationBody, actor: Actor): Promise<{ migrationId: string; status: 'running' }> {
    const to = await this.check(sopId, body);
    const request = this.request(sopId, body, to, actor);
    const input: MigrationInput = {
      migrationId: request.migrationId,
      sop: to,
      stageMap: request.stageMap,
      ...(request.fromVersions && { fromVersions: request.fromVersions }),
      ...(body.dealIds && { dealIds: [...new Set(body.dealIds)] }),
      actor,
      startedAt: new Date().toISOString(),
    };
    try {
      await this.bounded(() =>
        this.client.workflow.start(SOP_MIGRATION_WORKFLOW, {
          workflowId: migrationWorkflowId(request.migrationId),
          taskQueue: this.taskQueue,
          args: [input],
          // A finished migration may run again (deals it moved answer as moved); a running one may not.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        }),
      );
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new ProblemError(
          409,
          'Conflict',
          `This migration (${request.migrationId}) is already running; follow it at /v1/migrations/${request.migrationId}.`,
          'migration_running',
        );
      }
      throw error;
    }
    return { migrationId: request.migrationId, status: 'running' };
  }

  /** The migration's progress: its workflow's own report, running or closed. */
  async status(migrationId: string): Promise<MigrationStatus> {
    const handle = this.client.workflow.getHandle(migrationWorkflowId(migrationId));
    try {
      return await this.bounded(async () => {
        const { status } = await handle.describe();
        return status.name === 'COMPLETED' ? ((await handle.result()) as MigrationStatus) : await handle.query(migrationStatusQuery);
      });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw unknownMigration(migrationId);
      throw error;
    }
  }

  /** Stops a running migration; a finished one is answered as it stands. */
  async cancel(migrationId: string): Promise<MigrationStatus> {
    const handle = this.client.workflow.getHandle(migrationWorkflowId(migrationId));
    const current = await this.status(migrationId);
    if (current.status !== 'running') return current;
    try {
      return await this.bounded(() => resendingLostUpdates(() => handle.executeUpdate(cancelMigrationUpdate)));
    } catch (error) {
      // It finished in the meantime.
      if (error instanceof WorkflowNotFoundError) return this.status(migrationId);
      throw error;
    }
  }
}

function unknownMigration(migrationId: string): ProblemError {
  return new ProblemError(404, 'Not Found', `No migration "${migrationId}".`, 'unknown_migration');
}

/** The id of a migration: the same request again (whatever its `dryRun`) is the same migration. */
export function migrationIdOf(sopId: string, body: MigrationBody): string {
  const { dryRun: _dryRun, ...request } = body;
  const normal = {
    ...request,
    fromVersions: request.fromVersions && [...new Set(request.fromVersions)].sort((a, b) => a - b),
    dealIds: request.dealIds && [...new Set(request.dealIds)].sort(),
  };
  return `mig_${stableDigest(canonicalJson({ sopId, ...normal })).slice(0, 24)}`;
}
