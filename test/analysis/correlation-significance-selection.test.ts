import { describe, expect, it } from 'vitest';
import { firstPassBars, pairPValue, significantPairs } from '../../src/analysis/correlation-significance.js';
import { KernelArena, wasmSimdAvailable } from '../../src/analysis/kernel-arena.js';
import { pairCount } from '../../src/analysis/packed-triangle.js';
import { complete } from '../../src/analysis/sliced.js';
import { StreamingCorrelation } from '../../src/analysis/streaming-correlation.js';
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

  it.each(wasmSimdAvailable() ? (['js', 'wasm'] as const) : (['js'] as const))(
    'reads the first pass from the kernel that computed r when it is handed over, with the same result (%s)',
    (backend) => {
      const n = 60;
      const rng = seeded(8);
      const state = new StreamingCorrelation({ capacity: n, window: 40, backend, arena: new KernelArena(backend) });
      // A coupled third of the swarm (a shared factor), the rest independent; row facts as the
      // analysis has them: each row's points and a lag-1 autocorrelation.
      const rho = Float64Array.from({ length: n }, () => 0.6 * rng.next() - 0.3);
      const points = Float64Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 25 : 39));
      const rowFacts = (a: number): { points: number; rho: number } => ({ points: points[a] as number, rho: rho[a] as number });
      const facts = (a: number, b: number): { n: number; rhoA: number; rhoB: number } => ({
        n: Math.min(points[a] as number, points[b] as number),
        rhoA: rho[a] as number,
        rhoB: rho[b] as number,
      });
      let compared = 0;
      const listed = { used: 0, tooLow: 0 };
      for (let t = 0; t < 60; t += 1) {
        const shared = rng.gauss();
        const column = Float64Array.from({ length: n }, (_, i) => (i < n / 3 ? shared : 0) + rng.gauss());
        // Candidates listed at q, at a τ near the test's and at one far below it (then the test
        // reads the matrix): the same result each time.
        const candidateTau = [0.05, 0.02, 1e-9][t % 3] as number;
        const r = complete(state.pushAndCorrelateSliced(column, complete(firstPassBars(n, 39, 0.05, rowFacts, candidateTau))));
        const scanned = state.rowScan();
        if (t < 30 || scanned === null) continue;
        const input = { r, rows: n, nMax: 39, fdr: 0.05, facts, rowFacts, arena: state.arena, limit: 15 };
        const scannedHere = significantPairs(input);
        const fused = significantPairs({ ...input, scanned });
        expect(fused).toEqual(scannedHere);
        expect(fused.significant.length).toBeGreaterThan(0);
        if (fused.secondPassTau <= candidateTau) listed.used += 1;
        else listed.tooLow += 1;
        // What was handed over is what the test reads: without any count in the histogram, no pair qualifies.
        const empty = significantPairs({ ...input, scanned: { ...scanned, bins: new Int32Array(scanned.bins.length) } });
        expect(empty.significant).toEqual([]);
        compared += 1;
      }
      expect(compared).toBe(30);
      expect(listed.used).toBeGreaterThan(10);
      expect(listed.tooLow).toBeGreaterThan(5);
    },
  );
});
