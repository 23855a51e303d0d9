// The Student t distribution through the regularised incomplete beta function:
// P(|T| ≥ |t|) = I_{ν/(ν+t²)}(ν/2, 1/2) for ν degrees of freedom (Abramowitz & Stegun 26.7.1, 26.5.27).
import { regularizedIncompleteBeta } from './special-functions.js';

/** Two-sided p-value P(|T| ≥ |t|) for ν > 0 degrees of freedom (ν may be fractional); NaN if undefined. */
export function studentTTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  // ν/(ν + t²) loses precision for |t| ≫ √ν; (ν/t²)/(ν/t² + 1) keeps it.
  const x = t * t > df ? df / (t * t) / (df / (t * t) + 1) : df / (df + t * t);
  return Math.min(1, regularizedIncompleteBeta(x, df / 2, 0.5));
}

/** CDF P(T ≤ t) for ν > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const p = studentTTwoSided(t, df);
  if (Number.isNaN(p)) return NaN;
  return t >= 0 ? 1 - p / 2 : p / 2;
}
