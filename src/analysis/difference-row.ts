// First differences of windows, the series the cross-agent correlation is computed on: d_t = x_t − x_{t−1},
// defined only where both steps are observed (a gap at t or t − 1 makes d_t a gap). Levels of trending
// series correlate spuriously (two independent random walks often reach |r| > 0.5); their changes do not.

/**
 * Differences of a ring in ring order (every ring of a swarm shares one head, so index t of one
 * differenced ring and of another are the same change): out[t] = ring[t] − ring[t − 1 mod W], NaN at
 * the oldest filled index (its predecessor left the window) and wherever either value is a gap.
 * `oldest` = (head − filled) mod W. Returns `out`.
 */
export function differenceRing(ring: ArrayLike<number>, oldest: number, out: Float64Array): Float64Array {
  const w = ring.length;
  let previous = ring[w - 1] as number;
  for (let t = 0; t < w; t += 1) {
    const x = ring[t] as number;
    // NaN − anything is NaN: a gap on either side gives a gap.
    out[t] = x - previous;
    previous = x;
  }
  if (oldest >= 0 && oldest < w) out[oldest] = NaN;
  return out;
}

/** Differences of a chronological series: out has length − 1 values, out[t] = x[t + 1] − x[t]. */
export function differenceSeries(x: ArrayLike<number>, out: Float64Array = new Float64Array(Math.max(0, x.length - 1))): Float64Array {
  for (let t = 1; t < x.length; t += 1) out[t - 1] = (x[t] as number) - (x[t - 1] as number);
  return out;
}

/**
 * Lag-1 autocorrelation of a differenced ring over the steps where d_t and d_{t+1} are both
 * observed (ring order starting at `oldest`), the usual estimator Σ(d_t − d̄)(d_{t+1} − d̄) / Σ(d_t − d̄)²
 * with d̄ and the denominator over the row's observed values. NaN with fewer than 3 observed values
 * or a constant row.
 */
export function lagOneAutocorrelation(d: ArrayLike<number>, oldest: number): number {
  const w = d.length;
  let count = 0;
  let sum = 0;
  for (let t = 0; t < w; t += 1) {
    const v = d[t] as number;
    if (v === v) {
      count += 1;
      sum += v;
    }
  }
  return lagOneFromSums(d, oldest, count, sum);
}

/** lagOneAutocorrelation when the count of observed values and their sum (in index order) are known already. */
function lagOneFromSums(d: ArrayLike<number>, oldest: number, count: number, sum: number): number {
  const w = d.length;
  if (count < 3) return NaN;
  const mean = sum / count;
  // Ring order from `oldest`: [oldest, w) then [0, oldest), without a division per step.
  const start = oldest >= 0 && oldest < w ? oldest : ((oldest % w) + w) % w;
  const acc = { ss: 0, cross: 0, previous: NaN };
  lagOneSums(d, start, w, mean, acc);
  lagOneSums(d, 0, start, mean, acc);
  return acc.ss > 0 ? acc.cross / acc.ss : NaN;
}

/**
 * lagOneAutocorrelation from one pass's moments of a row's observed changes c (shifted by any
 * constant; the result does not depend on it): their count, Σc, Σc², and over the `pairs` adjacent
 * observed pairs (c_t, c_{t+1}) the sums Σc_t·c_{t+1}, Σc_t and Σc_{t+1}. With the mean m = Σc/count,
 * Σ(c_t − m)(c_{t+1} − m) = Σc_t·c_{t+1} − m·(Σc_t + Σc_{t+1}) + pairs·m², over Σ(c − m)² = Σc² − count·m².
 */
export function lagOneFromMoments(
  count: number,
  sum: number,
  sumSquares: number,
  pairs: number,
  cross: number,
  firsts: number,
  seconds: number,
): number {
  if (count < 3) return NaN;
  const mean = sum / count;
  const ss = sumSquares - count * mean * mean;
  return ss > 0 ? (cross - mean * (firsts + seconds) + pairs * mean * mean) / ss : NaN;
}

/** Adds d[from, to)'s centred squares and lag-1 products to `acc`, continuing from acc.previous. */
function lagOneSums(
  d: ArrayLike<number>,
  from: number,
  to: number,
  mean: number,
  acc: { ss: number; cross: number; previous: number },
): void {
  let { ss, cross, previous } = acc;
  for (let t = from; t < to; t += 1) {
    const v = d[t] as number;
    if (v === v) {
      const c = v - mean;
      ss += c * c;
      if (previous === previous) cross += previous * c;
      previous = c;
    } else previous = NaN;
  }
  acc.ss = ss;
  acc.cross = cross;
  acc.previous = previous;
}
