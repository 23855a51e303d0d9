import { describe, expect, it } from 'vitest';
import { exactCorrelation } from '../../src/analysis/correlation-matrix.js';
import { KernelArena, wasmSimdAvailable, type KernelBackend } from '../../src/analysis/kernel-arena.js';
import { PackedRowScan } from '../../src/analysis/packed-row-scan.js';
import { pairIndex } from '../../src/analysis/packed-triangle.js';
import { complete } from '../../src/analysis/sliced.js';
import { StreamingCorrelation } from '../../src/analysis/streaming-correlation.js';
import { summariseCorrelations, topPairs } from '../../src/analysis/top-pairs.js';
import { seeded, type Rng } from './support/random.js';
import { maxAbsDiff, packed, textbookPearson } from './support/reference.js';

const backends: readonly KernelBackend[] = wasmSimdAvailable() ? ['js', 'wasm'] : ['js'];

/** A swarm generator: shared signals, noise, 1e12 offsets, a trend, a level jump, a constant, gaps, an outage. */
function makeSource(rng: Rng, n: number): (step: number) => Float64Array {
  return (step) => {
    const shared = rng.gauss();
    const column = new Float64Array(n);
    for (let i = 0; i < n; i += 1) {
      let x = (i % 3 === 0 ? shared : 0) + rng.gauss();
      if (i % 5 === 1) x += 1e12;
      if (i % 7 === 2) x += 0.05 * step; // drifts far from its shift: exercises re-shifting
      if (i === 4) x = 1234.5;
      if (i === 8 && step >= 3000) x += 1e9; // a level jump far beyond the noise: needs a re-shift
      if (i % 11 === 3 && rng.next() < 0.1) x = NaN;
      if (i === 6 && step % 97 < 4) x = NaN;
      column[i] = x;
    }
    if (step % 500 === 250) column.fill(NaN); // a step where every agent is missing
    return column;
  };
}

/** Plain noisy rows with a shared factor and a few gaps, for the exact kernel. */
function adversarialish(rng: Rng, n: number, w: number): number[][] {
  const f = Array.from({ length: w }, () => rng.gauss());
  return Array.from({ length: n }, (_, i) => f.map((v, t) => (i === 3 && t % 7 === 0 ? NaN : (i % 2) * v + rng.gauss())));
}

function windows(history: Float64Array[], n: number, w: number): number[][] {
  const recent = history.slice(-w);
  return Array.from({ length: n }, (_, i) => recent.map((c) => c[i]!));
}

describe('StreamingCorrelation', () => {
  it.each(backends)('agrees with the exact two-pass result within 1e-9 after 10,000 slides without resync (%s)', (backend) => {
    const n = 24;
    const w = 60;
    const source = makeSource(seeded(1), n);
    const state = new StreamingCorrelation({ capacity: n, window: w, resyncEvery: 0, backend });
    const history: Float64Array[] = [];
    let worst = 0;
    for (let step = 0; step < 10_000 + w; step += 1) {
      const column = source(step);
      history.push(column);
      if (history.length > w) history.shift();
      if (step % 1000 === 999 || step === 10_000 + w - 1) {
        const r = state.pushAndCorrelate(column);
        const exact = exactCorrelation(windows(history, n, w), { minOverlap: state.minOverlap, backend });
        worst = Math.max(worst, maxAbsDiff(r, exact.r));
      } else {
        state.push(column);
      }
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('agrees with the textbook formula pair by pair, including pairs with gaps', () => {
    const n = 15;
    const w = 40;
    const source = makeSource(seeded(2), n);
    const state = new StreamingCorrelation({ capacity: n, window: w });
    const history: Float64Array[] = [];
    for (let step = 0; step < 300; step += 1) {
      const column = source(step);
      history.push(column);
      state.push(column);
    }
    const rows = windows(history, n, w);
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 1; j < n; j += 1) {
        const expected = textbookPearson(rows[i]!, rows[j]!, state.minOverlap);
        const got = state.pair(i, j);
        if (Number.isNaN(expected)) expect(got).toBeNaN();
        else expect(Math.abs(got - expected)).toBeLessThan(1e-10);
      }
    }
  });

  it('keeps agreeing through periodic exact resyncs', () => {
    const n = 10;
    const w = 30;
    const source = makeSource(seeded(3), n);
    const state = new StreamingCorrelation({ capacity: n, window: w, resyncEvery: 17 });
    const history: Float64Array[] = [];
    for (let step = 0; step < 400; step += 1) {
      const column = source(step);
      history.push(column);
      const r = state.pushAndCorrelate(column);
      if (step % 37 === 0)
        expect(maxAbsDiff(r, exactCorrelation(windows(history, n, w), { minOverlap: state.minOverlap }).r)).toBeLessThan(1e-10);
    }
  });

  it('reports no correlation until a pair has minOverlap points, then starts', () => {
    const state = new StreamingCorrelation({ capacity: 2, window: 10 });
    expect(state.minOverlap).toBe(5);
    for (let t = 0; t < 4; t += 1) expect(state.pushAndCorrelate([t, 2 * t + (t % 2)])[0]).toBeNaN();
    expect(state.pushAndCorrelate([4, 8])[0]).toBeGreaterThan(0.9);
    expect(state.isRowValid(0)).toBe(true);
  });

  it('marks a constant row invalid and every pair of it NaN, however large its value', () => {
    const state = new StreamingCorrelation({ capacity: 3, window: 8 });
    let r: Float64Array = new Float64Array();
    for (let t = 0; t < 20; t += 1) r = state.pushAndCorrelate([Math.sin(t), 1e12, Math.cos(t)]);
    expect(state.rowValidity()).toEqual(new Uint8Array([1, 0, 1]));
    expect(r[packed(3, 0, 1)]).toBeNaN();
    expect(r[packed(3, 1, 2)]).toBeNaN();
    expect(Number.isFinite(r[packed(3, 0, 2)]!)).toBe(true);
  });

  it('forgets an agent whose values all left the window, then correlates it afresh', () => {
    const n = 3;
    const w = 12;
    const state = new StreamingCorrelation({ capacity: n, window: w });
    const rng = seeded(4);
    const history: Float64Array[] = [];
    for (let t = 0; t < 100; t += 1) {
      const base = rng.gauss();
      // Agent 1 reports huge values, disappears for more than a window, then returns small.
      const agent1 = t < 30 ? 1e9 * rng.gauss() : t < 50 ? NaN : base + 0.1 * rng.gauss();
      const column = Float64Array.from([base, agent1, rng.gauss()]);
      history.push(column);
      state.push(column);
      if (t === 40) expect(state.isRowValid(1)).toBe(false);
    }
    const rows = windows(history, n, w);
    expect(Math.abs(state.pair(0, 1) - textbookPearson(rows[0]!, rows[1]!, state.minOverlap))).toBeLessThan(1e-12);
  });

  it('seeds from whole windows and replaces one slot with setRow', () => {
    const n = 6;
    const w = 25;
    const rng = seeded(5);
    const rows = Array.from({ length: n }, () => Array.from({ length: w + 5 }, () => rng.gauss()));
    const state = new StreamingCorrelation({ capacity: n + 2, window: w });
    state.seed(rows);
    expect(state.length).toBe(w);
    const expected = exactCorrelation(
      rows.map((r) => r.slice(-w)),
      { minOverlap: state.minOverlap },
    );
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 1; j < n; j += 1) expect(Math.abs(state.pair(i, j) - expected.r[packed(n, i, j)]!)).toBeLessThan(1e-12);
    }
    expect(state.isRowValid(n)).toBe(false); // an unused slot

    // A new agent moves into slot 6 with a short history that copies agent 2's recent values.
    state.setRow(6, rows[2]!.slice(-15));
    expect(state.pair(2, 6)).toBeCloseTo(1, 12);
    state.setRow(6, null);
    expect(state.pair(2, 6)).toBeNaN();

    // And the state keeps streaming correctly afterwards.
    const history = rows.map((r) => r.slice(-w));
    for (let t = 0; t < 40; t += 1) {
      const column = Float64Array.from({ length: n + 2 }, (_, i) => (i < n ? rng.gauss() : NaN));
      state.push(column);
      history.forEach((h, i) => h.push(column[i]!));
    }
    expect(
      maxAbsDiff(
        Float64Array.from({ length: 15 }, (_, k) => state.pair(Math.floor(k / 5), (k % 5) + 1)),
        Float64Array.from({ length: 15 }, (_, k) => {
          const i = Math.floor(k / 5);
          const j = (k % 5) + 1;
          return i === j ? NaN : textbookPearson(history[i]!.slice(-w), history[j]!.slice(-w), state.minOverlap);
        }),
      ),
    ).toBeLessThan(1e-10);
  });

  it('gives bit-identical matrices on the SIMD and the JavaScript kernels', () => {
    if (!wasmSimdAvailable()) return;
    const n = 21;
    const a = new StreamingCorrelation({ capacity: n, window: 33, backend: 'wasm' });
    const b = new StreamingCorrelation({ capacity: n, window: 33, backend: 'js' });
    const source = makeSource(seeded(6), n);
    // Every step: the source's gaps put the window through both fused kernels (with and without
    // private gaps), re-shifts and an all-gap step.
    for (let t = 0; t < 200; t += 1) {
      const column = source(t);
      const bars = { thresholds: new Float64Array(n).fill(0.2), candidateBars: new Float64Array(n).fill(0.4), candidateTau: 0.01 };
      const ra = Array.from(complete(a.pushAndCorrelateSliced(column, bars)));
      const rb = Array.from(complete(b.pushAndCorrelateSliced(column, bars)));
      expect(ra).toEqual(rb);
      expect(a.rowScan()).toEqual(b.rowScan());
    }
  });

  it('finds a trio driven by one load signal (r > 0.9) while independent agents stay below 0.3', () => {
    const n = 12;
    const w = 120;
    const rng = seeded(8);
    const state = new StreamingCorrelation({ capacity: n, window: w });
    const trio = [2, 5, 9];
    let r: Float64Array = new Float64Array();
    for (let t = 0; t < 300; t += 1) {
      const load = 10 * Math.sin(t / 7) + 5 * rng.gauss();
      const column = Float64Array.from({ length: n }, (_, i) => (trio.includes(i) ? 0.8 * load + 2 * rng.gauss() + i : 10 * rng.gauss()));
      r = state.pushAndCorrelate(column);
    }
    const top = topPairs(r, n, 3);
    expect(top.map((p) => [p.a, p.b])).toEqual(
      expect.arrayContaining([
        [2, 5],
        [2, 9],
        [5, 9],
      ]),
    );
    for (const p of top) expect(p.r).toBeGreaterThan(0.9);
    for (let i = 0; i < n; i += 1) {
      for (let j = i + 1; j < n; j += 1) {
        if (!(trio.includes(i) && trio.includes(j))) expect(Math.abs(r[packed(n, i, j)]!)).toBeLessThan(0.3);
      }
    }
  });

  it.each(backends)('gives the same results when several states and the exact kernel share one arena (%s)', (backend) => {
    const arena = new KernelArena(backend);
    const shapes = [
      [9, 20],
      [30, 45],
      [17, 33],
    ] as const; // growing capacities move the shared buffers
    const shared = shapes.map(([n, w]) => new StreamingCorrelation({ capacity: n, window: w, arena, resyncEvery: 25 }));
    const alone = shapes.map(([n, w]) => new StreamingCorrelation({ capacity: n, window: w, backend, resyncEvery: 25 }));
    const sources = shapes.map(([n], k) => makeSource(seeded(40 + k), n));
    const exactRows = adversarialish(seeded(50), 12, 40);
    for (let t = 0; t < 120; t += 1) {
      shapes.forEach((_, k) => {
        const column = sources[k]!(t);
        const a = Array.from(shared[k]!.pushAndCorrelate(column));
        const b = Array.from(alone[k]!.pushAndCorrelate(column));
        expect(a).toEqual(b);
      });
      if (t % 30 === 0)
        expect(Array.from(exactCorrelation(exactRows, { arena }).r)).toEqual(Array.from(exactCorrelation(exactRows, { backend }).r));
    }
  });

  it.each(backends)('summarises from the kernel row statistics exactly as a full scan does (%s)', (backend) => {
    for (const withGaps of [false, true]) {
      const n = 41;
      const rng = seeded(withGaps ? 60 : 61);
      const state = new StreamingCorrelation({ capacity: n, window: 30, backend });
      for (let t = 0; t < 80; t += 1) {
        const shared = rng.gauss();
        const column = Float64Array.from({ length: n }, (_, i) =>
          withGaps && i === 7 && t % 9 === 0 ? NaN : i === 3 ? 5 : (i % 4) * shared + rng.gauss(),
        );
        const r = Float64Array.from(state.pushAndCorrelate(column));
        const fast = state.summary(12, 0.1);
        const full = summariseCorrelations(r, n, 12, 0.1);
        expect(fast.top).toEqual(full.top);
        expect(fast.count).toBe(full.count);
        if (full.count > 0) expect(Math.abs(fast.meanAbs - full.meanAbs)).toBeLessThan(1e-12);
      }
      state.push(Float64Array.from({ length: n }, () => rng.gauss()));
      const after = state.summary(5); // recomputes the matrix first
      expect(after.top).toEqual(summariseCorrelations(Float64Array.from(state.correlations()), n, 5).top);
    }
  });

  it.each(backends)("bins each row's |r| in the fused pass exactly as the significance test's scan does (%s)", (backend) => {
    const n = 37; // odd and even row lengths, scalar tails
    const w = 30;
    const rng = seeded(62);
    const state = new StreamingCorrelation({ capacity: n, window: w, backend });
    const fusedAt = { plain: 0, gapped: 0 };
    let rewritten = 0;
    let candidates = 0;
    for (let t = 0; t < 105; t += 1) {
      const shared = rng.gauss();
      // Row 5 misses steps 20 and 24: windows holding them have private gaps (the gap groups' kernel);
      // row 9 jumps by 1e9 at step 70 (once the jump fills its window, a re-shift rewrites its pairs
      // after the kernel).
      const column = Float64Array.from({ length: n }, (_, i) =>
        i === 5 && (t === 20 || t === 24) ? NaN : (i % 3) * shared + rng.gauss() + (i === 9 && t >= 70 ? 1e9 : 0),
      );
      const thresholds = Float64Array.from({ length: n }, () => 0.1 + 0.5 * rng.next());
      const candidateBars = thresholds.map((x) => x + 0.2 * rng.next());
      const r = Float64Array.from(complete(state.pushAndCorrelateSliced(column, { thresholds, candidateBars, candidateTau: 0.003 })));
      const fused = state.rowScan();
      if (fused === null) {
        rewritten += 1;
        continue;
      }
      if (t >= 20 && t < 24 + w) fusedAt.gapped += 1;
      else fusedAt.plain += 1;
      const scan = new PackedRowScan(r, undefined, n);
      for (let a = 0; a < n - 1; a += 1) {
        expect(fused.rowMax[a]).toBe(scan.stats(pairIndex(n, a, a + 1), n - a - 1, thresholds[a]!));
      }
      const [count, sumAbs] = scan.totals();
      expect(fused.count).toBe(count);
      expect(fused.sumAbs).toBe(sumAbs);
      expect(Array.from(fused.bins)).toEqual(Array.from(scan.histogram()));
      // The candidates: every pair reaching both its rows' candidate bars, in (a, b) order.
      const expected: number[] = [];
      for (let a = 0; a < n - 1; a += 1) {
        for (let b = a + 1; b < n; b += 1) {
          const v = Math.abs(r[pairIndex(n, a, b)]!);
          if (v >= candidateBars[a]! && v >= candidateBars[b]!) expected.push(a, b);
        }
      }
      expect(Array.from(fused.candidates?.pairs ?? [])).toEqual(expected);
      expect(fused.candidates?.tau).toBe(0.003);
      candidates += expected.length / 2;
    }
    // Every path ran: windows without a private gap, windows with one, and a re-shift (no fused result).
    expect(fusedAt.plain).toBeGreaterThan(20);
    expect(fusedAt.gapped).toBe(24 + w - 20);
    expect(rewritten).toBeGreaterThan(0);
    expect(candidates).toBeGreaterThan(100);
    state.pushAndCorrelate(new Float64Array(n).fill(1)); // no bars: nothing to hand over
    expect(state.rowScan()).toBeNull();
  });

  it.each(backends)('lists no candidates when more pairs qualify than it has room for (%s)', (backend) => {
    // 400 rows: 79,800 pairs, every one a candidate at bars of 0 — past the room of 65,536.
    const n = 400;
    const rng = seeded(63);
    const state = new StreamingCorrelation({ capacity: n, window: 12, backend });
    const bars = { thresholds: new Float64Array(n), candidateBars: new Float64Array(n), candidateTau: 0.05 };
    for (let t = 0; t < 12; t += 1)
      complete(
        state.pushAndCorrelateSliced(
          Float64Array.from({ length: n }, () => rng.gauss()),
          bars,
        ),
      );
    const fused = state.rowScan();
    expect(fused?.count).toBe((n * (n - 1)) / 2);
    expect(fused?.candidates).toBeNull();
  });

  it('returns its blocks to a shared arena on dispose, so a replacement reuses them', () => {
    const arena = new KernelArena('js');
    const first = new StreamingCorrelation({ capacity: 50, window: 20, arena });
    first.pushAndCorrelate(new Float64Array(50));
    const reserved = arena.reservedBytes;
    first.dispose();
    const second = new StreamingCorrelation({ capacity: 50, window: 20, arena });
    second.pushAndCorrelate(new Float64Array(50));
    expect(arena.reservedBytes).toBe(reserved);
  });

  it('rejects a capacity or window it cannot hold', () => {
    expect(() => new StreamingCorrelation({ capacity: 1, window: 10 })).toThrow(/capacity/);
    expect(() => new StreamingCorrelation({ capacity: 20_000, window: 10 })).toThrow(/capacity/);
    expect(() => new StreamingCorrelation({ capacity: 4, window: 1 })).toThrow(/window/);
  });
});
