// One agent's metric × metric correlations (M ≤ 8 metrics, so M(M−1)/2 ≤ 28 pairs): which of its
// own signals move together (e.g. queue_depth with response_time).
import { defaultMinOverlap } from './correlation-matrix.js';
import { normaliseRow, ROW_COMPLETE, ROW_GAPPED, ROW_INVALID, type RowState } from './normalise-row.js';
import { pairCount } from './packed-triangle.js';
import { pearsonPairwise } from './pearson-pair.js';

export interface MetricCorrelationOptions {
  /** Least common points per pair; default half the window, at least 3. */
  readonly minOverlap?: number;
  /** Work space of at least M·W values, reused across agents to spare the garbage collector. */
  readonly scratch?: Float64Array;
  /** Where to write the M(M−1)/2 results; default a new array. */
  readonly out?: Float64Array;
}

/**
 * `series[m]` is the agent's window for metric m (all the same length and step alignment; NaN =
 * gap). Returns the packed upper triangle over metrics (packed-triangle.ts): r in [−1, 1], NaN
 * where a pair has fewer than `minOverlap` common points or a constant side. Pairs whose windows
 * have the same gaps (none, or a late joiner's missing start) are dot products of normalised
 * windows, O(M·W + M²·W); other pairs with gaps fall back to the pairwise two-pass formula.
 */
export function metricCorrelation(series: readonly ArrayLike<number>[], options: MetricCorrelationOptions = {}): Float64Array {
  const m = series.length;
  const w = series[0]?.length ?? 0;
  const overlap = options.minOverlap ?? defaultMinOverlap(Math.max(2, w));
  const out = options.out ?? new Float64Array(pairCount(m));
  const z = options.scratch !== undefined && options.scratch.length >= m * w ? options.scratch : new Float64Array(m * w);
  const state: RowState[] = [];
  for (let a = 0; a < m; a += 1) {
    const row = series[a] as ArrayLike<number>;
    if (row.length !== w) throw new RangeError(`metricCorrelation: every series needs ${w} points, got ${row.length}`);
    state.push(normaliseRow(row, overlap, z, a * w));
  }
  let k = 0;
  for (let a = 0; a < m - 1; a += 1) {
    for (let b = a + 1; b < m; b += 1, k += 1) {
      if (state[a] === ROW_INVALID || state[b] === ROW_INVALID) out[k] = NaN;
      else if (
        (state[a] === ROW_COMPLETE && state[b] === ROW_COMPLETE) ||
        (state[a] === ROW_GAPPED && state[b] === ROW_GAPPED && sameGaps(series[a] as ArrayLike<number>, series[b] as ArrayLike<number>))
      ) {
        // Rows with the same gaps (a late joiner's metrics all start at its first push) are each
        // normalised over exactly their common points: the dot product is their pairwise-complete r.
        const dot = dotProduct(z, a * w, b * w, w);
        out[k] = dot > 1 ? 1 : dot < -1 ? -1 : dot;
      } else {
        out[k] = pearsonPairwise(series[a] as ArrayLike<number>, series[b] as ArrayLike<number>, overlap);
      }
    }
  }
  return out;
}

/** Σ z[ia + t]·z[ib + t] over t < w, four partial sums to keep the adder pipeline busy. */
function dotProduct(z: Float64Array, ia: number, ib: number, w: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < w; t += 4) {
    s0 += (z[ia + t] as number) * (z[ib + t] as number);
    s1 += (z[ia + t + 1] as number) * (z[ib + t + 1] as number);
    s2 += (z[ia + t + 2] as number) * (z[ib + t + 2] as number);
    s3 += (z[ia + t + 3] as number) * (z[ib + t + 3] as number);
  }
  for (; t < w; t += 1) s0 += (z[ia + t] as number) * (z[ib + t] as number);
  return s0 + s1 + (s2 + s3);
}

/** Whether x and y have their gaps (non-finite values, as normaliseRow reads them) at the same steps. */
function sameGaps(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  for (let t = 0; t < x.length; t += 1) if (Number.isFinite(x[t]) !== Number.isFinite(y[t])) return false;
  return true;
}
