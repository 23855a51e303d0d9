// Independent references for the tests: textbook formulas written plainly, sharing no code with src/.

/**
 * Textbook two-pass Pearson r over the steps where both are finite; NaN when fewer than
 * minOverlap such steps or a side is constant there. Values are first taken relative to the first
 * common point (r is shift-invariant, and the subtraction is exact for nearby values), so 1e12
 * offsets do not swamp the mean.
 */
export function textbookPearson(x: readonly number[], y: readonly number[], minOverlap: number): number {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let t = 0; t < x.length; t += 1) {
    const a = x[t] as number;
    const b = y[t] as number;
    if (Number.isFinite(a) && Number.isFinite(b)) {
      xs.push(a);
      ys.push(b);
    }
  }
  if (xs.length < minOverlap || xs.length < 2) return NaN;
  const x0 = xs[0] as number;
  const y0 = ys[0] as number;
  if (xs.every((v) => v === x0) || ys.every((v) => v === y0)) return NaN;
  const dx = xs.map((v) => v - x0);
  const dy = ys.map((v) => v - y0);
  const mx = dx.reduce((s, v) => s + v, 0) / dx.length;
  const my = dy.reduce((s, v) => s + v, 0) / dy.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let k = 0; k < dx.length; k += 1) {
    const a = (dx[k] as number) - mx;
    const b = (dy[k] as number) - my;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Packed upper-triangle index of i < j among n. */
export function packed(n: number, i: number, j: number): number {
  return (i * (2 * n - i - 1)) / 2 + (j - i - 1);
}

/** Largest |a − b| over entries where the reference is finite; throws if NaN-ness differs. */
export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < expected.length; k += 1) {
    const e = expected[k] as number;
    const a = actual[k] as number;
    if (Number.isNaN(e) !== Number.isNaN(a)) throw new Error(`entry ${k}: expected ${e}, got ${a}`);
    if (!Number.isNaN(e)) worst = Math.max(worst, Math.abs(a - e));
  }
  return worst;
}
