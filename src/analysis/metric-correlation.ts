// One agent's metric × metric correlations (M ≤ 8 metrics, so M(M−1)/2 ≤ 28 pairs): which of its
// own signals move together (e.g. queue_depth with response_time).
import { defaultMinOverlap } from './correlation-matrix.js';
import { pairCount } from './packed-triangle.js';
import { pearsonPairwise } from './pearson-pair.js';

/**
 * `series[m]` is the agent's window for metric m (all the same length and step alignment; NaN =
 * gap). Returns the packed upper triangle over metrics (packed-triangle.ts): r in [−1, 1], NaN
 * where a pair has fewer than `minOverlap` common points or a constant side. O(M²·W).
 */
export function metricCorrelation(series: readonly ArrayLike<number>[], minOverlap?: number): Float64Array {
  const m = series.length;
  const w = series[0]?.length ?? 0;
  const overlap = minOverlap ?? defaultMinOverlap(Math.max(2, w));
  const out = new Float64Array(pairCount(m));
  let k = 0;
  for (let a = 0; a < m - 1; a += 1) {
    for (let b = a + 1; b < m; b += 1, k += 1) {
      out[k] = pearsonPairwise(series[a] as ArrayLike<number>, series[b] as ArrayLike<number>, overlap);
    }
  }
  return out;
}
