import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forecastConfidence, recommendAgents, saturationSteps } from '../../src/analysis/capacity-forecast.js';
import { fitHolt, holtForecast, holtPath, holtRunFrom, regressionStart, varianceFactor } from '../../src/analysis/holt.js';
import { seeded } from './support/random.js';

interface HoltFixture {
  readonly series: number[];
  readonly start: { readonly level: number; readonly trend: number };
  readonly fixed: {
    readonly alpha: number;
    readonly beta: number;
    readonly phi: number;
    readonly level: number;
    readonly trend: number;
    readonly sse: number;
    readonly forecasts: { steps: number; mean: number; variance_factor: number }[];
  }[];
  readonly grid: { readonly sse: number; readonly alpha: number; readonly beta: number; readonly phi: number };
}
// statsmodels' ETSModel at fixed parameters and its SSE over the grid: make_holt_fixtures.py.
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/analysis/holt-damped.json', import.meta.url), 'utf8')) as HoltFixture[];

describe('damped-trend Holt against statsmodels', () => {
  it.each(fixtures.map((f, k) => [k, f] as const))('starts from the numpy least-squares line (fixture %i)', (_k, f) => {
    const start = regressionStart(f.series);
    expect(start?.first).toBe(0);
    expect(start?.level).toBeCloseTo(f.start.level, 9);
    expect(start?.trend).toBeCloseTo(f.start.trend, 11);
  });

  it.each(fixtures.map((f, k) => [k, f] as const))(
    'matches ETSModel states, SSE, forecasts and variances at fixed parameters (fixture %i)',
    (_k, f) => {
      for (const p of f.fixed) {
        const run = holtRunFrom(f.series, p.alpha, p.beta, p.phi, { first: 0, level: f.start.level, trend: f.start.trend });
        expect(run.level).toBeCloseTo(p.level, 8);
        expect(run.trend).toBeCloseTo(p.trend, 9);
        expect(run.sse / p.sse).toBeCloseTo(1, 10);
        const fit = {
          valid: true,
          alpha: p.alpha,
          beta: p.beta,
          phi: p.phi,
          level: run.level,
          trend: run.trend,
          sigma: 1,
          sse: run.sse,
          points: f.series.length,
        };
        for (const expected of p.forecasts) {
          const got = holtForecast(fit, expected.steps);
          expect(got.mean).toBeCloseTo(expected.mean, 7);
          expect(varianceFactor(fit, expected.steps) / expected.variance_factor).toBeCloseTo(1, 10);
          // The band is ±z·σ·√factor around the mean.
          expect((got.upper - got.lower) / 2).toBeCloseTo(1.959963984540054 * Math.sqrt(expected.variance_factor), 9);
        }
        const path = [...holtPath(fit, 60)];
        for (const expected of p.forecasts) expect(path[expected.steps - 1]?.mean).toBeCloseTo(expected.mean, 7);
        for (const expected of p.forecasts) expect(path[expected.steps - 1]?.upper).toBeCloseTo(holtForecast(fit, expected.steps).upper, 9);
      }
    },
  );

  it.each(fixtures.map((f, k) => [k, f] as const))('picks the grid point statsmodels finds least SSE at (fixture %i)', (_k, f) => {
    const fit = fitHolt(f.series);
    expect(fit.valid).toBe(true);
    expect([fit.alpha, fit.beta, fit.phi]).toEqual([f.grid.alpha, f.grid.beta, f.grid.phi]);
    expect(fit.sse / f.grid.sse).toBeCloseTo(1, 10);
    expect(fit.sigma).toBeCloseTo(Math.sqrt(f.grid.sse / (f.series.length - 5)), 10);
  });
});

describe("Holt's method on edge cases", () => {
  it('is valid only with enough points', () => {
    expect(fitHolt([1, 2, 3, 4, 5, 6, 7, 8, 9]).valid).toBe(false);
    expect(fitHolt([1, 2, 3, 4, 5, 6, 7, 8, 9, 10.5]).valid).toBe(true);
    expect(fitHolt([1, 2]).valid).toBe(false);
    expect(fitHolt([NaN, 3, NaN]).valid).toBe(false);
    expect(fitHolt([]).valid).toBe(false);
  });

  it('follows an exact line exactly, with a zero-width band', () => {
    const fit = fitHolt(Array.from({ length: 30 }, (_, t) => 5 + 2 * t));
    expect(fit.trend).toBeCloseTo(2, 12);
    const f = holtForecast(fit, 10);
    expect(f.mean).toBeCloseTo(5 + 2 * 39, 10);
    expect(f.upper - f.lower).toBeCloseTo(0, 10);
    expect(forecastConfidence(f)).toBe(1);
  });

  it('adapts to a trend that changed inside the window instead of averaging it away', () => {
    const rng = seeded(9);
    const series = Array.from({ length: 120 }, (_, t) => (t < 80 ? 100 : 100 + 3 * (t - 80)) + rng.gauss());
    const fit = fitHolt(series);
    expect(fit.trend).toBeGreaterThan(2.5);
    expect(fit.trend).toBeLessThan(3.5);
    expect(fit.level).toBeGreaterThan(210);
  });

  it('widens the band with the horizon', () => {
    const rng = seeded(4);
    const fit = fitHolt(Array.from({ length: 100 }, (_, t) => 50 + 0.5 * t + 3 * rng.gauss()));
    const widths = [1, 5, 20, 60].map((h) => holtForecast(fit, h)).map((f) => f.upper - f.lower);
    for (let k = 1; k < widths.length; k += 1) expect(widths[k]!).toBeGreaterThan(widths[k - 1]!);
  });
});

describe('saturation and scaling', () => {
  it.each([5, 10])('predicts when a steadily rising load reaches capacity within 20%% over 50 seeds (noise σ = %i)', (noise) => {
    for (let seed = 1; seed <= 50; seed += 1) {
      const rng = seeded(seed);
      const w = 120;
      const load = Array.from({ length: w }, (_, t) => 100 + 2 * t + noise * rng.gauss());
      const capacity = 600;
      const truth = (capacity - (100 + 2 * (w - 1))) / 2; // steps after the last point
      const steps = saturationSteps(fitHolt(load), capacity);
      expect(steps).toBeDefined();
      expect(Math.abs(steps! - truth) / truth).toBeLessThan(0.2);
    }
  });

  it.each([
    ['already saturated', [90, 95, 100, 105, 110, 115, 120, 125, 130, 135], 100, 0],
    ['falling load: never', [50, 48, 46, 44, 42, 40, 38, 36, 34, 32], 100, undefined],
    ['too few points: never', [1, 2, 3], 100, undefined],
  ] as const)('%s', (_name, series, capacity, expected) => {
    expect(saturationSteps(fitHolt(series), capacity)).toBe(expected);
  });

  it('recommends agents per type for its share of the forecast at the target utilisation', () => {
    const forecast = { steps: 240, mean: 120, lower: 110, upper: 130 };
    const recs = recommendAgents(
      [
        { type: 'planner', agents: 2, capacity: 20, load: 15 }, // 25 % of the load, 10 slots each
        { type: 'worker', agents: 5, capacity: 50, load: 45 }, // 75 %
        { type: 'idle', agents: 1, capacity: 4, load: 0 }, // no share: keeps the minimum
        { type: 'unknown', agents: 0, capacity: 0, load: 0 },
      ],
      forecast,
    );
    expect(recs).toEqual([
      { type: 'planner', current: 2, recommended: 5, confidence: 1 - 10 / 120 }, // 30 / (10·0.7) = 4.29 (default target 0.7)
      { type: 'worker', current: 5, recommended: 13, confidence: 1 - 10 / 120 }, // 90 / 7 = 12.86
      { type: 'idle', current: 1, recommended: 1, confidence: 1 - 10 / 120 },
      { type: 'unknown', current: 0, recommended: 0, confidence: 0 },
    ]);
  });

  it('never recommends fewer agents than the load now needs at the target, whatever the forecast', () => {
    const [rec] = recommendAgents([{ type: 'worker', agents: 5, capacity: 50, load: 45 }], { steps: 60, mean: 10, lower: 0, upper: 20 });
    expect(rec?.recommended).toBe(7); // ⌈45 / (10 · 0.7)⌉, the forecast alone would say 2
    const [at08] = recommendAgents(
      [{ type: 'worker', agents: 5, capacity: 50, load: 45 }],
      { steps: 60, mean: 10, lower: 0, upper: 20 },
      { targetUtilisation: 0.9 },
    );
    expect(at08?.recommended).toBe(5);
  });

  it('splits by capacity when there is no load yet, and never below minAgents', () => {
    const recs = recommendAgents(
      [
        { type: 'a', agents: 3, capacity: 30, load: 0 },
        { type: 'b', agents: 1, capacity: 10, load: 0 },
      ],
      { steps: 1, mean: 0, lower: 0, upper: 0 },
    );
    expect(recs.map((r) => r.recommended)).toEqual([1, 1]);
    const more = recommendAgents(
      [
        { type: 'a', agents: 3, capacity: 30, load: 0 },
        { type: 'b', agents: 1, capacity: 10, load: 0 },
      ],
      { steps: 1, mean: 40, lower: 40, upper: 40 },
      { targetUtilisation: 1 },
    );
    expect(more.map((r) => r.recommended)).toEqual([3, 1]);
  });

  it.each([
    ['band negligible', { steps: 1, mean: 100, lower: 100, upper: 100 }, 1],
    ['band as wide as the value', { steps: 1, mean: 10, lower: 0, upper: 20 }, 0],
    ['half', { steps: 1, mean: 10, lower: 5, upper: 15 }, 0.5],
    ['NaN band', { steps: 1, mean: 10, lower: NaN, upper: NaN }, 0],
  ] as const)('forecastConfidence: %s', (_name, f, expected) => {
    expect(forecastConfidence(f)).toBeCloseTo(expected, 14);
  });
});
