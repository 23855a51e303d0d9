import { describe, expect, it } from 'vitest';
import { significantPairs, significantPairsSliced, type SignificanceInput } from '../../src/analysis/correlation-significance.js';
import { wasmSimdAvailable, type KernelBackend } from '../../src/analysis/kernel-arena.js';
import { pairCount } from '../../src/analysis/packed-triangle.js';
import { complete, rowsWithin, SLICE_WORK, type Sliced } from '../../src/analysis/sliced.js';
import { StreamingCorrelation } from '../../src/analysis/streaming-correlation.js';
import { seeded, type Rng } from './support/random.js';

const backends: readonly KernelBackend[] = wasmSimdAvailable() ? ['js', 'wasm'] : ['js'];

/** Runs a sliced computation to its end; returns its value and the safe points it stopped at. */
function drain<T>(work: Sliced<T>): { value: T; stops: number } {
  let stops = 0;
  for (;;) {
    const step = work.next();
    if (step.done === true) return { value: step.value, stops };
    stops += 1;
  }
}

/** Whether two arrays hold the same bits (toEqual walks 10⁶ elements one by one: minutes). */
function sameBits(a: Float64Array, b: Float64Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/**
 * A swarm's column at `step`: a shared load wave plus each row's noise; the first fifth joins at
 * step 30 (a gap before), every 37th row misses one push in 11, and row 5 sits at 1e9.
 */
function column(rng: Rng, n: number, step: number): Float64Array {
  const wave = Math.sin(step / 9);
  return Float64Array.from({ length: n }, (_, i) => {
    if (i < n / 5 && step < 30) return Number.NaN;
    if (i % 37 === 0 && (step + i) % 11 === 0) return Number.NaN;
    return (i === 5 ? 1e9 : 0) + wave * (1 + (i % 3)) + rng.gauss();
  });
}

describe('rowsWithin', () => {
  it('cuts a packed triangle into runs of at most the given pairs (a longer row alone), covering every row once', () => {
    for (const [n, work] of [
      [2, 1],
      [50, 60],
      [1000, 5000],
      [5000, SLICE_WORK],
    ] as const) {
      const runs: [number, number][] = [];
      for (let from = 0; from < n - 1;) {
        const to = rowsWithin(n, from, n - 1, work);
        runs.push([from, to]);
        from = to;
      }
      expect(runs[0]?.[0]).toBe(0);
      expect(runs.at(-1)?.[1]).toBe(n - 1);
      for (const [from, to] of runs) {
        expect(to).toBeGreaterThan(from);
        let pairs = 0;
        for (let i = from; i < to; i += 1) pairs += n - 1 - i;
        if (to - from > 1) expect(pairs).toBeLessThanOrEqual(work);
      }
      for (let k = 1; k < runs.length; k += 1) expect(runs[k]?.[0]).toBe(runs[k - 1]?.[1]);
    }
  });
});

describe.each(backends)('sliced streaming correlation (%s)', (backend) => {
  const n = 1200;
  const w = 40;

  it('stops at least every SLICE_WORK pairs and gives the unsliced result bit for bit, joiners and missed pushes included', () => {
    const whole = new StreamingCorrelation({ capacity: n, window: w, backend, minOverlap: 10 });
    const sliced = new StreamingCorrelation({ capacity: n, window: w, backend, minOverlap: 10 });
    const rng = seeded(11);
    const pairs = pairCount(n);
    for (let step = 0; step < 3 * w; step += 1) {
      const x = column(rng, n, step);
      const expected = Float64Array.from(whole.pushAndCorrelate(x));
      const { value, stops } = drain(sliced.pushAndCorrelateSliced(x));
      expect(sameBits(value, expected)).toBe(true);
      // The fused kernel alone has pairs / SLICE_WORK runs; gap repairs add their own stops.
      expect(stops).toBeGreaterThanOrEqual(Math.floor(pairs / SLICE_WORK));
    }
    whole.dispose();
    sliced.dispose();
  });

  it('seeds, grows and resyncs in slices to the same state as the unsliced calls', () => {
    const rng = seeded(12);
    const rows = Array.from({ length: n }, (_, i) =>
      Float64Array.from({ length: w }, (_, t) => (i % 9 === 0 && t < 15 ? Number.NaN : Math.cos(t / 5) * (i % 4) + rng.gauss())),
    );
    const whole = new StreamingCorrelation({ capacity: n, window: w, backend, minOverlap: 10 });
    const sliced = new StreamingCorrelation({ capacity: n, window: w, backend, minOverlap: 10 });
    whole.seed(rows);
    expect(drain(sliced.seedSliced(rows)).stops).toBeGreaterThan(1);
    const grownWhole = whole.grown(n + 200);
    // A copy is cheap: it stops every 4·SLICE_WORK pairs, once here at most.
    const grown = drain(sliced.grownSliced(n + 200));
    const x = column(rng, n + 200, 40);
    const r = Float64Array.from(drain(grown.value.pushAndCorrelateSliced(x)).value);
    expect(sameBits(r, Float64Array.from(grownWhole.pushAndCorrelate(x)))).toBe(true);
    expect(r.some((v) => Math.abs(v) > 0.5)).toBe(true);
    expect(sameBits(Float64Array.from(drain(grown.value.correlationsSliced()).value), Float64Array.from(grownWhole.correlations()))).toBe(
      true,
    );
    grownWhole.dispose();
    grown.value.dispose();
  });
});

describe('sliced significance test', () => {
  it('gives the unsliced result and stops on its passes over a large matrix', () => {
    const n = 1500;
    const rng = seeded(13);
    const r = Float64Array.from({ length: pairCount(n) }, () => Math.tanh(0.09 * rng.gauss()));
    // A coupled block: rows 0..29 move together.
    for (let a = 0; a < 30; a += 1) for (let b = a + 1; b < 30; b += 1) r[(a * (2 * n - a - 1)) / 2 + b - a - 1] = 0.7 + 0.01 * rng.gauss();
    const input: SignificanceInput = {
      r,
      rows: n,
      nMax: 119,
      fdr: 0.05,
      facts: () => ({ n: 119, rhoA: 0.1, rhoB: -0.2 }),
      rowFacts: () => ({ points: 119, rho: 0.1 }),
      limit: 20,
    };
    const expected = significantPairs(input);
    const { value, stops } = drain(significantPairsSliced(input));
    expect(value).toEqual(expected);
    expect(value.significant.length).toBe(20);
    expect(stops).toBeGreaterThanOrEqual(Math.floor(pairCount(n) / SLICE_WORK));
    expect(complete(significantPairsSliced(input))).toEqual(expected);
  });
});
