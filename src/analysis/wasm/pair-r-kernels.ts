// pair_r_run and pair_r_gather: the gap repair's r of one row's partners from the gap groups'
// corrected sums (streaming-correlation.ts, repairRow), in WebAssembly SIMD (f64x2) and scalar code.
import { F64, I32, V128, ins, type WasmFunction } from './wasm-encoder.js';
import { Locals, get, i32, set, tee, vectorLoop } from './kernel-builder.js';

/**
 * pair_r_run(s, sx, inv, count, nObs, sxi, invi, r): for t < count,
 * r[t] = clamp((nObs·s[t] − sxi·sx[t])·invi·inv[t], −1, 1) (NaN stays NaN) — stream_update_r's
 * formula for one run of one row's pairs whose partners share one gap group, with that group's
 * corrected sums: the gap repair of streaming-correlation.ts as a vector loop. Addresses need
 * only 8-byte alignment.
 */
export function pairRRun(): WasmFunction {
  const s = 0,
    sx = 1,
    inv = 2,
    count = 3,
    nObs = 4,
    sxi = 5,
    invi = 6,
    rOut = 7;
  const L = new Locals(8);
  const k = L.add(I32); // byte offset into every array
  const end = L.add(I32); // 8·count
  const nv = L.add(V128);
  const sxv = L.add(V128);
  const invv = L.add(V128);
  const one = L.add(V128);
  const minusOne = L.add(V128);
  const addr = (base: number): number[] => [...get(base), ...get(k), ...ins.i32Add()];
  const vec: number[] = [
    ...addr(rOut),
    ...get(nv),
    ...addr(s),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...get(sxv),
    ...addr(sx),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...ins.f64x2Sub(),
    ...get(invv),
    ...ins.f64x2Mul(),
    ...addr(inv),
    ...ins.v128Load(),
    ...ins.f64x2Mul(),
    ...get(minusOne),
    ...ins.f64x2Pmax(),
    ...get(one),
    ...ins.f64x2Pmin(),
    ...ins.v128Store(),
  ];
  const scalar: number[] = [
    ...addr(rOut),
    ...get(nObs),
    ...addr(s),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...get(sxi),
    ...addr(sx),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64Sub(),
    ...get(invi),
    ...ins.f64Mul(),
    ...addr(inv),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64(-1),
    ...ins.f64Max(),
    ...ins.f64(1),
    ...ins.f64Min(),
    ...ins.f64Store(),
  ];
  const body: number[] = [
    ...get(count),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(end),
    ...get(nObs),
    ...ins.f64x2Splat(),
    ...set(nv),
    ...get(sxi),
    ...ins.f64x2Splat(),
    ...set(sxv),
    ...get(invi),
    ...ins.f64x2Splat(),
    ...set(invv),
    ...ins.f64(1),
    ...ins.f64x2Splat(),
    ...set(one),
    ...ins.f64(-1),
    ...ins.f64x2Splat(),
    ...set(minusOne),
    ...i32(0),
    ...set(k),
    ...vectorLoop(k, end, vec, scalar),
  ];
  return { name: 'pair_r_run', params: [I32, I32, I32, I32, F64, F64, F64, I32], results: [], locals: L.types, body };
}

/**
 * pair_r_gather(s, sx, inv, groupOf, list, count, own, r): for k < count, with j = list[k] (i32) and
 * its group h = groupOf[j] (i32), r[j] = clamp((own[2h]·s[j] − own[2h + 1]·sx[j])·inv[j], −1, 1):
 * one row's partners scattered over many gap groups, with the row's own factors for each group
 * (own: f64 pairs p = n·(1/σ), q = sum·(1/σ) over the steps it shares with that group, as
 * stream_update_groups reads them). A churning swarm's joiners and leavers sit in scattered slots,
 * so its runs of one group are a slot or two long. Addresses need only natural alignment.
 */
export function pairRGather(): WasmFunction {
  const s = 0,
    sx = 1,
    inv = 2,
    groupOf = 3,
    list = 4,
    count = 5,
    own = 6,
    rOut = 7;
  const L = new Locals(8);
  const k = L.add(I32); // byte offset into list
  const end = L.add(I32); // 4·count
  const j8 = L.add(I32); // 8·j
  const h16 = L.add(I32); // 16·h
  const body: number[] = [
    ...get(count),
    ...i32(2),
    ...ins.i32Shl(),
    ...set(end),
    ...i32(0),
    ...set(k),
    ...ins.block(),
    ...ins.loop(),
    ...get(k),
    ...get(end),
    ...ins.i32GeU(),
    ...ins.brIf(1),
    // j8 = 8·list[k]; h16 = 16·groupOf[j]
    ...get(list),
    ...get(k),
    ...ins.i32Add(),
    ...ins.i32Load(),
    ...tee(j8),
    ...i32(2),
    ...ins.i32Shl(),
    ...get(groupOf),
    ...ins.i32Add(),
    ...ins.i32Load(),
    ...i32(4),
    ...ins.i32Shl(),
    ...set(h16),
    ...get(j8),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(j8),
    // r[j] = clamp((own[2h]·s[j] − own[2h + 1]·sx[j])·inv[j])
    ...get(rOut),
    ...get(j8),
    ...ins.i32Add(),
    ...get(own),
    ...get(h16),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...get(s),
    ...get(j8),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...get(own),
    ...get(h16),
    ...ins.i32Add(),
    ...ins.f64Load(8),
    ...get(sx),
    ...get(j8),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64Sub(),
    ...get(inv),
    ...get(j8),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Mul(),
    ...ins.f64(-1),
    ...ins.f64Max(),
    ...ins.f64(1),
    ...ins.f64Min(),
    ...ins.f64Store(),
    ...get(k),
    ...i32(4),
    ...ins.i32Add(),
    ...set(k),
    ...ins.br(0),
    ...ins.end(),
    ...ins.end(),
  ];
  return { name: 'pair_r_gather', params: [I32, I32, I32, I32, I32, I32, I32, I32], results: [], locals: L.types, body };
}
