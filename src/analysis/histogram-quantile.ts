// Quantile of a classic Prometheus histogram from its cumulative buckets (PromQL histogram_quantile).

/** One cumulative bucket: observations ≤ `upperBound`. */
export interface Bucket {
  readonly upperBound: number;
  readonly count: number;
}

/**
 * The q-quantile, q in [0, 1], by linear interpolation inside the bucket holding the rank, as
 * Prometheus' bucketQuantile (promql/quantile.go) does: the lowest bucket starts at 0 when its
 * upper bound is positive; a rank in the +Inf bucket gives the highest finite bound. Buckets
 * may come unsorted; duplicate bounds are merged and counts forced monotonic (scrapes are not
 * atomic). Undefined (never 0) when there is no +Inf bucket, fewer than two buckets, or no
 * observations, where PromQL returns NaN.
 */
export function histogramQuantile(q: number, input: readonly Bucket[]): number | undefined {
  if (!(q >= 0 && q <= 1)) return undefined;
  const sorted = [...input]
    .filter((b) => !Number.isNaN(b.upperBound) && Number.isFinite(b.count))
    .sort((a, b) => a.upperBound - b.upperBound);
  const last = sorted[sorted.length - 1];
  if (last === undefined || last.upperBound !== Infinity) return undefined;
  // Coalesce equal bounds (summing counts) and make counts monotonic.
  const buckets: { upperBound: number; count: number }[] = [];
  for (const b of sorted) {
    const previous = buckets[buckets.length - 1];
    if (previous && previous.upperBound === b.upperBound) previous.count += b.count;
    else buckets.push({ upperBound: b.upperBound, count: b.count });
  }
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count < max) b.count = max;
    else max = b.count;
  }
  if (buckets.length < 2) return undefined;
  const observations = buckets[buckets.length - 1]?.count ?? 0;
  if (!(observations > 0)) return undefined;
  let rank = q * observations;
  let index = buckets.findIndex((b, i) => i < buckets.length - 1 && b.count >= rank);
  if (index < 0) index = buckets.length - 1;
  if (index === buckets.length - 1) return buckets[buckets.length - 2]?.upperBound;
  const bucket = buckets[index];
  if (bucket === undefined) return undefined;
  if (index === 0 && bucket.upperBound <= 0) return bucket.upperBound;
  let start = 0;
  let count = bucket.count;
  const below = buckets[index - 1];
  if (below !== undefined) {
    start = below.upperBound;
    count -= below.count;
    rank -= below.count;
  }
  // An empty bucket can only hold rank 0 (q = 0): answer its lower edge rather than PromQL's 0/0.
  return count > 0 ? start + (bucket.upperBound - start) * (rank / count) : start;
}
