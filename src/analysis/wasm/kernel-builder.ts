// What the correlation kernels (correlation-wasm.ts) are written with: locals allocated after the
// parameters, the loop shapes they share, the |r| statistics and histogram that abs_scan and the
// fused update both keep, and the short names of the instructions used everywhere.
import { F64, V128, ins, type ValType } from './wasm-encoder.js';

export const { get, set, tee } = ins;
export const i32 = ins.i32;

/** Allocates locals after the parameters and remembers their types. */
export class Locals {
  readonly types: ValType[] = [];
  constructor(private readonly paramCount: number) {}
  add(type: ValType): number {
    this.types.push(type);
    return this.paramCount + this.types.length - 1;
  }
}

/** `for (local = start; local < end; local += step) body` where start/end/step are byte sequences. */
export function forLoop(local: number, start: number[], end: number[], step: number[], body: number[]): number[] {
  return [
    ...start,
    ...set(local),
    ...ins.block(),
    ...ins.loop(),
    ...get(local),
    ...end,
    ...ins.i32GeU(),
    ...ins.brIf(1),
    ...body,
    ...get(local),
    ...step,
    ...ins.i32Add(),
    ...set(local),
    ...ins.br(0),
    ...ins.end(),
    ...ins.end(),
  ];
}

/**
 * `for (k = 0; k + 16 <= end; k += 16) vec; if (k < end) tail`: a loop over two f64 lanes at a time
 * with a one-value tail, `k` and `end` byte offsets (locals) the bodies read; k starts where it is.
 */
export function vectorLoop(k: number, end: number, vec: readonly number[], tail: readonly number[]): number[] {
  return [
    ...ins.block(),
    ...ins.loop(),
    ...get(k),
    ...i32(16),
    ...ins.i32Add(),
    ...get(end),
    ...ins.i32GtS(),
    ...ins.brIf(1),
    ...vec,
    ...get(k),
    ...i32(16),
    ...ins.i32Add(),
    ...set(k),
    ...ins.br(0),
    ...ins.end(),
    ...ins.end(),
    ...get(k),
    ...get(end),
    ...ins.i32LtS(),
    ...ins.if(),
    ...tail,
    ...ins.end(),
  ];
}

/**
 * Leaves max(lane0, lane1, scalar) of the f64x2 local `lanes` and the f64 local `scalar` on the stack
 * (rs = lane1 > lane0 ? lane1 : lane0; then scalar > rs ? scalar : rs), using the f64 local `rs`: a
 * row's largest |r| from the vector loop's lanes and its scalar tail.
 */
export function maxOfLanes(lanes: number, scalar: number, rs: number): number[] {
  return [
    ...get(lanes),
    ...ins.f64x2ExtractLane(0),
    ...set(rs),
    ...get(lanes),
    ...ins.f64x2ExtractLane(1),
    ...get(rs),
    ...get(lanes),
    ...ins.f64x2ExtractLane(1),
    ...get(rs),
    ...ins.f64Gt(),
    ...ins.select(),
    ...set(rs),
    ...get(scalar),
    ...get(rs),
    ...get(scalar),
    ...get(rs),
    ...ins.f64Gt(),
    ...ins.select(),
  ];
}

/**
 * The locals carrying a row's |r| statistics as abs_scan and the fused update sum them: two f64x2
 * lanes (even and odd pairs of the row) and a scalar tail, each with the largest |r|, the sum of the
 * finite ones and their count. `mask` is a v128 scratch; `one` holds f64x2(1, 1).
 */
export interface AbsStats {
  readonly vmax: number;
  readonly vsum: number;
  readonly vcnt: number;
  readonly smax: number;
  readonly ssum: number;
  readonly scnt: number;
  readonly mask: number;
  readonly one: number;
}

/** Allocates the statistics' locals. */
export function absStatsLocals(L: Locals): AbsStats {
  return {
    vmax: L.add(V128),
    vsum: L.add(V128),
    vcnt: L.add(V128),
    smax: L.add(F64),
    ssum: L.add(F64),
    scnt: L.add(F64),
    mask: L.add(V128),
    one: L.add(V128),
  };
}

/** Zeroes the statistics (`one` is left alone). */
export function clearAbsStats(s: AbsStats): number[] {
  return [
    ...ins.f64(0),
    ...ins.f64x2Splat(),
    ...tee(s.vmax),
    ...tee(s.vsum),
    ...set(s.vcnt),
    ...ins.f64(0),
    ...tee(s.smax),
    ...tee(s.ssum),
    ...set(s.scnt),
  ];
}

/**
 * Adds the f64x2 local `absv` (two |r|) to the lanes: pmax ignores a NaN second operand; the eq mask
 * zeroes NaN lanes in the sum and the count.
 */
export function addAbsLanes(absv: number, s: AbsStats): number[] {
  return [
    ...get(s.vmax),
    ...get(absv),
    ...ins.f64x2Pmax(),
    ...set(s.vmax),
    ...get(absv),
    ...get(absv),
    ...ins.f64x2Eq(),
    ...set(s.mask),
    ...get(s.vsum),
    ...get(absv),
    ...get(s.mask),
    ...ins.v128And(),
    ...ins.f64x2Add(),
    ...set(s.vsum),
    ...get(s.vcnt),
    ...get(s.one),
    ...get(s.mask),
    ...ins.v128And(),
    ...ins.f64x2Add(),
    ...set(s.vcnt),
  ];
}

/** Adds the f64 local `x` (the tail's |r|): smax = x > smax ? x : smax (false for NaN); a finite x adds to the sum and the count. */
export function addAbsScalar(x: number, s: AbsStats): number[] {
  return [
    ...get(x),
    ...get(s.smax),
    ...get(x),
    ...get(s.smax),
    ...ins.f64Gt(),
    ...ins.select(),
    ...set(s.smax),
    ...get(x),
    ...get(x),
    ...ins.f64Eq(),
    ...ins.if(),
    ...get(s.ssum),
    ...get(x),
    ...ins.f64Add(),
    ...set(s.ssum),
    ...get(s.scnt),
    ...ins.f64(1),
    ...ins.f64Add(),
    ...set(s.scnt),
    ...ins.end(),
  ];
}

/** Leaves (lane0 + lane1) + scalar of the f64x2 local `lanes` and the f64 local `scalar` on the stack: a row's sum or count. */
export function sumOfLanes(lanes: number, scalar: number): number[] {
  return [
    ...get(lanes),
    ...ins.f64x2ExtractLane(0),
    ...get(lanes),
    ...ins.f64x2ExtractLane(1),
    ...ins.f64Add(),
    ...get(scalar),
    ...ins.f64Add(),
  ];
}

/** bins[trunc(min(x, 1)·scale)] += 1: the i32 histogram of |r| (`x`, `scale` f64 locals; `bins` an address, `at` an i32 scratch local). */
export function binIncrement(x: number, scale: number, bins: number, at: number): number[] {
  return [
    ...get(x),
    ...ins.f64(1),
    ...ins.f64Min(),
    ...get(scale),
    ...ins.f64Mul(),
    ...ins.i32TruncSatF64S(),
    ...i32(2),
    ...ins.i32Shl(),
    ...get(bins),
    ...ins.i32Add(),
    ...tee(at),
    ...get(at),
    ...ins.i32Load(),
    ...i32(1),
    ...ins.i32Add(),
    ...ins.i32Store(),
  ];
}

/**
 * When either lane of the f64x2 local `absv` is at or above the f64x2 local `bar`: each lane in turn
 * into the f64 local `x`, then `perLane(lane)` (which tests its own lane again). Most pairs are
 * below: one comparison and no branch taken.
 */
export function ifAnyLaneAtLeast(absv: number, bar: number, x: number, perLane: (lane: 0 | 1) => number[]): number[] {
  return [
    ...get(absv),
    ...get(bar),
    ...ins.f64x2Ge(),
    ...ins.v128AnyTrue(),
    ...ins.if(),
    ...get(absv),
    ...ins.f64x2ExtractLane(0),
    ...set(x),
    ...perLane(0),
    ...get(absv),
    ...ins.f64x2ExtractLane(1),
    ...set(x),
    ...perLane(1),
    ...ins.end(),
  ];
}
