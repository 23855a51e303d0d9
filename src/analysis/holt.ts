// Damped-trend Holt (additive damped trend exponential smoothing, ETS(A,Ad,N); Gardner & McKenzie
// 1985, in the component form of Hyndman & Athanasopoulos, "Forecasting: Principles and Practice",
// 3rd ed., §8.2 and §8.7):
//   forecast ŷ_t = ℓ_{t−1} + φ·b_{t−1},   e_t = y_t − ŷ_t
//   ℓ_t = α·y_t + (1 − α)(ℓ_{t−1} + φ·b_{t−1})
//   b_t = β·(ℓ_t − ℓ_{t−1}) + (1 − β)·φ·b_{t−1}
//   h steps ahead: ℓ + (φ + φ² + … + φ^h)·b   (φ = 1 is Holt's linear method)
// α, β and φ are chosen on a grid by the least one-step-ahead SSE; φ = 1 is on the grid so a load
// that really is a straight line keeps its slope, while a trend that reverses inside the window (a
// load wave) gets a damped one instead of being extrapolated as a line. A missing y_t (NaN) is
// predicted, not observed: ℓ_t = ℓ + φ·b, b_t = φ·b.
//
// Initial state: the least-squares line through the whole window (ℓ₀ its value one step before the
// first point, b₀ its slope). Hyndman, Koehler, Ord & Snyder ("Forecasting with Exponential
// Smoothing", 2008, §2.6.1) start from a regression on the first ten points; the whole window is
// used because the model is re-fitted every step on a short window: a start from two noisy points
// makes the SSE prefer a large β and the trend noisy.
//
// Prediction intervals (FPP3 §8.7; Hyndman et al. 2008, §6.3): in the innovations form
// ℓ_t = ℓ_{t−1} + φb_{t−1} + α·e_t, b_t = φb_{t−1} + αβ·e_t, the h-step error is
// e_{t+h} + Σ_{j=1}^{h−1} c_j·e_{t+h−j} with c_j = α + αβ·(φ + … + φ^j), so
//   σ_h² = σ²·(1 + Σ_{j=1}^{h−1} c_j²),
// σ² = SSE / (n − 5) (one-step errors, less the five fitted quantities α, β, φ, ℓ₀, b₀, so the
// in-sample errors are not quite as optimistic). Checked against statsmodels' ETSModel at fixed
// parameters: test/fixtures/analysis/make_holt_fixtures.py.

/** Smoothing parameters tried for α. */
export const HOLT_ALPHA_GRID: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.9];
/** Smoothing parameters tried for β (the trend's share of each level correction). */
export const HOLT_BETA_GRID: readonly number[] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5];
/** Damping factors tried: FPP3's usual range 0.8–0.98, and 1 (no damping). */
export const HOLT_PHI_GRID: readonly number[] = [0.8, 0.9, 0.95, 0.98, 1];

/** z of a two-sided 95 % normal interval. */
const Z95 = 1.959963984540054;
/** Quantities fitted from the data (α, β, φ, ℓ₀, b₀), taken off the error degrees of freedom. */
const FITTED = 5;

export interface HoltFit {
  /** True with at least `minPoints` finite points and a finite residual spread. */
  readonly valid: boolean;
  readonly alpha: number;
  readonly beta: number;
  /** Damping factor in (0, 1]; 1 = Holt's undamped linear trend. */
  readonly phi: number;
  /** Level at the last step (series units). */
  readonly level: number;
  /** Trend per step at the last step (series units per step), before damping. */
  readonly trend: number;
  /** √(SSE / (errors − 5)) of the one-step-ahead errors (series units); NaN with ≤ 5 errors. */
  readonly sigma: number;
  /** Sum of squared one-step-ahead errors at the chosen parameters. */
  readonly sse: number;
  /** Finite points in the series. */
  readonly points: number;
}

export interface HoltOptions {
  /** Least finite points for a valid fit; default 10. */
  readonly minPoints?: number;
  readonly alphas?: readonly number[];
  readonly betas?: readonly number[];
  readonly phis?: readonly number[];
}

export interface HoltRun {
  readonly sse: number;
  /** One-step errors counted (observed points after the start). */
  readonly errors: number;
  readonly level: number;
  readonly trend: number;
}

/** Least-squares line over the finite points: its value one step before the first point, and its slope. */
export function regressionStart(series: ArrayLike<number>): { first: number; level: number; trend: number } | null {
  let count = 0;
  let st = 0;
  let sy = 0;
  let first = -1;
  let base = 0;
  for (let t = 0; t < series.length; t += 1) {
    const y = series[t] as number;
    if (!Number.isFinite(y)) continue;
    if (count === 0) {
      first = t;
      base = y;
    }
    count += 1;
    st += t;
    sy += y - base; // relative to the first value: large offsets keep their precision
  }
  if (count < 2) return null;
  const mt = st / count;
  const my = sy / count;
  let stt = 0;
  let sty = 0;
  for (let t = 0; t < series.length; t += 1) {
    const y = series[t] as number;
    if (!Number.isFinite(y)) continue;
    stt += (t - mt) * (t - mt);
    sty += (t - mt) * (y - base - my);
  }
  const trend = sty / stt;
  return { first, level: base + my + trend * (first - 1 - mt), trend };
}

/** Runs the recursion at fixed α, β, φ from a given start (ℓ₀, b₀ one step before `first`). */
export function holtRunFrom(
  series: ArrayLike<number>,
  alpha: number,
  beta: number,
  phi: number,
  start: { first: number; level: number; trend: number },
): HoltRun {
  let level = start.level;
  let trend = start.trend;
  let sse = 0;
  let errors = 0;
  for (let t = start.first; t < series.length; t += 1) {
    const y = series[t] as number;
    const damped = phi * trend;
    const forecast = level + damped;
    if (!Number.isFinite(y)) {
      level = forecast;
      trend = damped;
      continue;
    }
    const e = y - forecast;
    sse += e * e;
    errors += 1;
    const next = forecast + alpha * e;
    trend = damped + alpha * beta * e;
    level = next;
  }
  return { sse, errors, level, trend };
}

/** Runs the recursion at fixed α, β, φ from the regression start. */
export function holtRun(series: ArrayLike<number>, alpha: number, beta: number, phi = 1): HoltRun {
  const start = regressionStart(series);
  if (start === null) return { sse: NaN, errors: 0, level: NaN, trend: NaN };
  return holtRunFrom(series, alpha, beta, phi, start);
}

/**
 * Fits α, β, φ by grid search on one-step SSE (ties: the first in grid order, α outermost, φ
 * innermost). O(|grid|·W): 350 runs of the window.
 */
export function fitHolt(series: ArrayLike<number>, options: HoltOptions = {}): HoltFit {
  const alphas = options.alphas ?? HOLT_ALPHA_GRID;
  const betas = options.betas ?? HOLT_BETA_GRID;
  const phis = options.phis ?? HOLT_PHI_GRID;
  const minPoints = Math.max(FITTED + 1, options.minPoints ?? 10);
  let points = 0;
  for (let t = 0; t < series.length; t += 1) if (Number.isFinite(series[t])) points += 1;
  const invalid: HoltFit = { valid: false, alpha: NaN, beta: NaN, phi: NaN, level: NaN, trend: NaN, sigma: NaN, sse: NaN, points };
  const start = regressionStart(series);
  if (start === null) return invalid;
  let best: (HoltRun & { alpha: number; beta: number; phi: number }) | null = null;
  for (const alpha of alphas) {
    for (const beta of betas) {
      for (const phi of phis) {
        const run = holtRunFrom(series, alpha, beta, phi, start);
        if (run.errors === 0 || !Number.isFinite(run.sse)) continue;
        if (best === null || run.sse < best.sse) best = { ...run, alpha, beta, phi };
      }
    }
  }
  if (best === null) return invalid;
  const sigma = best.errors > FITTED ? Math.sqrt(best.sse / (best.errors - FITTED)) : NaN;
  const valid = points >= minPoints && Number.isFinite(sigma) && Number.isFinite(best.level) && Number.isFinite(best.trend);
  return { valid, alpha: best.alpha, beta: best.beta, phi: best.phi, level: best.level, trend: best.trend, sigma, sse: best.sse, points };
}

export interface HoltForecast {
  /** Horizon in steps. */
  readonly steps: number;
  /** Point forecast ℓ + (φ + … + φ^h)·b. */
  readonly mean: number;
  /** 95 % prediction interval. */
  readonly lower: number;
  readonly upper: number;
}

/** φ + φ² + … + φ^h (h for φ = 1). */
export function dampedSum(phi: number, h: number): number {
  return phi === 1 ? h : (phi * (1 - phi ** h)) / (1 - phi);
}

/** σ_h² / σ²: 1 + Σ_{j=1}^{h−1} c_j², c_j = α + αβ·(φ + … + φ^j); h an integer ≥ 1. */
export function varianceFactor(fit: Pick<HoltFit, 'alpha' | 'beta' | 'phi'>, h: number): number {
  let factor = 1;
  let phiSum = 0;
  let power = 1;
  for (let j = 1; j < h; j += 1) {
    power *= fit.phi;
    phiSum += power;
    const c = fit.alpha + fit.alpha * fit.beta * phiSum;
    factor += c * c;
  }
  return factor;
}

/**
 * Forecast `steps` ahead (a time horizon / step, rounded to whole steps, at least 1). O(h) for the
 * interval.
 */
export function holtForecast(fit: HoltFit, steps: number): HoltForecast {
  const h = Math.max(1, Math.round(steps));
  const mean = fit.level + dampedSum(fit.phi, h) * fit.trend;
  const half = Z95 * fit.sigma * Math.sqrt(varianceFactor(fit, h));
  return { steps, mean, lower: mean - half, upper: mean + half };
}

/** Forecasts for h = 1 … maxSteps, in order, in O(maxSteps) overall (for saturation searches). */
export function* holtPath(fit: HoltFit, maxSteps: number): Generator<HoltForecast> {
  let phiSum = 0;
  let power = 1;
  let factor = 1;
  let cPhiSum = 0;
  for (let h = 1; h <= maxSteps; h += 1) {
    power *= fit.phi;
    phiSum += power;
    const mean = fit.level + phiSum * fit.trend;
    const half = Z95 * fit.sigma * Math.sqrt(factor);
    yield { steps: h, mean, lower: mean - half, upper: mean + half };
    // c_h for the next horizon's variance, with φ + … + φ^h.
    cPhiSum = phiSum;
    const c = fit.alpha + fit.alpha * fit.beta * cPhiSum;
    factor += c * c;
  }
}
