// One agent's metric × metric correlations (M ≤ 8 metrics, so M(M−1)/2 ≤ 28 pairs): which of its
// own signals move together (e.g. queue_depth with response_time).
import { defaultMinOverlap } from './correlation-matrix.js';
import { normaliseRow } from './normalise-row.js';
import { pairCount } from './packed-triangle.js';
import { pearsonPairwise } from './pearson-pair.js';

/**
 * `series[m]` is the agent's window for metric m (all the same length and step alignment; NaN =
 * gap). Returns the packed upper triangle over metrics (packed-triangle.ts): r in [−1, 1], NaN
 * where a pair has fewer than `minOverlap` common points or a constant side. Gap-free pairs are
 * dot products of normalised windows, O(M·W + M²·W); pairs with gaps fall back to the pairwise
 * two-pass formula.
 */
export function metricCorrelation(series: readonly ArrayLike<number>[], minOverlap?: number): Float64Array {
  const m = series.length;
  const w = series[0]?.length ?? 0;
  const overlap = minOverlap ?? defaultMinOverlap(Math.max(2, w));
  const out = new Float64Array(pairCount(m));
  const z = new Float64Array(m * w);
  const state = new Uint8Array(m); // 0 invalid, 1 valid without gaps, 2 valid with gaps
  for (let a = 0; a < m; a += 1) {
    const row = series[a] as ArrayLike<number>;
    if (row.length !== w) throw new RangeError(`metricCorrelation: every series needs ${w} points, got ${row.length}`);
    const result = normaliseRow(row, overlap, z, a * w);
    state[a] = !result.ok ? 0 : result.gaps ? 2 : 1;
  }
  let k = 0;
  for (let a = 0; a < m - 1; a += 1) {
    for (let b = a + 1; b < m; b += 1, k += 1) {
      if (state[a] === 0 || state[b] === 0) out[k] = NaN;
      else if (state[a] === 1 && state[b] === 1) {
        let dot = 0;
        const ia = a * w;
        const ib = b * w;
        for (let t = 0; t < w; t += 1) dot += (z[ia + t] as number) * (z[ib + t] as number);
        out[k] = dot > 1 ? 1 : dot < -1 ? -1 : dot;
      } else {
        out[k] = pearsonPairwise(series[a] as ArrayLike<number>, series[b] as ArrayLike<number>, overlap);
      }
    }
  }
  return out;
}
