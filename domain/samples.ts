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
