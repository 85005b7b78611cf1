import { settle } from './cpu';
import { apiAct, apiRead, PLAIN_SOP, rawAct, rawRead, rawStart, sopSnapshot } from './deal-ops';
import { closedLoop, median, openLoop, percentile, spread, type Spread } from './load';
import type { Bench } from './setup';

export interface LatencyRound {
  readonly side: 'raw' | 'api';
  readonly round: number;
  readonly rate: number;
  readonly ops: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
}

export interface AddedLatency {
  readonly what: 'action' | 'read';
  readonly peakApiThroughput: number;
  readonly rate: number;
  readonly raw: { p50: number; p99: number };
  readonly api: { p50: number; p99: number };
  /** API − raw, paired by round. */
  readonly addedP50: Spread;
  readonly addedP99: Spread;
  readonly rounds: LatencyRound[];
}

export interface ActionSettings {
  readonly deals: number;
  readonly peakOps: number;
  readonly seconds: number;
  readonly rounds: number;
}

/** Opens the deals the actions and reads go to (raw starts, the quickest way in: the API start path is measured in the ladder). */
export async function openActionDeals(bench: Bench, count: number): Promise<{ ids: string[]; startRate: number }> {
  const sop = await sopSnapshot(bench, PLAIN_SOP);
  const ids: string[] = [];
  const run = await closedLoop(count, 16, (i) => rawStart(bench, sop, `acts-${i}`).then(() => void ids.push(`acts-${i}`)));
  if (ids.length === 0) throw new Error(`could not open the action deals: ${run.firstError}`);
  // Opening outruns the worker: the deals' first tasks must be done before actions are timed behind them.
  await settle(bench, 180_000);
  return { ids, startRate: ids.length / run.seconds };
}

/** Added latency of the API over raw updates / queries at half the API's peak throughput, A/B alternated. */
export async function runAddedLatency(
  bench: Bench,
  what: 'action' | 'read',
  ids: readonly string[],
  settings: ActionSettings,
  log: (line: string) => void,
): Promise<AddedLatency> {
  const offset = Math.floor(Math.random() * ids.length);
  const pick = (i: number) => ids[(offset + i) % ids.length];
  const sides = {
    raw: (i: number) => (what === 'action' ? rawAct(bench, pick(i)) : rawRead(bench, pick(i))),
    api: (i: number) => (what === 'action' ? apiAct(bench, pick(i)) : apiRead(bench, pick(i))),
  };
  const peak = await closedLoop(settings.peakOps, 32, sides.api, 10);
  if (peak.errors > 0) log(`  ${what} peak: ${peak.errors} errors, first: ${peak.firstError}`);
  const peakApiThroughput = (peak.ops - peak.errors) / peak.seconds;
  const rate = Math.max(1, Math.round(peakApiThroughput / 2));
  log(`  ${what}: API peak ${peakApiThroughput.toFixed(0)} ops/s at concurrency 32; measuring at ${rate} ops/s`);
  await settle(bench, 60_000);
  const rounds: LatencyRound[] = [];
  for (let round = -1; round < settings.rounds; round += 1) {
    const order = round % 2 === 0 ? (['raw', 'api'] as const) : (['api', 'raw'] as const);
    for (const side of order) {
      const run = await openLoop(rate, round < 0 ? Math.min(2, settings.seconds) : settings.seconds, sides[side]);
      if (run.errors > 0) log(`  ${what} ${side}: ${run.errors} errors, first: ${run.firstError}`);
      const entry = {
        side,
        round,
        rate,
        ops: run.ops,
        errors: run.errors,
        p50: percentile(run.latencies, 50),
        p99: percentile(run.latencies, 99),
      };
      log(
        `  ${what} round ${round < 0 ? 'warm-up' : round} ${side.padEnd(3)} p50 ${entry.p50.toFixed(2)} ms  p99 ${entry.p99.toFixed(2)} ms`,
      );
      if (round >= 0) rounds.push(entry);
      await settle(bench);
    }
  }
  const raw = rounds.filter((r) => r.side === 'raw');
  const api = rounds.filter((r) => r.side === 'api');
  return {
    what,
    peakApiThroughput,
    rate,
    raw: { p50: median(raw.map((r) => r.p50)), p99: median(raw.map((r) => r.p99)) },
    api: { p50: median(api.map((r) => r.p50)), p99: median(api.map((r) => r.p99)) },
    addedP50: spread(api.map((r, i) => r.p50 - raw[i].p50)),
    addedP99: spread(api.map((r, i) => r.p99 - raw[i].p99)),
    rounds,
  };
}
