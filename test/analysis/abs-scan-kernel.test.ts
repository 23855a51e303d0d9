import { describe, expect, it } from 'vitest';
import { KernelArena, wasmSimdAvailable } from '../../src/analysis/kernel-arena.js';
import { HISTOGRAM_BINS, PackedRowScan, reserveRowScan } from '../../src/analysis/packed-row-scan.js';
import { seeded } from './support/random.js';

// abs_scan and abs_collect, the significance test's scans of one row of |r|: the WebAssembly SIMD
// versions and their JS twins give the same bits, and both give what the definitions written out
// here give — on odd lengths, 8-byte (not 16-byte) aligned rows, NaN values, |r| = 1 and values on
// the threshold itself.

/** A row of r in [−1, 1] with NaNs, exact ±1, and values on `threshold`. */
function rowOf(count: number, seed: number, threshold: number): Float64Array {
  const data = seeded(seed);
  return Float64Array.from({ length: count }, (_, t) => {
    const u = data.next();
    if (u < 0.1) return Number.NaN;
    if (u < 0.13) return t % 2 === 0 ? 1 : -1;
    if (u < 0.16) return t % 2 === 0 ? threshold : -threshold;
    return Math.max(-1, Math.min(1, 0.3 * data.gauss()));
  });
}

describe.skipIf(!wasmSimdAvailable())('abs_scan and abs_collect', () => {
  it.each([0, 1, 2, 3, 7, 64, 129, 1001])('match their JS twins and the definitions (count %i)', (count) => {
    const threshold = 180 / HISTOGRAM_BINS;
    const bar = 0.25;
    const values = rowOf(count, 300 + count, threshold);
    const results = (['wasm', 'js'] as const).map((backend) => {
      const arena = new KernelArena(backend);
      reserveRowScan(arena, count + 2);
      // One spare value first: the row starts 8 bytes past a 16-byte boundary.
      const offset = arena.alloc(count + 2);
      const r = arena.f64(offset + 8, count);
      r.set(values);
      const scan = new PackedRowScan(r, arena, count + 2);
      const max = scan.stats(0, count, threshold);
      const collected = Array.from(scan.collect(0, count, bar));
      return { max, totals: Array.from(scan.totals()), bins: Array.from(scan.histogram()), collected };
    });
    const [wasm, js] = results as [(typeof results)[0], (typeof results)[0]];
    expect(wasm).toEqual(js);

    const finite = Array.from(values).filter((v) => !Number.isNaN(v));
    const abs = finite.map(Math.abs);
    expect(wasm.max).toBe(abs.length === 0 ? 0 : Math.max(...abs));
    expect(wasm.totals[0]).toBe(finite.length);
    expect(wasm.totals[1]).toBeCloseTo(
      abs.reduce((a, b) => a + b, 0),
      12,
    );
    const bins = new Array<number>(HISTOGRAM_BINS + 1).fill(0);
    for (const x of abs) {
      const bin = Math.trunc(x * HISTOGRAM_BINS);
      if (x >= threshold) bins[bin] = (bins[bin] ?? 0) + 1;
    }
    expect(wasm.bins).toEqual(bins);
    const positions = Array.from(values.keys()).filter((t) => Math.abs(values[t] as number) >= bar);
    expect(wasm.collected).toEqual(positions);
  });

  it('scans rows of a matrix outside any arena with the same results as inside one', () => {
    const values = rowOf(333, 17, 0.2);
    const plain = new PackedRowScan(values, undefined, 400);
    const arena = new KernelArena('wasm');
    reserveRowScan(arena, 400);
    const r = arena.f64(arena.alloc(333), 333);
    r.set(values);
    const inArena = new PackedRowScan(r, arena, 400);
    for (const scan of [plain, inArena]) {
      scan.stats(0, 100, 0.2);
      scan.stats(100, 233, 0.2);
    }
    expect(Array.from(inArena.totals())).toEqual(Array.from(plain.totals()));
    expect(Array.from(inArena.histogram())).toEqual(Array.from(plain.histogram()));
    expect(Array.from(inArena.collect(50, 200, 0.3))).toEqual(Array.from(plain.collect(50, 200, 0.3)));
  });

  it('refuses a matrix view the scratch reservation would detach', () => {
    const arena = new KernelArena('wasm');
    const r = arena.f64(arena.alloc(10), 10);
    // No reserveRowScan: the scan's scratch (room for 10⁶ rows) grows the arena under r.
    expect(() => new PackedRowScan(r, arena, 1_000_000)).toThrow(/reserveRowScan/);
  });
});
