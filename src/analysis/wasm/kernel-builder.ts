// What the correlation kernels (correlation-wasm.ts) are written with: locals allocated after the
// parameters, the loop shapes they share, and the short names of the instructions used everywhere.
import { ins, type ValType } from './wasm-encoder.js';

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
