// Pearson's r of one pair of series over their pairwise-complete points, by the two-pass
// (centred) formula, optionally with one series shifted by a lag.
//
// r = Σ(x−x̄)(y−ȳ) / √(Σ(x−x̄)² · Σ(y−ȳ)²), means taken over the points where both are finite
// (pairwise deletion, as R's cor(use = "pairwise.complete.obs") and pandas' DataFrame.corr do);
// a non-finite value (NaN marks a gap) drops its step.

/** Result is NaN when fewer than `minOverlap` common points exist or either side is constant there. */
export function pearsonPairwise(x: ArrayLike<number>, y: ArrayLike<number>, minOverlap = 3, lag = 0): number {
  // Pairs (x[t], y[t + lag]).
  const start = Math.max(0, -lag);
  const end = Math.min(x.length, y.length - lag);
  let n = 0;
  let sx = 0;
  let sy = 0;
  let firstX = NaN;
  let firstY = NaN;
  let variesX = false;
  let variesY = false;
  for (let t = start; t < end; t += 1) {
    const a = x[t] as number;
    const b = y[t + lag] as number;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    if (n === 0) {
      firstX = a;
      firstY = b;
    } else {
      if (a !== firstX) variesX = true;
      if (b !== firstY) variesY = true;
    }
    n += 1;
    // Relative to the first common point: exact for nearby values (Sterbenz), so 1e12 offsets
    // do not cost the mean its precision.
    sx += a - firstX;
    sy += b - firstY;
  }
  // Constant means exactly constant: any variation, however small, is real data.
  if (n < Math.max(2, minOverlap) || !variesX || !variesY) return NaN;
  let mx = sx / n;
  let my = sy / n;
  // A second pass refines the means (Chan, Golub & LeVeque 1983's corrected two-pass algorithm).
  let cx = 0;
  let cy = 0;
  for (let t = start; t < end; t += 1) {
    const a = x[t] as number;
    const b = y[t + lag] as number;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    cx += a - firstX - mx;
    cy += b - firstY - my;
  }
  mx += cx / n;
  my += cy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = start; t < end; t += 1) {
    const a = x[t] as number;
    const b = y[t + lag] as number;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    const dx = a - firstX - mx;
    const dy = b - firstY - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (!(sxx > 0) || !(syy > 0)) return NaN;
  const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  return Math.min(1, Math.max(-1, r));
}
