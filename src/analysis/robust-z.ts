// Robust z-score of a value against a window: the modified z-score of Iglewicz & Hoaglin
// ("How to Detect and Handle Outliers", ASQC 1993), z = 0.6745·(x − median)/MAD, i.e.
// (x − median)/(1.4826·MAD) where 1.4826 = 1/Φ⁻¹(3/4) makes MAD estimate σ for normal data.
//
// MAD = 0 (more than half the window on one value) has a documented fallback, as IBM SPSS
// Modeler does: the mean absolute deviation around the median scaled by √(π/2) ≈ 1.2533 (which
// also estimates σ for normal data); if that is 0 too, every point equals the median and the
// score is 0 for x = median, else ±Z_CAP.

/** 1/Φ⁻¹(3/4): MAD × this estimates σ of normal data. */
export const MAD_SCALE = 1.4826;
/** √(π/2): mean absolute deviation × this estimates σ of normal data. */
export const MEAN_AD_SCALE = 1.2533;
/** Scores are clamped to ±Z_CAP: beyond any sensible threshold, and always finite. */
export const Z_CAP = 1000;

/** Robust z of x from the window's median, MAD and mean absolute deviation around the median. */
export function robustZFromStats(x: number, median: number, mad: number, meanAbsDev: number): number {
  const d = x - median;
  let z: number;
  if (mad > 0) z = d / (MAD_SCALE * mad);
  else if (meanAbsDev > 0) z = d / (MEAN_AD_SCALE * meanAbsDev);
  else z = d === 0 ? 0 : Math.sign(d) * Z_CAP;
  if (z !== z) return NaN;
  return Math.max(-Z_CAP, Math.min(Z_CAP, z));
}

export interface RobustStats {
  /** Finite points used. */
  readonly count: number;
  readonly median: number;
  /** Median absolute deviation from the median (unscaled). */
  readonly mad: number;
  /** Mean absolute deviation from the median. */
  readonly meanAbsDev: number;
}

/** Median, MAD and mean absolute deviation of the finite values (sorting a copy, O(W log W)). */
export function robustStats(values: ArrayLike<number>): RobustStats {
  const sorted = Float64Array.from(Array.prototype.filter.call(values, (v: number) => Number.isFinite(v)) as number[]).sort();
  const count = sorted.length;
  if (count === 0) return { count, median: NaN, mad: NaN, meanAbsDev: NaN };
  const median = medianOfSorted(sorted);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort();
  let sum = 0;
  for (const d of deviations) sum += d;
  return { count, median, mad: medianOfSorted(deviations), meanAbsDev: sum / count };
}

/**
 * Robust z of `x` against `window` (which normally includes x as its latest point). NaN when x is
 * not finite or the window has fewer than `minPoints` finite points.
 */
export function robustZ(window: ArrayLike<number>, x: number, minPoints = 3): number {
  if (!Number.isFinite(x)) return NaN;
  const s = robustStats(window);
  if (s.count < minPoints) return NaN;
  return robustZFromStats(x, s.median, s.mad, s.meanAbsDev);
}

function medianOfSorted(s: Float64Array): number {
  const c = s.length;
  const h = c >> 1;
  return c % 2 === 1 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
}
