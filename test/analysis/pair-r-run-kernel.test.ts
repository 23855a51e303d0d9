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

// pair_r_gather, the repair of one row's partners scattered over many gap groups: the same bits
// as its JS twin and as the formula with each partner's group, on an unordered partner list.
describe.skipIf(!wasmSimdAvailable())('pair_r_gather', () => {
  it.each([0, 1, 5, 64, 301])('matches its JS twin and the formula bit for bit (%i partners)', (count) => {
    const rows = 400;
    const groups = 7;
    const results = [new KernelArena('wasm'), new KernelArena('js')].map((arena) => {
      const data = seeded(500 + count);
      const [s, sx, inv, r, own] = [rows, rows, rows, rows, 2 * groups].map((length) => arena.alloc(length)) as [
        number,
        number,
        number,
        number,
        number,
      ];
      const groupOf = arena.alloc(rows / 2);
      const list = arena.alloc(rows / 2);
      const sv = arena.f64(s, rows);
      const sxv = arena.f64(sx, rows);
      const invv = arena.f64(inv, rows);
      const ov = arena.f64(own, 2 * groups);
      for (let j = 0; j < rows; j += 1) {
        sv[j] = 50 * data.gauss();
        sxv[j] = 10 * data.gauss();
        invv[j] = data.next() < 0.1 ? NaN : 1 / (20 + 10 * data.next());
      }
      // Each group's (p, q) = (n·(1/σ), sum·(1/σ)); group 3's 1/σ undefined.
      for (let h = 0; h < groups; h += 1) {
        const invH = h === 3 ? NaN : 0.02 + 0.01 * data.next();
        ov[2 * h] = (30 + h) * invH;
        ov[2 * h + 1] = data.gauss() * invH;
      }
      // A pair whose r rounds past 1 gets clamped.
      sv[7] = 1e6;
      invv[7] = 1;
      const groupsOf = new Int32Array(arena.buffer, groupOf, rows);
      for (let j = 0; j < rows; j += 1) groupsOf[j] = Math.floor(data.next() * groups);
      groupsOf[7] = 0; // a group whose 1/σ is defined
      const partners = Array.from({ length: rows }, (_, j) => j)
        .sort(() => data.next() - 0.5)
        .slice(0, count);
      if (count > 0) partners[0] = 7;
      new Int32Array(arena.buffer, list, count).set(partners);
      arena.f64(r, rows).fill(-5);
      arena.kernels.pair_r_gather(s, sx, inv, groupOf, list, count, own, r);
      const expected = new Float64Array(rows).fill(-5);
      for (const j of partners) {
        const h = groupsOf[j] as number;
        const raw = ((ov[2 * h] as number) * (sv[j] as number) - (ov[2 * h + 1] as number) * (sxv[j] as number)) * (invv[j] as number);
        expected[j] = Math.min(1, Math.max(-1, raw));
      }
      return { r: Array.from(arena.f64(r, rows)), expected: Array.from(expected) };
    });
    const [wasm, js] = results as [{ r: number[]; expected: number[] }, { r: number[]; expected: number[] }];
    expect(wasm.r).toEqual(js.r);
    expect(wasm.r).toEqual(wasm.expected);
    if (count > 0) expect(wasm.r[7]).toBe(1);
  });
});
