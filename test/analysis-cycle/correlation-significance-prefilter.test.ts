import { describe, expect, it } from 'vitest';
import { ChangeRows } from '../../src/analysis-cycle/change-rows.js';
import { firstPassBars, pairPValue, significantPairs, type PairFacts } from '../../src/analysis/correlation-significance.js';
import { differenceSeries } from '../../src/analysis/difference-row.js';
import { pairIndex } from '../../src/analysis/packed-triangle.js';
import { complete } from '../../src/analysis/sliced.js';
import { StreamingCorrelation } from '../../src/analysis/streaming-correlation.js';
import { seeded, type Rng } from '../analysis/support/random.js';

// The significance test never computes a p-value for most pairs: it bins |r| once, shrinks BH's
// cutoff from the bins, and tests only the pairs that could still be rejected. Here that shortcut
// meets brute force — every defined pair's p-value, one full sort, the step-up rule — on the
// matrix the streaming state keeps (first differences, pairwise-complete), with the facts
// (common changes, autocorrelations) ChangeRows gives, on data shaped like real swarms.

const W = 120;
const N = 160;
const Q = 0.05;
const MIN_OVERLAP = 30;

/**
 * null: independent; coupled: pairs and triples; load-wave: half the rows on one wave; white-wave:
 * white-noise levels (changes with ρ ≈ −0.5, n_eff ≈ 0.6·n) on a weak shared wave — many pairs
 * above the bar at n_max, few significant: the case the per-pair bound exists for.
 */
type Shape = 'null' | 'coupled' | 'load-wave' | 'white-wave';

/** Each row's window of levels, chronological (NaN = gap): shapes plus missed pushes and late joiners. */
function swarmWindows(shape: Shape, rng: Rng, options: { gaps: boolean; joiners: boolean }): Float64Array[] {
  const wave = Float64Array.from({ length: W }, (_, t) => 12 * Math.sin((2 * Math.PI * t) / 50) + 0.005 * t * t);
  const rows: Float64Array[] = [];
  for (let i = 0; i < N; i += 1) {
    const row = new Float64Array(W);
    // Half the rows ride the load wave, with weights from 0 to 1: strong, borderline and null pairs.
    const weight = rng.next() < 0.5 ? 0 : rng.next();
    let level = 100 * rng.next();
    let noise = 0;
    for (let t = 0; t < W; t += 1) {
      // AR(0.5) noise on a random walk: changes autocorrelated, n_eff below n.
      noise = 0.5 * noise + rng.gauss();
      level += 0.3 * rng.gauss();
      if (shape === 'white-wave') row[t] = 2 * rng.gauss() + 0.9 * (wave[t] as number);
      else row[t] = level + noise + (shape === 'load-wave' ? weight * (wave[t] as number) : 0);
    }
    rows.push(row);
  }
  if (shape === 'coupled') {
    // A tenth of the rows follow a partner closely, another tenth loosely: strong and borderline pairs.
    for (let i = 0; i + 1 < N; i += 10) {
      const a = rows[i] as Float64Array;
      const b = rows[i + 1] as Float64Array;
      const c = rows[i + 2] as Float64Array;
      for (let t = 0; t < W; t += 1) {
        b[t] = (a[t] as number) + 0.3 * rng.gauss();
        c[t] = (c[t] as number) + 0.35 * (a[t] as number);
      }
    }
  }
  for (let i = 0; i < N; i += 1) {
    const row = rows[i] as Float64Array;
    if (options.gaps) for (let t = 0; t < W; t += 1) if (rng.next() < 0.02) row[t] = NaN;
    // A wave of joiners (the last fifth arrived at one step) and a few single ones.
    if (options.joiners && (i >= N - N / 5 || i % 17 === 3)) row.fill(NaN, 0, i >= N - N / 5 ? 40 : Math.floor(W * rng.next() * 0.6));
  }
  return rows;
}

/** Brute force over every defined pair: all p-values, one sort, the largest k with p_(k) ≤ k·q/m. */
function bruteForceBh(
  r: Float64Array,
  facts: (a: number, b: number) => PairFacts,
): { cutoff: number; rejected: string[]; tests: number; meanAbs: number } {
  const all: { key: string; p: number }[] = [];
  let sum = 0;
  for (let a = 0; a < N; a += 1) {
    for (let b = a + 1; b < N; b += 1) {
      const v = r[pairIndex(N, a, b)] as number;
      if (Number.isNaN(v)) continue;
      sum += Math.abs(v);
      all.push({ key: `${a}-${b}`, p: pairPValue(v, facts(a, b)) });
    }
  }
  all.sort((x, y) => x.p - y.p);
  let k = 0;
  all.forEach((t, i) => {
    if (t.p <= ((i + 1) * Q) / all.length) k = i + 1;
  });
  return {
    cutoff: (k * Q) / all.length,
    rejected: all
      .slice(0, k)
      .map((t) => t.key)
      .sort(),
    tests: all.length,
    meanAbs: sum / all.length,
  };
}

describe('the significance prefilter on a streaming matrix of changes', () => {
  const cases: { shape: Shape; gaps: boolean; joiners: boolean; seed: number }[] = [];
  for (const shape of ['null', 'coupled', 'load-wave', 'white-wave'] as const) {
    cases.push(
      { shape, gaps: false, joiners: false, seed: 11 },
      { shape, gaps: true, joiners: true, seed: 12 },
      { shape, gaps: true, joiners: false, seed: 13 },
    );
  }
  it.each(cases)(
    'rejects exactly the pairs brute-force BH rejects: $shape, gaps $gaps, joiners $joiners',
    ({ shape, gaps, joiners, seed }) => {
      const levels = swarmWindows(shape, seeded(seed), { gaps, joiners });
      // The streaming state holds the W − 1 changes, seeded with all but the newest and then pushed
      // one step: the matrix the analysis reads after a step, gap repairs included.
      const changes = levels.map((row) => differenceSeries(row));
      const stream = new StreamingCorrelation({ capacity: N, window: W - 1, minOverlap: MIN_OVERLAP });
      stream.seed(changes.map((c) => c.subarray(0, W - 2)));
      const r = stream.pushAndCorrelate(Float64Array.from(changes, (c) => c[W - 2] as number)).slice();
      const diffs = new ChangeRows(N, W);
      diffs.reset(levels, 0, W);
      const facts = (a: number, b: number): PairFacts => diffs.facts(a, b);

      const expected = bruteForceBh(r, facts);
      const ours = significantPairs({ r, rows: N, nMax: diffs.maxCommon, fdr: Q, facts, rowFacts: (a) => diffs.rowFacts(a) });
      const withoutRowBounds = significantPairs({ r, rows: N, nMax: diffs.maxCommon, fdr: Q, facts });
      // The same result either way; only the prefilter's own bound (secondPassTau) is tighter with them.
      const published = ({ secondPassTau: _bound, ...rest }: typeof ours): Omit<typeof ours, 'secondPassTau'> => rest;
      expect(published(withoutRowBounds)).toEqual(published(ours));
      expect(ours.secondPassTau).toBeLessThanOrEqual(withoutRowBounds.secondPassTau);
      expect(ours.tests).toBe(expected.tests);
      expect(ours.cutoff).toBe(expected.cutoff);
      expect(ours.significant.map((p) => `${p.a}-${p.b}`).sort()).toEqual(expected.rejected);
      expect(ours.meanAbs).toBeCloseTo(expected.meanAbs, 12);
      // As the analysis runs it: the kernel that computes the matrix does the first pass and lists the
      // candidates, at twice this τ (listed) or far below it (the test then reads the matrix).
      for (const candidateTau of [2 * ours.secondPassTau, ours.secondPassTau / 1000]) {
        const fused = new StreamingCorrelation({ capacity: N, window: W - 1, minOverlap: MIN_OVERLAP });
        fused.seed(changes.map((c) => c.subarray(0, W - 2)));
        const bars = complete(firstPassBars(N, diffs.maxCommon, Q, (a) => diffs.rowFacts(a), candidateTau));
        const rFused = complete(
          fused.pushAndCorrelateSliced(
            Float64Array.from(changes, (c) => c[W - 2] as number),
            bars,
          ),
        ).slice();
        const scanned = fused.rowScan();
        expect(scanned).not.toBeNull();
        const viaKernel = significantPairs({
          r: rFused,
          rows: N,
          nMax: diffs.maxCommon,
          fdr: Q,
          facts,
          rowFacts: (a) => diffs.rowFacts(a),
          scanned,
        });
        const truth = bruteForceBh(rFused, facts);
        expect(viaKernel.cutoff).toBe(truth.cutoff);
        expect(viaKernel.significant.map((p) => `${p.a}-${p.b}`).sort()).toEqual(truth.rejected);
      }
      // The data do what the case says: null swarms reject (almost) nothing, coupled ones many.
      if (shape === 'coupled') expect(expected.rejected.length).toBeGreaterThanOrEqual(N / 10);
      if (shape === 'null') expect(expected.rejected.length).toBeLessThanOrEqual(3);
      if (shape === 'load-wave') expect(expected.rejected.length).toBeGreaterThan(expected.tests / 50);
      if (shape === 'load-wave') expect(expected.rejected.length).toBeLessThan(expected.tests / 2);
      if (shape === 'white-wave') expect(expected.rejected.length).toBeGreaterThanOrEqual(20);
      if (shape === 'white-wave') expect(expected.rejected.length).toBeLessThan(expected.tests / 20);
    },
  );
});
