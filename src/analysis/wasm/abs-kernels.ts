// abs_scan and abs_collect: the significance test's passes over one row of a packed matrix of r
// (packed-row-scan.ts), in WebAssembly SIMD (f64x2).
import { F64, I32, V128, ins, type WasmFunction } from './wasm-encoder.js';
import {
  Locals,
  absStatsLocals,
  addAbsLanes,
  addAbsScalar,
  binIncrement,
  clearAbsStats,
  get,
  i32,
  ifAnyLaneAtLeast,
  maxOfLanes,
  set,
  sumOfLanes,
  tee,
  vectorLoop,
} from './kernel-builder.js';

/**
 * abs_scan(r, count, threshold, scale, bins, totals) → max: over r[0, count), the largest |r| (0 when
 * none is finite); adds the count of finite values and the sum of their |r| to the f64 totals[0] and
 * totals[1] (summed in two lanes, even and odd positions, then the odd tail: lane0 + lane1 + tail);
 * and for each |r| ≥ threshold increments the i32 bins[trunc(min(|r|, 1)·scale)] (bins holds
 * scale + 1 counts). The significance test's first pass over one row of the packed matrix: a value
 * below the threshold (most pairs) costs a few vector operations and no branch.
 */
export function absScan(): WasmFunction {
  const r = 0,
    count = 1,
    threshold = 2,
    scale = 3,
    bins = 4,
    totals = 5;
  const L = new Locals(6);
  const k = L.add(I32);
  const end = L.add(I32);
  const at = L.add(I32);
  const absv = L.add(V128);
  const thr = L.add(V128);
  const x = L.add(F64);
  const rs = L.add(F64);
  const stats = absStatsLocals(L);

  // bins[trunc(min(x, 1)·scale)] += 1 when x ≥ threshold (false for NaN).
  const binX: number[] = [...get(x), ...get(threshold), ...ins.f64Ge(), ...ins.if(), ...binIncrement(x, scale, bins, at), ...ins.end()];
  const vec: number[] = [
    ...get(r),
    ...get(k),
    ...ins.i32Add(),
    ...ins.v128Load(),
    ...ins.f64x2Abs(),
    ...set(absv),
    ...addAbsLanes(absv, stats),
    ...ifAnyLaneAtLeast(absv, thr, x, () => binX),
  ];
  const tail: number[] = [
    ...get(r),
    ...get(k),
    ...ins.i32Add(),
    ...ins.f64Load(),
    ...ins.f64Abs(),
    ...set(x),
    ...addAbsScalar(x, stats),
    ...binX,
  ];
  const body: number[] = [
    ...get(count),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(end),
    ...get(threshold),
    ...ins.f64x2Splat(),
    ...set(thr),
    ...ins.f64(1),
    ...ins.f64x2Splat(),
    ...set(stats.one),
    ...clearAbsStats(stats),
    ...i32(0),
    ...set(k),
    ...vectorLoop(k, end, vec, tail),
    // totals[0] += (lane0 + lane1) + tail count; totals[1] += (lane0 + lane1) + tail sum
    ...get(totals),
    ...get(totals),
    ...ins.f64Load(),
    ...sumOfLanes(stats.vcnt, stats.scnt),
    ...ins.f64Add(),
    ...ins.f64Store(),
    ...get(totals),
    ...get(totals),
    ...ins.f64Load(8),
    ...sumOfLanes(stats.vsum, stats.ssum),
    ...ins.f64Add(),
    ...ins.f64Store(8),
    ...maxOfLanes(stats.vmax, stats.smax, rs),
  ];
  return { name: 'abs_scan', params: [I32, I32, F64, F64, I32, I32], results: [F64], locals: L.types, body };
}

/**
 * abs_collect(r, count, bar, out) → found: writes the positions t < count with |r[t]| ≥ bar, in
 * order, to the i32 array out and returns how many there are (NaN never qualifies). The
 * significance test's second pass over one row: most values are below the bar.
 */
export function absCollect(): WasmFunction {
  const r = 0,
    count = 1,
    bar = 2,
    out = 3;
  const L = new Locals(4);
  const k = L.add(I32);
  const end = L.add(I32);
  const found = L.add(I32);
  const absv = L.add(V128);
  const thr = L.add(V128);
  // if (x ≥ bar) { out[found] = position; found += 1 }
  const keep = (value: number[], position: number[]): number[] => [
    ...value,
    ...get(bar),
    ...ins.f64Ge(),
    ...ins.if(),
    ...get(found),
    ...i32(2),
    ...ins.i32Shl(),
    ...get(out),
    ...ins.i32Add(),
    ...position,
    ...ins.i32Store(),
    ...get(found),
    ...i32(1),
    ...ins.i32Add(),
    ...set(found),
    ...ins.end(),
  ];
  const position = (lane: number): number[] => [...get(k), ...i32(3), ...ins.i32ShrU(), ...i32(lane), ...ins.i32Add()];
  const vec: number[] = [
    ...get(r),
    ...get(k),
    ...ins.i32Add(),
    ...ins.v128Load(),
    ...ins.f64x2Abs(),
    ...tee(absv),
    ...get(thr),
    ...ins.f64x2Ge(),
    ...ins.v128AnyTrue(),
    ...ins.if(),
    ...keep([...get(absv), ...ins.f64x2ExtractLane(0)], position(0)),
    ...keep([...get(absv), ...ins.f64x2ExtractLane(1)], position(1)),
    ...ins.end(),
  ];
  const body: number[] = [
    ...get(count),
    ...i32(3),
    ...ins.i32Shl(),
    ...set(end),
    ...get(bar),
    ...ins.f64x2Splat(),
    ...set(thr),
    ...i32(0),
    ...set(k),
    ...i32(0),
    ...set(found),
    ...vectorLoop(k, end, vec, keep([...get(r), ...get(k), ...ins.i32Add(), ...ins.f64Load(), ...ins.f64Abs()], position(0))),
    ...get(found),
  ];
  return { name: 'abs_collect', params: [I32, I32, F64, I32], results: [I32], locals: L.types, body };
}
