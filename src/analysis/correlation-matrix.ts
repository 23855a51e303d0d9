// The exact N×N Pearson matrix of a swarm's aligned windows: centred, normalised rows multiplied
// block by block (Z·Zᵀ, the formulation of numpy.corrcoef), gaps by pairwise deletion.
//
// r_ij = Σ_t z_it z_jt with z_i = (x_i − x̄_i)/‖x_i − x̄_i‖ is exactly Pearson's r when i and j have
// their gaps at the same steps (in particular, no gaps): that covers the whole matrix with one
// cache-blocked product (WebAssembly SIMD, or its JS twin). Pairs whose gap patterns differ are
// recomputed pairwise (two-pass over their common steps), so the result always equals the
// pairwise-complete definition of pearson-pair.ts.
import { KernelArena, type KernelBackend } from './kernel-arena.js';
import { pairCount } from './packed-triangle.js';
import { normaliseRow, ROW_GAPPED, ROW_INVALID } from './normalise-row.js';
import { pearsonPairwise } from './pearson-pair.js';
import { complete, SLICE_WORK, type Sliced } from './sliced.js';
import { BLOCK_COLS, BLOCK_ROWS } from './wasm/gemm-kernel.js';

/** Rows beyond this would overflow the kernels' 32-bit byte offsets (n(n−1)/2 · 8 < 2^31). */
export const MAX_ROWS = 16_384;

/** A correlation matrix over n series. */
export interface CorrelationMatrix {
  readonly n: number;
  /**
   * Packed upper triangle (see packed-triangle.ts): r in [−1, 1], NaN where the pair has no
   * defined correlation (too few common points, or a side constant on them). Callers must skip
   * non-finite entries (`Number.isFinite`) before exposing anything.
   */
  readonly r: Float64Array;
  /** 1 when the series has at least `minOverlap` points and is not constant; else every pair of it is NaN. */
  readonly rowValid: Uint8Array;
  /** Number of pairs with a finite r. */
  readonly validPairs: number;
}

/** Default for the least number of common points a pair needs: half the window, at least 3. */
export function defaultMinOverlap(window: number): number {
  return Math.min(window, Math.max(3, Math.ceil(window / 2)));
}

export interface ExactCorrelationOptions {
  /** Least common points per pair; default defaultMinOverlap(window). */
  readonly minOverlap?: number;
  /**
   * Reuse an arena across calls (and share it with StreamingCorrelation states: the work buffers
   * are the arena's named scratch blocks); default a fresh one per call.
   */
  readonly arena?: KernelArena;
  /** Backend when no arena is given; default 'auto' (WebAssembly SIMD when available). */
  readonly backend?: 'auto' | KernelBackend;
}

/** Names of the arena scratch blocks (shared with streaming-correlation.ts). */
export const Z_SCRATCH = 'correlation-z';
export const MATRIX_SCRATCH = 'correlation-matrix';

/** Byte budget of one j tile of rows: stays in L2 while every i row streams past it. */
const TILE_BYTES = 256 * 1024;

/**
 * Computes every pair's Pearson r of `rows` (each a window of the same length; NaN marks a gap).
 * The column order only has to be the same for every row: a ring buffer with a shared head works
 * as is. Cost O(N²·W) in the blocked kernel, plus O(W) per pair whose gap patterns differ.
 */
export function exactCorrelation(rows: readonly ArrayLike<number>[], options: ExactCorrelationOptions = {}): CorrelationMatrix {
  const n = rows.length;
  const w = rows[0]?.length ?? 0;
  if (n > MAX_ROWS) throw new RangeError(`exactCorrelation: at most ${MAX_ROWS} rows, got ${n}`);
  for (const row of rows) {
    if (row.length !== w) throw new RangeError(`exactCorrelation: every row needs ${w} points, got ${row.length}`);
  }
  const minOverlap = Math.max(2, options.minOverlap ?? defaultMinOverlap(w));
  const pairs = pairCount(n);
  const r = new Float64Array(pairs);
  const rowValid = new Uint8Array(n);
  if (n < 2 || w < 2) return { n, r: r.fill(NaN), rowValid, validPairs: 0 };

  const arena = options.arena ?? new KernelArena(options.backend ?? 'auto');
  const stride = Math.ceil(w / 2) * 2;
  const paddedRows = Math.ceil(n / BLOCK_COLS) * BLOCK_COLS;
  const zOff = arena.scratch(Z_SCRATCH, paddedRows * stride);
  const outOff = arena.scratch(MATRIX_SCRATCH, pairs); // the kernel writes every pair
  {
    // Rows grouped by gap pattern: within a group, Z·Zᵀ is already pairwise-complete.
    const group = new Int32Array(n);
    const groups = new Map<string, number>([['', 0]]);
    const z = arena.f64(zOff, paddedRows * stride).fill(0); // scratch: clear padding left by other users
    let allValid = true;
    for (let i = 0; i < n; i += 1) {
      const row = rows[i] as ArrayLike<number>;
      const state = normaliseRow(row, minOverlap, z, i * stride);
      rowValid[i] = state === ROW_INVALID ? 0 : 1;
      if (state === ROW_INVALID) allValid = false;
      group[i] = state === ROW_GAPPED ? groupOf(row, groups) : 0;
    }
    runBlockedProduct(arena, zOff, stride, n, paddedRows, outOff);

    const product = arena.f64(outOff, pairs);
    if (allValid && groups.size === 1) {
      // The common case: one pass that only clamps rounding beyond ±1.
      for (let k = 0; k < pairs; k += 1) {
        const v = product[k] as number;
        r[k] = v > 1 ? 1 : v < -1 ? -1 : v;
      }
      return { n, r, rowValid, validPairs: pairs };
    }
    let validPairs = 0;
    let k = 0;
    for (let i = 0; i < n - 1; i += 1) {
      const validI = rowValid[i] === 1;
      const groupI = group[i];
      for (let j = i + 1; j < n; j += 1, k += 1) {
        let v: number;
        if (!validI || rowValid[j] === 0) v = NaN;
        else if (groupI === group[j]) {
          v = product[k] as number;
          v = v > 1 ? 1 : v < -1 ? -1 : v;
        } else v = pearsonPairwise(rows[i] as ArrayLike<number>, rows[j] as ArrayLike<number>, minOverlap);
        r[k] = v;
        if (v === v) validPairs += 1;
      }
    }
    return { n, r, rowValid, validPairs };
  }
}

/** Calls the blocked kernel tile by tile: a tile of j rows, every i row below its end. */
export function runBlockedProduct(arena: KernelArena, zOff: number, stride: number, n: number, paddedRows: number, outOff: number): void {
  complete(blockedProduct(arena, zOff, stride, n, paddedRows, outOff));
}

/**
 * `runBlockedProduct` in slices (sliced.ts): each tile's i rows are cut into runs of about
 * SLICE_WORK dot products of 16 values, a safe point between two runs.
 */
export function* blockedProduct(
  arena: KernelArena,
  zOff: number,
  stride: number,
  n: number,
  paddedRows: number,
  outOff: number,
): Sliced<void> {
  const strideBytes = stride * 8;
  const tile = Math.max(BLOCK_COLS, Math.floor(TILE_BYTES / strideBytes / BLOCK_COLS) * BLOCK_COLS);
  const dotWork = Math.max(1, stride / 16);
  for (let j0 = 0; j0 < paddedRows; j0 += tile) {
    const j1 = Math.min(paddedRows, j0 + tile);
    const i1 = Math.ceil(Math.min(j1, n) / BLOCK_ROWS) * BLOCK_ROWS;
    const rowsPerRun = Math.max(BLOCK_ROWS, Math.floor(SLICE_WORK / (dotWork * (j1 - j0)) / BLOCK_ROWS) * BLOCK_ROWS);
    for (let i0 = 0; i0 < i1; i0 += rowsPerRun) {
      arena.kernels.gemm_packed(zOff, strideBytes, n, i0, Math.min(i1, i0 + rowsPerRun), j0, j1, outOff);
      yield;
    }
  }
}

/** Group id of a row's gap pattern (0 = no gap). */
function groupOf(row: ArrayLike<number>, groups: Map<string, number>): number {
  let key = '';
  for (let t = 0; t < row.length; t += 1) {
    if (!Number.isFinite(row[t])) key += `${t},`;
  }
  let id = groups.get(key);
  if (id === undefined) {
    id = groups.size;
    groups.set(key, id);
  }
  return id;
}
