// The WebAssembly SIMD (f64x2) versions of the O(N²) correlation loops: the blocked row-by-row dot
// products (exact matrix and resync), the fused streaming update, the gap repair's runs, and the
// significance test's two scans of |r| (statistics and histogram; the pairs above a bar).
//
// All work on byte addresses in one shared linear memory; the matrices are packed upper triangles
// without the diagonal (see packed-triangle.ts). Their JS twins in correlation-loops.ts define the
// semantics; tests run both on the same inputs.
//
// One module, its kernels one file per family: gemm-kernel.ts, stream-update-kernel.ts,
// pair-r-kernels.ts, abs-kernels.ts (written with kernel-builder.ts).
import { encodeModule } from './wasm-encoder.js';
import { absCollect, absScan } from './abs-kernels.js';
import { gemmPacked } from './gemm-kernel.js';
import { pairRGather, pairRRun } from './pair-r-kernels.js';
import { streamUpdate } from './stream-update-kernel.js';

/** The module's bytes (built once per process). */
export function correlationModuleBytes(): Uint8Array {
  return encodeModule([
    gemmPacked(),
    streamUpdate('plain'),
    streamUpdate('r'),
    streamUpdate('groups'),
    pairRRun(),
    pairRGather(),
    absScan(),
    absCollect(),
  ]);
}

/** The exports of an instance, typed. Addresses are byte offsets into the shared memory. */
export interface CorrelationWasmExports {
  gemm_packed(z: number, stride: number, n: number, i0: number, i1: number, j0: number, j1: number, out: number): void;
  stream_update(s: number, a: number, b: number, n: number): void;
  stream_update_r(
    s: number,
    a: number,
    b: number,
    n: number,
    sx: number,
    inv: number,
    nObs: number,
    r: number,
    stats: number,
    from: number,
    to: number,
    thresholds: number,
    scale: number,
    bins: number,
    candidateBars: number,
    candidates: number,
    candidateRoom: number,
  ): void;
  stream_update_groups(
    s: number,
    a: number,
    b: number,
    n: number,
    groupOf: number,
    g: number,
    corr: number,
    r: number,
    stats: number,
    from: number,
    to: number,
    thresholds: number,
    scale: number,
    bins: number,
    candidateBars: number,
    candidates: number,
    candidateRoom: number,
  ): void;
  pair_r_run(s: number, sx: number, inv: number, count: number, nObs: number, sxi: number, invi: number, r: number): void;
  pair_r_gather(s: number, sx: number, inv: number, groupOf: number, list: number, count: number, own: number, r: number): void;
  abs_scan(r: number, count: number, threshold: number, scale: number, bins: number, totals: number): number;
  abs_collect(r: number, count: number, bar: number, out: number): number;
}
