// Holt's linear trend method (double exponential smoothing; Holt 1957, in the component form of
// Hyndman & Athanasopoulos, "Forecasting: Principles and Practice", 3rd ed., §8.2):
//   forecast ŷ_t = ℓ_{t−1} + b_{t−1},   e_t = y_t − ŷ_t
//   ℓ_t = α·y_t + (1 − α)(ℓ_{t−1} + b_{t−1})
//   b_t = β·(ℓ_t − ℓ_{t−1}) + (1 − β)·b_{t−1}
// α and β are chosen on a grid by the least one-step-ahead SSE. A missing y_t (NaN) is predicted,
// not observed: ℓ_t = ℓ + b, b kept.
//
// Initial state: the least-squares line through the whole window (ℓ₀ its value one step before the
// first point, b₀ its slope). Hyndman, Koehler, Ord & Snyder ("Forecasting with Exponential
// Smoothing", 2008, §2.6.1) start from a regression on the first ten points; the whole window is
// used here because the model is re-fitted every step on a short window and the saturation time
// extrapolates the trend far ahead: a start from two noisy points (ℓ = y₁, b = y₁ − y₀) makes the
// SSE prefer large β and the final trend noisy (a steadily rising load then gives saturation times
// off by 50 % and more), while a regression start lets a linear load keep small α, β and a stable
// trend, and a load whose trend changed still pulls α, β up. The one-step errors are in-sample, so
// σ is slightly optimistic.
// Prediction intervals use the ETS(A,A,N) variance (FPP3 §8.7, Table 8.8):
//   σ_h² = σ²·[1 + (h − 1)·(α² + α·β′·h + β′²·h(2h − 1)/6)],  β′ = α·β.

/** Smoothing parameters tried for both α and β: 0.01, 0.02, then 0.05, 0.10, …, 0.95. */
export const HOLT_GRID: readonly number[] = [0.01, 0.02, ...Array.from({ length: 19 }, (_, k) => (k + 1) / 20)];

/** z of a two-sided 95 % normal interval. */
const Z95 = 1.959963984540054;

export interface HoltFit {
  /** True with at least `minPoints` finite points and a finite residual spread. */
  readonly valid: boolean;
  readonly alpha: number;
  readonly beta: number;
  /** Level at the last step (series units). */
  readonly level: number;
  /** Trend per step (series units per step). */
  readonly trend: number;
  /** RMS of the one-step-ahead errors (series units). */
  readonly sigma: number;
  /** Sum of squared one-step-ahead errors at the chosen α, β. */
  readonly sse: number;
  /** Finite points in the series. */
  readonly points: number;
}

export interface HoltOptions {
  /** Least finite points for a valid fit; default 10. */
  readonly minPoints?: number;
  /** Values tried for α and for β, each in (0, 1); default HOLT_GRID. */
  readonly grid?: readonly number[];
}

interface Run {
  readonly sse: number;
  readonly errors: number;
  readonly level: number;
  readonly trend: number;
}

/** Least-squares line over the finite points: its value one step before the first point, and its slope. */
function regressionStart(series: ArrayLike<number>): { first: number; level: number; trend: number } | null {
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

/** Runs the recursion at fixed α, β over the series. */
export function holtRun(series: ArrayLike<number>, alpha: number, beta: number): Run {
  const start = regressionStart(series);
  if (start === null) return { sse: NaN, errors: 0, level: NaN, trend: NaN };
  let level = start.level;
  let trend = start.trend;
  let sse = 0;
  let errors = 0;
  for (let t = start.first; t < series.length; t += 1) {
    const y = series[t] as number;
    const forecast = level + trend;
    if (!Number.isFinite(y)) {
      level = forecast;
      continue;
    }
    const e = y - forecast;
    sse += e * e;
    errors += 1;
    const next = alpha * y + (1 - alpha) * (level + trend);
    trend = beta * (next - level) + (1 - beta) * trend;
    level = next;
  }
  return { sse, errors, level, trend };
}

/** Fits α, β by grid search on one-step SSE (ties: the first in grid order, α outer). O(grid²·W). */
export function fitHolt(series: ArrayLike<number>, options: HoltOptions = {}): HoltFit {
  const grid = options.grid ?? HOLT_GRID;
  const minPoints = Math.max(3, options.minPoints ?? 10);
  let points = 0;
  for (let t = 0; t < series.length; t += 1) if (Number.isFinite(series[t] as number)) points += 1;
  let best: (Run & { alpha: number; beta: number }) | null = null;
  for (const alpha of grid) {
    for (const beta of grid) {
      const run = holtRun(series, alpha, beta);
      if (run.errors === 0 || !Number.isFinite(run.sse)) continue;
      if (best === null || run.sse < best.sse) best = { ...run, alpha, beta };
    }
  }
  if (best === null) return { valid: false, alpha: NaN, beta: NaN, level: NaN, trend: NaN, sigma: NaN, sse: NaN, points };
  const sigma = Math.sqrt(best.sse / best.errors);
  const valid = points >= minPoints && Number.isFinite(sigma) && Number.isFinite(best.level) && Number.isFinite(best.trend);
  return { valid, alpha: best.alpha, beta: best.beta, level: best.level, trend: best.trend, sigma, sse: best.sse, points };
}

export interface HoltForecast {
  /** Horizon in steps. */
  readonly steps: number;
  /** Point forecast ℓ + h·b. */
  readonly mean: number;
  /** 95 % prediction interval. */
  readonly lower: number;
  readonly upper: number;
}

/** Forecast `steps` ahead (any positive real; seconds / step for a time horizon). */
export function holtForecast(fit: HoltFit, steps: number): HoltForecast {
  const mean = fit.level + steps * fit.trend;
  const h = Math.max(1, steps);
  const b = fit.alpha * fit.beta;
  const factor = 1 + (h - 1) * (fit.alpha * fit.alpha + fit.alpha * b * h + (b * b * h * (2 * h - 1)) / 6);
  const half = Z95 * fit.sigma * Math.sqrt(factor);
  return { steps, mean, lower: mean - half, upper: mean + half };
}
