import { describe, expect, it } from 'vitest';
import { meanAbsCorrelation, stickyTopPairs, summariseCorrelations, topPairs } from '../../src/analysis/top-pairs.js';
import { seeded } from './support/random.js';

function randomMatrix(n: number, seed: number, nanShare = 0.1): Float64Array {
  const rng = seeded(seed);
  return Float64Array.from({ length: (n * (n - 1)) / 2 }, () => (rng.next() < nanShare ? NaN : 2 * rng.next() - 1));
}

describe('topPairs', () => {
  it('returns the k largest |r| in order, skipping NaN, like a full sort', () => {
    const n = 60;
    const r = randomMatrix(n, 1);
    const all: { a: number; b: number; r: number }[] = [];
    let k = 0;
    for (let a = 0; a < n; a += 1) for (let b = a + 1; b < n; b += 1, k += 1) if (Number.isFinite(r[k]!)) all.push({ a, b, r: r[k]! });
    all.sort((x, y) => Math.abs(y.r) - Math.abs(x.r) || x.a - y.a || x.b - y.b);
    for (const want of [0, 1, 7, 20, 5000]) expect(topPairs(r, n, want)).toEqual(all.slice(0, want));
  });

  it('summarises top pairs and mean |r| in one pass, equal to the separate kernels', () => {
    const r = randomMatrix(37, 4, 0.2);
    const summary = summariseCorrelations(r, 37, 12);
    const separate = meanAbsCorrelation(r);
    expect(summary.top).toEqual(topPairs(r, 37, 12));
    expect(summary.meanAbs).toBeCloseTo(separate.meanAbs, 14);
    expect(summary.count).toBe(separate.count);
    expect(summariseCorrelations(r, 37, 0).top).toEqual([]);
  });

  it('honours minAbs', () => {
    const r = Float64Array.from([0.9, -0.2, 0.5]);
    expect(topPairs(r, 3, 3, 0.4).map((p) => p.r)).toEqual([0.9, 0.5]);
  });

  it('averages |r| over finite entries only', () => {
    expect(meanAbsCorrelation(Float64Array.from([0.5, -1, NaN]))).toEqual({ meanAbs: 0.75, count: 2 });
    expect(meanAbsCorrelation(Float64Array.from([NaN])).meanAbs).toBeNaN();
  });
});

describe('stickyTopPairs', () => {
  it('keeps members through jitter, so churn over 100 noisy steps stays near zero', () => {
    const n = 40;
    const base = randomMatrix(n, 2, 0);
    const rng = seeded(3);
    let chosen = stickyTopPairs(base, n, 20, []);
    let churn = 0;
    let naiveChurn = 0;
    let naive = topPairs(base, n, 20);
    const key = (p: { a: number; b: number }): string => `${p.a}-${p.b}`;
    for (let step = 0; step < 100; step += 1) {
      const jittered = base.map((v) => Math.max(-1, Math.min(1, v + 0.02 * rng.gauss())));
      const next = stickyTopPairs(jittered, n, 20, chosen);
      const before = new Set(chosen.map(key));
      churn += next.filter((p) => !before.has(key(p))).length;
      const nextNaive = topPairs(jittered, n, 20);
      const beforeNaive = new Set(naive.map(key));
      naiveChurn += nextNaive.filter((p) => !beforeNaive.has(key(p))).length;
      chosen = next;
      naive = nextNaive;
      expect(next.length).toBe(20);
    }
    expect(churn).toBeLessThanOrEqual(5);
    expect(naiveChurn).toBeGreaterThan(churn);
  });

  it('drops a member once it falls clearly below the entry bar', () => {
    const r = Float64Array.from([0.9, 0.8, 0.1, 0.7, 0.2, 0.3]); // pairs of 4 agents
    const kept = stickyTopPairs(r, 4, 2, [{ a: 0, b: 3 }], 0.05); // (0,3) is r[2] = 0.1
    expect(kept.map((p) => [p.a, p.b])).toEqual([
      [0, 1],
      [0, 2],
    ]);
    const stays = stickyTopPairs(Float64Array.from([0.9, 0.8, 0.77, 0.1, 0.2, 0.3]), 4, 2, [{ a: 0, b: 3 }], 0.05);
    expect(stays.map((p) => [p.a, p.b])).toEqual([
      [0, 1],
      [0, 3],
    ]);
  });

  it('gives the same selection from a precomputed top list', () => {
    const r = randomMatrix(30, 5, 0.1);
    const previous = topPairs(randomMatrix(30, 6, 0.1), 30, 10);
    expect(stickyTopPairs(r, 30, 10, previous, 0.05, 0, topPairs(r, 30, 10))).toEqual(stickyTopPairs(r, 30, 10, previous));
  });

  it('ignores previous pairs that are invalid now', () => {
    const r = Float64Array.from([0.9, NaN, 0.5]);
    expect(
      stickyTopPairs(r, 3, 2, [
        { a: 0, b: 2 },
        { a: 5, b: 1 },
      ]).map((p) => p.r),
    ).toEqual([0.9, 0.5]);
  });
});
