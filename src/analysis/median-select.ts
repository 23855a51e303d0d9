// The median of a window by selection (Hoare's FIND, quickselect), in place: O(n) on average
// against the O(n log n) of a sort, for the per-agent latency baseline the registry takes for every
// agent at every step (1,000 agents × 120 points: ~5 µs an agent saved).

/**
 * Median of values[0 .. n − 1] (NaN when n is 0): the middle value, or the mean of the two middle
 * values when n is even, exactly as sorting would give. Reorders those n values; they must not be
 * NaN (filter them first).
 */
export function medianInPlace(values: Float64Array, n: number): number {
  if (n <= 0) return Number.NaN;
  const h = n >> 1;
  const upper = selectInPlace(values, n, h);
  if (n % 2 === 1) return upper;
  // After the selection every value below index h is ≤ the h-th smallest: the lower middle is their largest.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < h; i += 1) {
    const v = values[i] as number;
    if (v > lower) lower = v;
  }
  return (lower + upper) / 2;
}

/**
 * The k-th smallest (0-based) of values[0 .. n − 1], moving it to index k with every value ≤ it before
 * and every value ≥ it after (Hoare partitioning around the middle element; ties split both ways,
 * so runs of equal values do not degrade it).
 */
export function selectInPlace(values: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >> 1] as number;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const t = values[i] as number;
        values[i] = values[j] as number;
        values[j] = t;
        i += 1;
        j -= 1;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k] as number;
  }
  return values[k] as number;
}
