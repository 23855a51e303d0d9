import { describe, expect, it } from 'vitest';
import { KernelArena, wasmSimdAvailable } from '../../src/analysis/kernel-arena.js';
import { seeded } from './support/random.js';

// pair_r_run, the gap repair's vector kernel: the WebAssembly SIMD version and its JS twin give the
// same bits, and both give the formula written out here, on odd lengths, 8-byte (not 16-byte)
// aligned addresses, NaN partners and values that round past ±1.
describe.skipIf(!wasmSimdAvailable())('pair_r_run', () => {
  it.each([0, 1, 2, 3, 7, 64, 129])('matches its JS twin and the formula bit for bit (count %i)', (count) => {
    const arenas = [new KernelArena('wasm'), new KernelArena('js')];
    const results = arenas.map((arena) => {
      // One spare value first: every array starts 8 bytes past a 16-byte boundary.
      const offsets = [0, 1, 2, 3].map(() => arena.alloc(count + 2) + 8);
      const [s, sx, inv, r] = offsets.map((o) => arena.f64(o, count)) as [Float64Array, Float64Array, Float64Array, Float64Array];
      const data = seeded(200 + count);
      for (let t = 0; t < count; t += 1) {
        s[t] = 50 * data.gauss();
        sx[t] = 10 * data.gauss();
        inv[t] = data.next() < 0.1 ? NaN : 1 / (20 + 10 * data.next());
      }
      // A pair whose r rounds past 1 gets clamped.
      if (count > 2) {
        s[1] = 1e6;
        inv[1] = 1;
      }
      arena.kernels.pair_r_run(
        offsets[0] as number,
        offsets[1] as number,
        offsets[2] as number,
        count,
        40,
        3.5,
        0.02,
        offsets[3] as number,
      );
      const expected = Float64Array.from({ length: count }, (_, t) =>
        Math.min(1, Math.max(-1, (40 * (s[t] as number) - 3.5 * (sx[t] as number)) * 0.02 * (inv[t] as number))),
      );
      return { r: Array.from(r), expected: Array.from(expected) };
    });
    const [wasm, js] = results as [{ r: number[]; expected: number[] }, { r: number[]; expected: number[] }];
    expect(wasm.r).toEqual(js.r);
    expect(wasm.r).toEqual(wasm.expected);
    if (count > 2) expect(wasm.r[1]).toBe(1);
  });
});
