/**
 * Durations kept for percentiles in bounded space: every value exactly up to `EXACT_LIMIT`
 * samples, and always a log-bucketed histogram (buckets 5% wide), which answers once there are more.
 * Plain JSON, so it travels through continue-as-new and queries.
 */
export interface Samples {
  readonly count: number;
  /** Every value while `count <= EXACT_LIMIT`; null after. */
  readonly exact: readonly number[] | null;
  /** Bucket index → how many values fell in it. */
  readonly buckets: Readonly<Record<string, number>>;
}

export const EXACT_LIMIT = 1_000;
const GROWTH = 1.05;

export const noSamples: Samples = { count: 0, exact: [], buckets: {} };

function bucketOf(value: number): number {
  return value < 1 ? 0 : Math.floor(Math.log(value) / Math.log(GROWTH)) + 1;
}

/** A value inside the bucket, within 2.5% of every value that fell in it. */
function bucketValue(bucket: number): number {
  return bucket === 0 ? 0 : Math.round(Math.pow(GROWTH, bucket - 0.5));
}

export function addSample(samples: Samples, value: number): Samples {
  const bucket = String(bucketOf(value));
  const count = samples.count + 1;
  return {
    count,
    exact: samples.exact && count <= EXACT_LIMIT ? [...samples.exact, value] : null,
    buckets: { ...samples.buckets, [bucket]: (samples.buckets[bucket] ?? 0) + 1 },
  };
}

/**
 * The nearest-rank percentile (`p` in 0..1): the smallest value that at least `p` of the samples
 * are at or below. Exact while every value is kept; within 2.5% after. Null with no samples.
 */
export function percentile(samples: Samples, p: number): number | null {
  if (samples.count === 0) return null;
  const rank = Math.max(1, Math.ceil(p * samples.count));
  if (samples.exact) return [...samples.exact].sort((a, b) => a - b)[rank - 1];
  let seen = 0;
  const buckets = Object.keys(samples.buckets)
    .map(Number)
    .sort((a, b) => a - b);
  for (const bucket of buckets) {
    seen += samples.buckets[String(bucket)];
    if (seen >= rank) return bucketValue(bucket);
  }
  return bucketValue(buckets[buckets.length - 1]);
}

/** Two sets of samples as one: exact while both are and the sum stays within `EXACT_LIMIT`. */
export function mergeSamples(a: Samples, b: Samples): Samples {
  const count = a.count + b.count;
  const buckets: Record<string, number> = { ...a.buckets };
  for (const [bucket, n] of Object.entries(b.buckets)) buckets[bucket] = (buckets[bucket] ?? 0) + n;
  return { count, exact: a.exact && b.exact && count <= EXACT_LIMIT ? [...a.exact, ...b.exact] : null, buckets };
}

/** A range of durations and how many samples fell in it; `toMs` null for the last, open-ended one. */
export interface Bin {
  readonly fromMs: number;
  readonly toMs: number | null;
  readonly count: number;
}

const HOUR_MS = 3_600_000;
/** Edges of the time-in-stage distribution: an hour, four, a day, two, four, a week, two, a month. */
export const DISTRIBUTION_EDGES: readonly number[] = [
  0,
  HOUR_MS,
  4 * HOUR_MS,
  24 * HOUR_MS,
  48 * HOUR_MS,
  96 * HOUR_MS,
  168 * HOUR_MS,
  336 * HOUR_MS,
  720 * HOUR_MS,
];

/** The samples counted into the distribution's ranges: exact values while kept, the histogram's after (±2.5%). */
export function distribution(samples: Samples, edges: readonly number[] = DISTRIBUTION_EDGES): Bin[] {
  const counts = edges.map(() => 0);
  const add = (value: number, n: number) => {
    let index = edges.length - 1;
    while (index > 0 && value < edges[index]) index--;
    counts[index] += n;
  };
  if (samples.exact) for (const value of samples.exact) add(value, 1);
  else for (const [bucket, n] of Object.entries(samples.buckets)) add(bucketValue(Number(bucket)), n);
  return edges.map((fromMs, i) => ({ fromMs, toMs: i + 1 < edges.length ? edges[i + 1] : null, count: counts[i] }));
}
