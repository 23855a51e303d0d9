import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { logGamma, regularizedIncompleteBeta } from '../../src/analysis/special-functions.js';
import { studentTCdf, studentTTwoSided } from '../../src/analysis/student-t.js';
import { welchTTest } from '../../src/analysis/welch-t-test.js';
import { seeded } from './support/random.js';

interface TFixtures {
  readonly twoSided: { t: number; df: number; p: number }[];
  readonly welch: { baseline: number[]; variant: number[]; t: number; df: number; p: number; effectRatio: number }[];
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/analysis/student-t.json', import.meta.url), 'utf8')) as TFixtures;

describe('special functions', () => {
  it.each([
    [1, 0],
    [2, 0],
    [0.5, Math.log(Math.sqrt(Math.PI))],
    [5, Math.log(24)],
    [10.5, Math.log(1133278.388948785)],
    [171, 706.5730622457874],
    [0.001, 6.907178885383853],
  ])('ln Γ(%d)', (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 11);
  });

  it.each([
    [0.5, 2, 2, 0.5], // symmetric
    [0.3, 1, 1, 0.3], // uniform
    [0.2, 2, 1, 0.04], // x^a for b = 1
    [0.2, 1, 3, 1 - 0.8 ** 3], // 1 − (1 − x)^b for a = 1
  ])('I_%d(%d, %d) in closed form', (x, a, b, expected) => {
    expect(regularizedIncompleteBeta(x, a, b)).toBeCloseTo(expected, 14);
  });

  it('rejects arguments outside the domain', () => {
    expect(regularizedIncompleteBeta(1.5, 1, 1)).toBeNaN();
    expect(regularizedIncompleteBeta(0.5, 0, 1)).toBeNaN();
    expect(logGamma(0)).toBeNaN();
  });
});

describe('Student t distribution', () => {
  it.each(fixtures.twoSided.map((c) => [c.t, c.df, c.p]))('P(|T| ≥ |%d|) with %d df matches quadrature', (t, df, p) => {
    expect(Math.abs(studentTTwoSided(t, df) - p)).toBeLessThan(1e-10 + 1e-9 * p);
  });

  it.each([
    // Critical values from standard t tables (two-sided 5 % and 1 %).
    [12.706, 1, 0.05],
    [2.571, 5, 0.05],
    [2.228, 10, 0.05],
    [2.042, 30, 0.05],
    [63.657, 1, 0.01],
    [4.032, 5, 0.01],
    [2.75, 30, 0.01],
  ])('table: t = %d with %d df gives p ≈ %d', (t, df, p) => {
    expect(studentTTwoSided(t, df)).toBeCloseTo(p, 4);
  });

  it('has a symmetric CDF and extreme tails that stay in [0, 1]', () => {
    expect(studentTCdf(1.3, 7) + studentTCdf(-1.3, 7)).toBeCloseTo(1, 14);
    expect(studentTCdf(0, 3)).toBe(0.5);
    expect(studentTTwoSided(1e6, 3)).toBeGreaterThanOrEqual(0);
    expect(studentTTwoSided(1e6, 3)).toBeLessThan(1e-15);
    expect(studentTTwoSided(Infinity, 3)).toBe(0);
    expect(studentTTwoSided(NaN, 3)).toBeNaN();
    expect(studentTTwoSided(1, 0)).toBeNaN();
  });
});

describe("Welch's t-test", () => {
  it.each(fixtures.welch.map((c, k) => [k, c] as const))('matches numpy on fixture %i', (_k, c) => {
    const result = welchTTest(c.baseline, c.variant);
    if (!result.valid) throw new Error('expected a valid result');
    expect(result.t).toBeCloseTo(c.t, 11);
    expect(result.df).toBeCloseTo(c.df, 9);
    expect(Math.abs(result.pValue - c.p)).toBeLessThan(1e-10 + 1e-9 * c.p);
    expect(result.effectRatio).toBeCloseTo(c.effectRatio, 13);
  });

  it('finds a variant 30% faster significant (p < 0.01) in at least 95 of 100 seeded runs', () => {
    let significant = 0;
    for (let seed = 1; seed <= 100; seed += 1) {
      const rng = seeded(seed);
      // Response times of 30 samples per side: baseline 1.0 s, variant 0.7 s, both ±20 %.
      const baseline = Array.from({ length: 30 }, () => 1.0 * (1 + 0.2 * rng.gauss()));
      const variant = Array.from({ length: 30 }, () => 0.7 * (1 + 0.2 * rng.gauss()));
      const result = welchTTest(baseline, variant);
      if (result.valid && result.pValue < 0.01 && result.effectRatio < 0) significant += 1;
    }
    expect(significant).toBeGreaterThanOrEqual(95);
  });

  // Under the null hypothesis p is uniform, so a calibrated test is quiet in 95 of 100 runs on
  // average: this criterion holds for these fixed seeds (96 of 100) but is a coin flip for others
  // (seeds 7919·k give 93). The calibration test below is the real check of the null behaviour.
  it('finds an identical variant not significant (p > 0.05) in at least 95 of 100 seeded runs', () => {
    let quiet = 0;
    for (let seed = 1001; seed <= 1100; seed += 1) {
      const rng = seeded(seed);
      const baseline = Array.from({ length: 30 }, () => 1.0 * (1 + 0.2 * rng.gauss()));
      const variant = Array.from({ length: 30 }, () => 1.0 * (1 + 0.2 * rng.gauss()));
      const result = welchTTest(baseline, variant);
      if (result.valid && result.pValue > 0.05) quiet += 1;
    }
    expect(quiet).toBeGreaterThanOrEqual(95);
  });

  it('is calibrated: about 5 % false positives at α = 0.05 over 4,000 null runs', () => {
    const rng = seeded(77);
    let positives = 0;
    const runs = 4000;
    for (let k = 0; k < runs; k += 1) {
      const nb = 5 + Math.floor(rng.next() * 30);
      const nv = 5 + Math.floor(rng.next() * 30);
      const baseline = Array.from({ length: nb }, () => 3 + rng.gauss());
      const variant = Array.from({ length: nv }, () => 3 + 2.5 * rng.gauss()); // unequal variances
      const result = welchTTest(baseline, variant);
      if (result.valid && result.pValue < 0.05) positives += 1;
    }
    // Binomial(4000, 0.05): mean 200, sd 13.8; ±4 sd.
    expect(positives).toBeGreaterThan(145);
    expect(positives).toBeLessThan(255);
  });

  it.each([
    ['too few on one side', [1, 2, 3, 4, 5], [1, 2, 3, 4], 'too_few_samples'],
    ['NaN are not samples', [1, 2, 3, 4, 5], [1, 2, 3, 4, NaN], 'too_few_samples'],
    ['no variance anywhere', [2, 2, 2, 2, 2], [3, 3, 3, 3, 3], 'no_variance'],
  ] as const)('is invalid with %s', (_name, baseline, variant, reason) => {
    expect(welchTTest(baseline, variant)).toEqual({ valid: false, reason });
  });

  it('keeps precision with 1e12 offsets and reports NaN effect for a zero baseline', () => {
    const rng = seeded(5);
    const baseline = Array.from({ length: 20 }, () => 1e12 + rng.gauss());
    const variant = baseline.map((v) => v + 3);
    const result = welchTTest(baseline, variant);
    if (!result.valid) throw new Error('expected a valid result');
    expect(result.meanVariant - result.meanBaseline).toBeCloseTo(3, 3);
    const zero = welchTTest([-1, 1, -1, 1, 0], [1, 2, 3, 4, 5]);
    expect(zero.valid && Number.isNaN(zero.effectRatio)).toBe(true);
  });
});
