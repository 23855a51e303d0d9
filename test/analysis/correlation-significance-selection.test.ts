import { describe, expect, it } from 'vitest';
import { pairPValue, significantPairs } from '../../src/analysis/correlation-significance.js';
import { pairCount } from '../../src/analysis/packed-triangle.js';
import { seeded } from './support/random.js';

/** Textbook Benjamini–Hochberg over every defined pair: sort all p-values, step up. */
function referenceBh(
  r: Float64Array,
  n: number,
  q: number,
  facts: (a: number, b: number) => { n: number; rhoA: number; rhoB: number },
): { cutoff: number; pairs: string[] } {
  const all: { key: string; p: number }[] = [];
  let k = 0;
  for (let a = 0; a < n - 1; a += 1) {
    for (let b = a + 1; b < n; b += 1, k += 1) {
      const v = r[k] as number;
      if (Number.isNaN(v)) continue;
      all.push({ key: `${a}-${b}`, p: pairPValue(v, facts(a, b)) });
    }
  }
  all.sort((x, y) => x.p - y.p);
  let rejected = 0;
  all.forEach((t, i) => {
    if (t.p <= ((i + 1) * q) / all.length) rejected = i + 1;
  });
  return {
    cutoff: (rejected * q) / all.length,
    pairs: all
      .slice(0, rejected)
      .map((t) => t.key)
      .sort(),
  };
}

describe('significantPairs selection', () => {
  it('rejects exactly the pairs textbook BH rejects, and its limited list is the head of the full one', () => {
    const rng = seeded(5);
    for (let trial = 0; trial < 20; trial += 1) {
      const n = 30 + Math.floor(rng.next() * 40);
      const r = new Float64Array(pairCount(n));
      // A coupled block (a shared wave: most of its pairs significant), weak noise elsewhere, gaps.
      const coupled = Math.floor(rng.next() * n);
      let k = 0;
      for (let a = 0; a < n - 1; a += 1) {
        for (let b = a + 1; b < n; b += 1, k += 1) {
          const strong = a < coupled && b < coupled;
          r[k] = rng.next() < 0.02 ? NaN : Math.max(-0.999, Math.min(0.999, (strong ? 0.6 : 0) + 0.15 * rng.gauss()));
        }
      }
      const rho = Float64Array.from({ length: n }, () => 0.4 * rng.next());
      const facts = (a: number, b: number): { n: number; rhoA: number; rhoB: number } => ({
        n: 100 - ((a + b) % 7),
        rhoA: rho[a] as number,
        rhoB: rho[b] as number,
      });
      const full = significantPairs({ r, rows: n, nMax: 100, fdr: 0.05, facts });
      const reference = referenceBh(r, n, 0.05, facts);
      expect(full.cutoff).toBeCloseTo(reference.cutoff, 15);
      expect(full.significant.map((p) => `${p.a}-${p.b}`).sort()).toEqual(reference.pairs);
      for (const limit of [0, 1, 5, 50]) {
        const limited = significantPairs({ r, rows: n, nMax: 100, fdr: 0.05, facts, limit });
        expect(limited.cutoff).toBe(full.cutoff);
        expect(limited.significant).toEqual(full.significant.slice(0, limit));
      }
    }
  });
});
