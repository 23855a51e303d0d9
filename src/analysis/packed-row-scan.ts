// The significance test's two scans of the rows of a packed matrix of r (packed-triangle.ts): one row's
// largest |r|, count and sum of |r| and histogram of the |r| above a threshold; one row's pairs at or
// above a bar. By the arena's kernels (wasm/correlation-wasm.ts: abs_scan, abs_collect) when the
// matrix lies in the arena's memory, as the correlation tracks' matrices do; else by their plain-array
// twins (correlation-loops.ts), which define the same results.
import { absCollect, absScan } from './correlation-loops.js';
import type { KernelArena } from './kernel-arena.js';

const SCRATCH = 'packed-row-scan';

/** Bins of the |r| histogram over [0, 1] (|r| = 1 falls in the last, extra one: HISTOGRAM_BINS + 1 counts). */
export const HISTOGRAM_BINS = 1024;

const COUNTS = HISTOGRAM_BINS + 1;

/**
 * The bars of the significance test's passes, known before the matrix is computed (see
 * correlation-significance.ts, firstPassBars): a kernel that computes the matrix can bin it
 * and list the second pass' candidates as it goes.
 */
export interface FirstPassBars {
  /** Per row: its |r| are binned from here up (the first pass' threshold). */
  readonly thresholds: Float64Array;
  /** Per row, each at or above its threshold: a pair whose |r| reaches both its rows' bars is a candidate. */
  readonly candidateBars: Float64Array;
  /** The τ the candidate bars belong to: the list holds every pair the second pass needs when its τ is not above it. */
  readonly candidateTau: number;
}

/**
 * What `stats` over rows 0 … n − 2 of an n-row matrix (row a from its first pair, at threshold
 * thresholds[a]) leaves: each row's largest |r|, the totals, the histogram. A kernel that computes the
 * matrix can produce it in the same pass (StreamingCorrelation.rowScan), sparing the scan.
 */
export interface RowScanResult {
  /** Largest |r| of each row's pairs (0 when none is finite); length ≥ n − 1. */
  readonly rowMax: Float64Array;
  /** Finite values and the sum of their |r|, summed row by row in row order as `totals` sums them. */
  readonly count: number;
  readonly sumAbs: number;
  /** HISTOGRAM_BINS + 1 counts of the |r| ≥ their row's threshold, as `histogram`. */
  readonly bins: Int32Array;
  /**
   * The pairs (a, b), a < b, whose |r| reaches both rows' candidate bars, as a, b, a, b … in (a, b)
   * order, with the τ of those bars; null when not listed (too many): then the second pass reads the
   * matrix.
   */
  readonly candidates?: { readonly pairs: Int32Array; readonly tau: number } | null;
}
/** Where the bins and one row's positions start in the scratch (byte offsets; totals at 0). */
const BINS_AT = 16;
const OUT_AT = 8 * (2 + Math.ceil(COUNTS / 2));

/** f64 slots of the scan's scratch: totals (2), then the bins (i32), then one row's positions (i32). */
function scratchLength(rows: number): number {
  return OUT_AT / 8 + Math.ceil(rows / 2);
}

/**
 * Reserves the arena's scan scratch for matrices of up to `rows` rows. Call it before taking a view
 * of a matrix in the arena: a reservation may grow the arena, and growing replaces its buffer (every
 * earlier view is then empty).
 */
export function reserveRowScan(arena: KernelArena, rows: number): void {
  arena.scratch(SCRATCH, scratchLength(rows));
}

export class PackedRowScan {
  private readonly kernels: KernelArena | null;
  private readonly totalsOff: number = 0;
  private readonly binsOff: number = 0;
  private readonly outOff: number = 0;
  private readonly totalsPlain: Float64Array | null = null;
  private readonly binsPlain: Int32Array | null = null;
  private readonly outPlain: Int32Array | null = null;

  /**
   * @param r the packed matrix (its rows are scanned by their offsets in it)
   * @param arena the arena `r` may lie in (reserveRowScan must have reserved `rows` then)
   * @param rows the longest row is shorter than this
   */
  constructor(
    private readonly r: Float64Array,
    arena: KernelArena | undefined,
    rows: number,
  ) {
    if (arena !== undefined && r.buffer === arena.buffer) {
      const offset = arena.scratch(SCRATCH, scratchLength(rows));
      if (r.buffer !== arena.buffer)
        throw new Error('packed-row-scan: the scratch grew the arena under the matrix; reserveRowScan before taking the matrix');
      this.kernels = arena;
      this.totalsOff = offset;
      this.binsOff = offset + BINS_AT;
      this.outOff = offset + OUT_AT;
      new Float64Array(arena.buffer, this.totalsOff, 2).fill(0);
      new Int32Array(arena.buffer, this.binsOff, COUNTS).fill(0);
    } else {
      this.kernels = null;
      this.totalsPlain = new Float64Array(2);
      this.binsPlain = new Int32Array(COUNTS);
      this.outPlain = new Int32Array(Math.max(0, rows));
    }
  }

  /**
   * r[from, from + count): returns the largest |r| (0 when none is finite), adds the finite values'
   * count and |r| to the totals, and counts the |r| ≥ threshold in the histogram: bin
   * trunc(min(|r|, 1)·HISTOGRAM_BINS).
   */
  stats(from: number, count: number, threshold: number): number {
    const scale = HISTOGRAM_BINS;
    if (this.kernels === null)
      return absScan(this.r, from, count, threshold, scale, this.binsPlain as Int32Array, this.totalsPlain as Float64Array);
    return this.kernels.kernels.abs_scan(this.r.byteOffset + 8 * from, count, threshold, scale, this.binsOff, this.totalsOff);
  }

  /** The positions t (from 0) of r[from, from + count) with |r| ≥ bar, in order: a view valid until the next call. */
  collect(from: number, count: number, bar: number): Int32Array {
    if (this.kernels === null) {
      const out = this.outPlain as Int32Array;
      return out.subarray(0, absCollect(this.r, from, count, bar, out));
    }
    const found = this.kernels.kernels.abs_collect(this.r.byteOffset + 8 * from, count, bar, this.outOff);
    return new Int32Array(this.kernels.buffer, this.outOff, found);
  }

  /** [finite values, sum of their |r|] over every row scanned by `stats`. */
  totals(): Float64Array {
    return this.kernels === null
      ? (this.totalsPlain as Float64Array).slice()
      : new Float64Array(this.kernels.buffer, this.totalsOff, 2).slice();
  }

  /** The histogram's counts (a copy). */
  histogram(): Int32Array {
    return this.kernels === null
      ? (this.binsPlain as Int32Array).slice()
      : new Int32Array(this.kernels.buffer, this.binsOff, COUNTS).slice();
  }
}
