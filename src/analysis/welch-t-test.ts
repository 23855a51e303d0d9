// A/B comparison of a variant against the baseline: Welch's unequal-variance t-test (Welch,
// Biometrika 34, 1947) with Welch–Satterthwaite degrees of freedom, and the effect ratio.
//   t = (m_v − m_b)/√(s_v²/n_v + s_b²/n_b)
//   ν = (s_v²/n_v + s_b²/n_b)² / ((s_v²/n_v)²/(n_v − 1) + (s_b²/n_b)²/(n_b − 1))
import { studentTTwoSided } from './student-t.js';

export type WelchResult =
  | {
      readonly valid: true;
      readonly meanBaseline: number;
      readonly meanVariant: number;
      readonly nBaseline: number;
      readonly nVariant: number;
      /** t statistic, positive when the variant's mean is higher. */
      readonly t: number;
      /** Welch–Satterthwaite degrees of freedom. */
      readonly df: number;
      /** Two-sided p-value in [0, 1]. */
      readonly pValue: number;
      /** mean_variant / mean_baseline − 1 (−0.3 = 30 % lower); NaN when the baseline mean is 0. */
      readonly effectRatio: number;
    }
  | { readonly valid: false; readonly reason: 'too_few_samples' | 'no_variance' };

interface Moments {
  readonly n: number;
  readonly mean: number;
  /** Sample variance (n − 1 denominator). */
  readonly variance: number;
}

function moments(values: ArrayLike<number>): Moments {
  let n = 0;
  let sum = 0;
  let first = NaN;
  for (let i = 0; i < values.length; i += 1) {
    const x = values[i] as number;
    if (!Number.isFinite(x)) continue;
    if (n === 0) first = x;
    n += 1;
    sum += x - first;
  }
  if (n === 0) return { n, mean: NaN, variance: NaN };
  const shiftedMean = sum / n;
  let ss = 0;
  let c = 0;
  for (let i = 0; i < values.length; i += 1) {
    const x = values[i] as number;
    if (!Number.isFinite(x)) continue;
    const d = x - first - shiftedMean;
    ss += d * d;
    c += d;
  }
  // Corrected two-pass variance (Chan, Golub & LeVeque 1983).
  const variance = n > 1 ? (ss - (c * c) / n) / (n - 1) : NaN;
  return { n, mean: first + shiftedMean + c / n, variance: Math.max(0, variance) };
}

/**
 * Compares `variant` with `baseline` (samples, e.g. per-step values or per-agent means; NaN
 * ignored). Valid only with at least `minSamples` (default 5, at least 2) finite values on each
 * side and some variance.
 */
export function welchTTest(baseline: ArrayLike<number>, variant: ArrayLike<number>, minSamples = 5): WelchResult {
  const b = moments(baseline);
  const v = moments(variant);
  const need = Math.max(2, minSamples);
  if (b.n < need || v.n < need) return { valid: false, reason: 'too_few_samples' };
  const qb = b.variance / b.n;
  const qv = v.variance / v.n;
  const se2 = qb + qv;
  if (!(se2 > 0)) return { valid: false, reason: 'no_variance' };
  const t = (v.mean - b.mean) / Math.sqrt(se2);
  const df = (se2 * se2) / ((qb * qb) / (b.n - 1) + (qv * qv) / (v.n - 1));
  const pValue = studentTTwoSided(t, df);
  const effectRatio = b.mean === 0 ? NaN : v.mean / b.mean - 1;
  return { valid: true, meanBaseline: b.mean, meanVariant: v.mean, nBaseline: b.n, nVariant: v.n, t, df, pValue, effectRatio };
}
