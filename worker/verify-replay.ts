import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';

/** One workflow run picked for replay. */
export interface ReplayCandidate {
  readonly workflowId: string;
  readonly runId: string;
  readonly type: string;
}

export interface ReplayFailure extends ReplayCandidate {
  readonly error: string;
}

export interface ReplayReport {
  /** Runs the query matched. */
  readonly matched: number;
  readonly sampled: readonly ReplayCandidate[];
  readonly replayed: number;
  /** Runs whose history does not replay against this code: a deploy that would break them. */
  readonly failed: readonly ReplayFailure[];
  /** Runs whose history could not be read (gone since listing, or the server refused): not verified. */
  readonly unread: readonly ReplayFailure[];
}

/**
 * Up to `size` of the runs `query` matches, drawn uniformly over the whole listing (reservoir
 * sampling: a long-lived deal started under old code is as likely as a new one), and at least one of
 * each workflow type listed, so the SOP registry and the analytics are never left out by chance.
 */
export async function sampleRuns(
  client: Client,
  query: string,
  size: number,
  random: () => number = Math.random,
): Promise<{ matched: number; sample: ReplayCandidate[] }> {
  const sample: ReplayCandidate[] = [];
  const firstOfType = new Map<string, ReplayCandidate>();
  let matched = 0;
  for await (const execution of client.workflow.list({ query })) {
    const run = { workflowId: execution.workflowId, runId: execution.runId, type: execution.type };
    matched += 1;
    if (!firstOfType.has(run.type)) firstOfType.set(run.type, run);
    if (sample.length < size) sample.push(run);
    else {
      const slot = Math.floor(random() * matched);
      if (slot < size) sample[slot] = run;
    }
  }
  for (const [type, run] of firstOfType) {
    if (sample.some((picked) => picked.type === type)) continue;
    // Replace a run of a type the sample holds more than one of.
    const counts = new Map<string, number>();
    for (const picked of sample) counts.set(picked.type, (counts.get(picked.type) ?? 0) + 1);
    const slot = sample.findIndex((picked) => (counts.get(picked.type) ?? 0) > 1);
    if (slot === -1) sample.push(run);
    else sample[slot] = run;
  }
  return { matched, sample };
}

/** Downloads each run's history (`concurrency` at a time) and replays it against `bundle`, as a worker running that code would. */
export async function verifyReplay(options: {
  readonly client: Client;
  readonly query: string;
  readonly sampleSize: number;
  readonly bundle: WorkflowBundleOption;
  readonly concurrency?: number;
  readonly random?: () => number;
}): Promise<ReplayReport> {
  const { matched, sample } = await sampleRuns(options.client, options.query, options.sampleSize, options.random);
  const unread: ReplayFailure[] = [];
  const failed: ReplayFailure[] = [];
  const byRun = new Map(sample.map((run) => [run.runId, run]));
  let replayed = 0;
  const histories = fetchHistories(options.client, sample, options.concurrency ?? 8, (run, error) => unread.push({ ...run, error }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: options.bundle, replayName: 'verify-replay' }, histories)) {
    replayed += 1;
    if (!result.error) continue;
    const run = byRun.get(result.runId) ?? { workflowId: result.workflowId, runId: result.runId, type: 'unknown' };
    failed.push({ ...run, error: reason(result.error.message) });
  }
  return { matched, sampled: sample, replayed, failed, unread };
}

/** The core's own words when it gives them (`[TMPRL1100] Nondeterminism error: … does not handle HistoryEvent(…)`), else the whole message. */
function reason(message: string): string {
  return /message: "([^"]+)"/.exec(message)?.[1] ?? message;
}

/** The histories of `runs`, `concurrency` at a time, handed on as each batch arrives. */
async function* fetchHistories(
  client: Client,
  runs: readonly ReplayCandidate[],
  concurrency: number,
  onUnread: (run: ReplayCandidate, error: string) => void,
): AsyncGenerator<{ workflowId: string; history: temporal.api.history.v1.IHistory }> {
  for (let from = 0; from < runs.length; from += concurrency) {
    const batch = await Promise.all(
      runs.slice(from, from + concurrency).map((run) =>
        client.workflow
          .getHandle(run.workflowId, run.runId)
          .fetchHistory()
          .then(
            (history) => ({ workflowId: run.workflowId, history }),
            (error: unknown) => {
              onUnread(run, error instanceof Error ? error.message : String(error));
              return null;
            },
          ),
      ),
    );
    for (const fetched of batch) if (fetched) yield fetched;
  }
}
