import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pairPValue, significantPairs, type PairFacts } from '../../src/analysis/correlation-significance.js';
import { differenceSeries, lagOneAutocorrelation } from '../../src/analysis/difference-row.js';
import { pairIndex } from '../../src/analysis/packed-triangle.js';
import { pearsonPairwise } from '../../src/analysis/pearson-pair.js';
import { nullToNaN, seeded } from './support/random.js';

interface FixturePair {
  readonly a: number;
  readonly b: number;
  readonly n: number;
  readonly r: number | null;
  readonly n_eff: number;
  readonly p: number | null;
}
interface Fixture {
  readonly name: string;
  readonly q: number;
  readonly min_overlap: number;
  readonly rows: readonly (readonly (number | null)[])[];
  readonly rho: readonly (number | null)[];
  readonly pairs: readonly FixturePair[];
  readonly rejected: readonly (readonly [number, number])[];
}

// numpy / scipy / statsmodels references: test/fixtures/analysis/make_correlation_significance_fixtures.py
const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/analysis/correlation-significance.json', import.meta.url), 'utf8'),
) as Fixture[];

describe.each(fixtures)('correlation of changes and its significance: $name', (f) => {
  const diffs = f.rows.map((row) => differenceSeries(nullToNaN(row)));
  const rho = diffs.map((d) => lagOneAutocorrelation(d, 0));
  const n = f.rows.length;
  const r = new Float64Array((n * (n - 1)) / 2).fill(Number.NaN);
  for (const p of f.pairs) r[pairIndex(n, p.a, p.b)] = pearsonPairwise(diffs[p.a] ?? [], diffs[p.b] ?? [], f.min_overlap);
  const factsOf = (a: number, b: number): PairFacts => {
    const pair = f.pairs.find((p) => p.a === Math.min(a, b) && p.b === Math.max(a, b));
    return { n: pair?.n ?? 0, rhoA: rho[a] ?? Number.NaN, rhoB: rho[b] ?? Number.NaN };
  };

  it('gives each row’s lag-1 autocorrelation of changes as the reference does', () => {
    rho.forEach((v, i) => {
      const expected = f.rho[i] ?? null;
      if (expected === null) expect(v).toBeNaN();
      else expect(v).toBeCloseTo(expected, 12);
    });
  });

  it('gives r of changes on the pairwise-complete steps, and its Fisher-z p-value with Bartlett’s n_eff', () => {
    for (const p of f.pairs) {
      const v = r[pairIndex(n, p.a, p.b)] as number;
      if (p.r === null || p.p === null) {
        expect(v, `${p.a}/${p.b}`).toBeNaN();
        continue;
      }
      expect(v, `${p.a}/${p.b}`).toBeCloseTo(p.r, 12);
      const ours = pairPValue(v, factsOf(p.a, p.b));
      // The erfc approximation has a relative error below 1.2e-7.
      expect(Math.abs(ours - p.p), `${p.a}/${p.b}: ${ours} vs ${p.p}`).toBeLessThanOrEqual(1e-6 * p.p + 1e-300);
    }
  });

  it('rejects exactly the pairs Benjamini–Hochberg (statsmodels fdr_bh) rejects', () => {
    const result = significantPairs({ r, rows: n, nMax: Math.max(...f.pairs.map((p) => p.n)), fdr: f.q, facts: factsOf });
    const ours = result.significant.map((p) => `${p.a}|${p.b}`).sort();
    expect(ours).toEqual(f.rejected.map(([a, b]) => `${a}|${b}`).sort());
    expect(result.tests).toBe(f.pairs.filter((p) => p.r !== null).length);
  });
});

/** Brute force: every p, BH by a full sort, significant pairs by |r| then (a, b). */
function bruteForce(
  r: Float64Array,
  n: number,
  q: number,
  facts: (a: number, b: number) => PairFacts,
): { a: number; b: number; r: number }[] {
  const all: { a: number; b: number; r: number; p: number }[] = [];
  for (let a = 0; a < n; a += 1) {
    for (let b = a + 1; b < n; b += 1) {
      const v = r[pairIndex(n, a, b)] as number;
      if (v === v) all.push({ a, b, r: v, p: pairPValue(v, facts(a, b)) });
    }
  }
  const m = all.length;
  const byP = [...all].sort((x, y) => x.p - y.p);
  let k = 0;
  byP.forEach((x, i) => {
    if (x.p <= ((i + 1) * q) / m) k = i + 1;
  });
  const cutoff = (k * q) / m;
  return all
    .filter((x) => k > 0 && x.p <= cutoff)
    .map(({ a, b, r: v }) => ({ a, b, r: v }))
    .sort((x, y) => Math.abs(y.r) - Math.abs(x.r) || x.a - y.a || x.b - y.b);
}

describe('top-pair selection is exact', () => {
  it.each([
    { seed: 1, n: 40, coupled: 0.3, limit: 5 },
    { seed: 2, n: 60, coupled: 0.05, limit: 20 },
    { seed: 3, n: 30, coupled: 1, limit: 7 },
    { seed: 4, n: 50, coupled: 0.5, limit: 10_000 },
  ])('returns the $limit strongest significant pairs, ties by (a, b), as a full sort does (seed $seed)', ({ seed, n, coupled, limit }) => {
    const rng = seeded(seed);
    const r = new Float64Array((n * (n - 1)) / 2);
    // Rounded to 2 decimals: many ties of |r|, some of them at the k-th place; some pairs undefined.
    for (let i = 0; i < r.length; i += 1)
      r[i] =
        rng.next() < 0.05
          ? Number.NaN
          : Math.round((rng.next() < coupled ? 0.5 + 0.5 * rng.next() : 0.3 * rng.gauss()) * (rng.next() < 0.5 ? -100 : 100)) / 100;
    const nAt = Array.from({ length: n }, () => 20 + Math.floor(100 * rng.next()));
    const rhoAt = Array.from({ length: n }, () => 0.9 * (2 * rng.next() - 1));
    const facts = (a: number, b: number): PairFacts => ({
      n: Math.min(nAt[a] ?? 0, nAt[b] ?? 0),
      rhoA: rhoAt[a] ?? 0,
      rhoB: rhoAt[b] ?? 0,
    });
    const expected = bruteForce(r, n, 0.05, facts);
    const ours = significantPairs({ r, rows: n, nMax: 120, fdr: 0.05, facts, limit });
    expect(ours.significant).toEqual(expected.slice(0, limit));
    expect(expected.length).toBeGreaterThan(0);
  });
});
