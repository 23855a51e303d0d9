// Every pair's Pearson r over a sliding window, maintained in O(N²) per step instead of O(N²·W):
// running sums and cross-products of shifted values, updated as one column enters and one leaves.
//
// Model (Welford-style co-moments generalised to a sliding window, cf. Welford 1962 and the
// sliding-window sums of StatStream, Zhu & Shasha, VLDB 2002, computed exactly instead of by
// sketches): each row i keeps a shift k_i close to its mean and x̃ = x − k_i (0 at a gap).
//   S_ij += ã_i·ã_j − b̃_i·b̃_j      (ã entering, b̃ leaving column)
//   Sx_i += ã_i − b̃_i,  Sxx_i += ã_i² − b̃_i²
//   r_ij = (n·S_ij − Sx_i·Sx_j) / √((n·Sxx_i − Sx_i²)(n·Sxx_j − Sx_j²))
// Shifting keeps n·S − Sx·Sx free of catastrophic cancellation with 1e12 offsets; a row whose
// mean drifts more than 10σ from its shift is re-shifted and its cross-products recomputed
// (O(N·W)); every `resyncEvery` steps everything is recomputed exactly (O(N²·W), blocked kernel),
// which bounds the rounding drift of the running sums.
//
// Gaps (NaN) use pairwise deletion, the definition of pearson-pair.ts: steps where every row is a
// gap drop out of n for everyone; for a pair where either row has other gaps, the pair's sums
// over their common steps are S_ij itself (a gap contributes 0) and the row sums minus the values
// at the other row's gap steps. Rows are grouped by gap pattern (gap-groups.ts: a wave of joiners,
// the leavers of one step, agents that missed the same pushes), so those corrections are a table
// per (row, group), built in O(N · gap slots of all groups), and each pair's r is O(1) from it: the
// update's own pass computes every r from the table (stream_update_groups), built before it. Rows
// with fewer than `minOverlap` points, or constant ones, are invalid: their r is NaN and rowValid
// says so.
import { blockedProduct, defaultMinOverlap, MATRIX_SCRATCH, MAX_ROWS, Z_SCRATCH } from './correlation-matrix.js';
import { groupGapPatterns, type GapGroups } from './gap-groups.js';
import { KernelArena, type KernelBackend } from './kernel-arena.js';
import { HISTOGRAM_BINS, reserveRowScan, type FirstPassBars, type RowScanResult } from './packed-row-scan.js';
import { pairCount, pairIndex, rowStart } from './packed-triangle.js';
import { complete, rowsWithin, SLICE_WORK, type Sliced } from './sliced.js';
import { summariseCorrelations, type CorrelationSummary } from './top-pairs.js';
import { BLOCK_COLS } from './wasm/gemm-kernel.js';

export interface StreamingCorrelationOptions {
  /** Row slots (agents), 2 … 16384. A slot without data is an all-gap row. */
  readonly capacity: number;
  /** Window length W in steps, ≥ 2. */
  readonly window: number;
  /** Least common points for a pair's r; default half the window, at least 3. */
  readonly minOverlap?: number;
  /** Steps between exact recomputations; default 1000; 0 disables them. */
  readonly resyncEvery?: number;
  /** Kernel backend; default 'auto' (WebAssembly SIMD when available). Ignored with `arena`. */
  readonly backend?: 'auto' | KernelBackend;
  /**
   * Share an arena with other states (e.g. every metric of a swarm): they then share one matrix
   * buffer and one resync buffer, so a matrix view is valid only until the next call on ANY of
   * them. Default: an arena of its own.
   */
  readonly arena?: KernelArena;
}

/** A row is constant when n·Sxx − Sx² is below this share of n·Sxx (rounding noise, not data). */
const CONSTANT_TOLERANCE = 1e-12;
/** Re-shift a row once its window mean lies more than √100 = 10 standard deviations from its shift. */
const RESHIFT_RATIO = 100;
/** r clamped to [−1, 1] (rounding can step past ±1 by an ulp); NaN stays NaN. */
function clamp(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Ascending slots as [start, end) runs of consecutive slots, flattened: [s0, e0, s1, e1, …]. */
function slotRuns(slots: Int32Array): Int32Array {
  const out: number[] = [];
  for (let m = 0; m < slots.length; m += 1) {
    const t = slots[m] as number;
    if (out.length > 0 && out[out.length - 1] === t) out[out.length - 1] = t + 1;
    else out.push(t, t + 1);
  }
  return Int32Array.from(out);
}

/** Runs of at least this many partners go to the vector kernel; shorter ones stay in JS (a call costs more). */
const KERNEL_RUN = 6;

/** The runs (groupRuns) of groups other than 0, the rows with private gaps. */
function gappedRunsOf(runs: Int32Array): Int32Array {
  const out: number[] = [];
  for (let k = 0; k < runs.length; k += 3) if (runs[k + 2] !== 0) out.push(runs[k] as number, runs[k + 1] as number, runs[k + 2] as number);
  return Int32Array.from(out);
}

/** Index (a multiple of 3) of the first run of `runs` that ends after `row`; runs.length if none. */
function firstRunEndingAfter(runs: Int32Array, row: number): number {
  let lo = 0;
  let hi = runs.length / 3;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((runs[3 * mid + 1] as number) <= row + 1) lo = mid + 1;
    else hi = mid;
  }
  return 3 * lo;
}

/** Index of the first element of the ascending `rows` above `row` (rows.length if none). */
function firstAbove(rows: Int32Array, row: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((rows[mid] as number) <= row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Maximal runs of consecutive rows in one group, flattened: [start, end, group, …]. */
function groupRuns(groupOf: Int32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < groupOf.length; i += 1) {
    const g = groupOf[i] as number;
    if (out.length > 0 && out[out.length - 1] === g && out[out.length - 2] === i) out[out.length - 2] = i + 1;
    else out.push(i, i + 1, g);
  }
  return Int32Array.from(out);
}

/**
 * Arena scratch of the fused pass' candidate pairs (see rowScan): a count, then up to
 * CANDIDATE_ROOM (i, j) pairs of i32. With more, the significance test reads the matrix instead.
 */
const CANDIDATE_SCRATCH = 'correlation-candidates';
const CANDIDATE_ROOM = 1 << 16;

/** Arena scratch of the gap corrections (shared by every state of an arena, like the matrix). */
const GAP_SCRATCH = 'correlation-gap-corrections';

/** What repairGappedRows computes once for every row's repair (repairRow). */
interface RepairTables {
  /** The matrix (packed r) and the cross-products: views on the arena. */
  readonly r: Float64Array;
  readonly s: Float64Array;
  /** gapCorrections' tables, and their and the matrix' offsets in the arena (for the kernel). */
  readonly corr: Float64Array;
  readonly corrOff: number;
  readonly rOff: number;
  readonly groupOf: Int32Array;
  readonly shared: Int32Array;
  /** Gap groups. */
  readonly g: number;
  readonly nEff: number;
  /** Runs of consecutive slots of one group: (from, end, group) triples. */
  readonly runs: Int32Array;
  /** The runs of the rows with private gaps (groups other than 0). */
  readonly gappedRuns: Int32Array;
  /** The rows with private gaps, ascending. */
  readonly gapped: Int32Array;
  /** Arena addresses of the gather kernel's inputs: groupOf, the gapped rows and every row (i32). */
  readonly groupOfOff: number;
  readonly gappedOff: number;
  readonly everyOff: number;
}

interface Views {
  readonly buffer: ArrayBuffer;
  readonly s: Float64Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly sx: Float64Array;
  readonly inv: Float64Array;
  readonly stats: Float64Array;
}

/**
 * The streaming state of one swarm and metric. Memory: 4·N² bytes for the cross-products and
 * 8·N·W for the window, plus the arena's shared buffers (4·N² for the matrix once `correlations`
 * or `pushAndCorrelate` is used, 8·N·W for resyncs).
 */
export class StreamingCorrelation {
  readonly capacity: number;
  readonly window: number;
  readonly minOverlap: number;
  readonly resyncEvery: number;
  /** The arena holding this state's blocks and the matrix it writes. */
  readonly arena: KernelArena;
  private readonly pairs: number;
  private readonly paddedRows: number;
  private readonly stride: number;
  private readonly sOff: number;
  private readonly aOff: number;
  private readonly bOff: number;
  private readonly sxOff: number;
  private readonly invOff: number;
  private readonly statsOff: number;
  /** The fused kernel's per-row thresholds and candidate bars (f64) and its histogram (HISTOGRAM_BINS + 1 i32). */
  private readonly thresholdsOff: number;
  private readonly candidateBarsOff: number;
  private readonly binsOff: number;
  /** The τ of the last fused pass' candidate bars; NaN when it had no bars (rowScan answers null). */
  private candidateTau = Number.NaN;
  private views: Views | null = null;
  /** The arena's matrix buffer holds this state's current r (until another user overwrites it). */
  private matrixFresh = false;
  /** …and the kernel's row statistics describe it (no entry was repaired after the kernel). */
  private statsFresh = false;
  /** Raw values, row-major capacity × window, ring with a shared head; NaN = gap. */
  private readonly ring: Float64Array;
  private readonly shift: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly gaps: Int32Array;
  private readonly valid: Uint8Array;
  private readonly commonGap: Uint8Array;
  private commonGaps = 0;
  private head = 0;
  private filled = 0;
  private sinceResync = 0;

  constructor(options: StreamingCorrelationOptions) {
    const { capacity, window } = options;
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > MAX_ROWS)
      throw new RangeError(`capacity: expected an integer in [2, ${MAX_ROWS}], got ${capacity}`);
    if (!Number.isInteger(window) || window < 2) throw new RangeError(`window: expected an integer >= 2, got ${window}`);
    this.capacity = capacity;
    this.window = window;
    this.minOverlap = Math.max(2, options.minOverlap ?? defaultMinOverlap(window));
    this.resyncEvery = options.resyncEvery ?? 1000;
    this.arena = options.arena ?? new KernelArena(options.backend ?? 'auto');
    this.pairs = pairCount(capacity);
    this.paddedRows = Math.ceil(capacity / BLOCK_COLS) * BLOCK_COLS;
    this.stride = Math.ceil(window / 2) * 2;
    this.sOff = this.arena.alloc(this.pairs);
    this.aOff = this.arena.alloc(this.paddedRows);
    this.bOff = this.arena.alloc(this.paddedRows);
    this.sxOff = this.arena.alloc(this.paddedRows);
    this.invOff = this.arena.alloc(this.paddedRows);
    this.statsOff = this.arena.alloc(3 * capacity);
    this.thresholdsOff = this.arena.alloc(capacity);
    this.candidateBarsOff = this.arena.alloc(capacity);
    this.binsOff = this.arena.alloc(Math.ceil((HISTOGRAM_BINS + 1) / 2));
    this.ring = new Float64Array(capacity * window).fill(NaN);
    this.shift = new Float64Array(capacity).fill(NaN);
    this.sumSq = new Float64Array(capacity);
    this.gaps = new Int32Array(capacity);
    this.valid = new Uint8Array(capacity);
    this.commonGap = new Uint8Array(window);
  }

  /** The kernel backend in use. */
  get backend(): KernelBackend {
    return this.arena.backend;
  }

  /** Points currently in the window (grows to `window`, then stays). */
  get length(): number {
    return this.filled;
  }

  /**
   * Adds one step: column[i] is slot i's new value (NaN, or a missing entry, marks a gap); once
   * the window is full the oldest step leaves. O(N²) through the kernel.
   */
  push(column: ArrayLike<number>): void {
    this.matrixFresh = false;
    const resync = this.ingestColumn(column);
    if (resync) {
      complete(this.resyncSliced());
      return;
    }
    const v = this.view();
    this.arena.kernels.stream_update(this.sOff, this.aOff, this.bOff, this.capacity);
    this.refreshRows(v);
    complete(this.reshiftDriftedRows(null));
  }

  /**
   * `push` and every pair's r in the same pass over memory. Returns the packed matrix (see
   * `correlations` for the contract of the returned view).
   */
  pushAndCorrelate(column: ArrayLike<number>): Float64Array {
    return complete(this.pushAndCorrelateSliced(column));
  }

  /**
   * `pushAndCorrelate` in slices (sliced.ts): the O(N²) passes stop every SLICE_WORK pairs. The
   * state must not be used by anyone else until the computation has completed. With `bars` (one of
   * each per slot) the pass also does the significance test's first pass and lists the candidates of
   * its second: see rowScan.
   */
  *pushAndCorrelateSliced(column: ArrayLike<number>, bars?: FirstPassBars): Sliced<Float64Array> {
    const resync = this.ingestColumn(column);
    if (resync) {
      yield* this.resyncSliced();
      return yield* this.correlationsSliced();
    }
    this.refreshRows(this.view());
    // With private gaps in the window, the fused pass computes every pair's r from the gap groups'
    // corrected sums: no repair pass follows, and its row statistics stay valid.
    const rOff = this.reserveMatrix();
    const gapped = yield* this.gapTables(rOff);
    yield* this.updateAndCorrelate(rOff, bars, gapped);
    const reshifted = yield* this.reshiftDriftedRows(rOff);
    // A re-shifted row's pairs were rewritten by the plain formula; the gapped ones need the repair.
    if (reshifted && gapped !== null) yield* this.repairGappedRows(rOff);
    this.matrixFresh = true;
    this.statsFresh = !reshifted;
    return this.arena.f64(rOff, this.pairs);
  }

  /**
   * Every pair's r from the current state, O(N²). The result is a packed upper triangle
   * (packed-triangle.ts) in [−1, 1] with NaN for invalid pairs, and a VIEW into the kernel
   * arena: read it before the next call on this object (or on any object sharing its arena),
   * copy it to keep it.
   */
  correlations(): Float64Array {
    return complete(this.correlationsSliced());
  }

  /** `correlations` in slices (sliced.ts). */
  *correlationsSliced(): Sliced<Float64Array> {
    const v = this.view();
    v.a.fill(0);
    v.b.fill(0);
    // With zero entering and leaving columns the fused kernel leaves S as is and writes r.
    const rOff = this.reserveMatrix();
    yield* this.updateAndCorrelate(rOff, undefined, null);
    const repaired = yield* this.repairGappedRows(rOff);
    this.matrixFresh = true;
    this.statsFresh = !repaired;
    return this.arena.f64(rOff, this.pairs);
  }

  /**
   * The matrix' block in the arena (offset). Before any view (either may grow the arena): the
   * significance test's scan scratch, then the matrix.
   */
  private reserveMatrix(): number {
    reserveRowScan(this.arena, this.capacity);
    this.arena.scratch(CANDIDATE_SCRATCH, 1 + CANDIDATE_ROOM);
    return this.arena.scratch(MATRIX_SCRATCH, this.pairs);
  }

  /**
   * The fused kernel over the whole triangle, a run of rows at a time: S += a·aᵀ − b·bᵀ and r from
   * it into the matrix at rOff, with the row statistics; r from the gap tables when there are some.
   */
  private *updateAndCorrelate(rOff: number, bars: FirstPassBars | undefined, gapped: RepairTables | null): Sliced<void> {
    const n = this.capacity;
    const nObs = this.effectiveCount();
    // Without bars nothing is binned or listed (no |r| reaches +∞).
    const copy = (off: number, from: Float64Array | undefined): void => {
      const to = this.arena.f64(off, n);
      for (let i = 0; i < n; i += 1) to[i] = from?.[i] ?? Number.POSITIVE_INFINITY;
    };
    copy(this.thresholdsOff, bars?.thresholds);
    copy(this.candidateBarsOff, bars?.candidateBars);
    new Int32Array(this.arena.buffer, this.binsOff, HISTOGRAM_BINS + 1).fill(0);
    const candidatesOff = this.arena.scratch(CANDIDATE_SCRATCH, 1 + CANDIDATE_ROOM);
    new Int32Array(this.arena.buffer, candidatesOff, 1)[0] = 0;
    this.candidateTau = bars === undefined ? Number.NaN : bars.candidateTau;
    for (let from = 0; from < n - 1;) {
      const to = rowsWithin(n, from, n - 1);
      const skip = 8 * rowStart(n, from);
      if (gapped === null) {
        this.arena.kernels.stream_update_r(
          this.sOff + skip,
          this.aOff,
          this.bOff,
          n,
          this.sxOff,
          this.invOff,
          nObs,
          rOff + skip,
          this.statsOff,
          from,
          to,
          this.thresholdsOff,
          HISTOGRAM_BINS,
          this.binsOff,
          this.candidateBarsOff,
          candidatesOff,
          CANDIDATE_ROOM,
        );
      } else {
        this.arena.kernels.stream_update_groups(
          this.sOff + skip,
          this.aOff,
          this.bOff,
          n,
          gapped.groupOfOff,
          gapped.g,
          gapped.corrOff,
          rOff + skip,
          this.statsOff,
          from,
          to,
          this.thresholdsOff,
          HISTOGRAM_BINS,
          this.binsOff,
          this.candidateBarsOff,
          candidatesOff,
          CANDIDATE_ROOM,
        );
      }
      from = to;
      if (from < n - 1) yield;
    }
  }

  /**
   * The significance test's first pass over the matrix `pushAndCorrelateSliced(column, bars)` just
   * returned, as its fused kernel computed it: PackedRowScan.stats over every row at its threshold
   * gives the same values, bit for bit; and the candidates of its second pass (every pair reaching
   * both its rows' candidate bars; null when there were more than CANDIDATE_ROOM). Null when the
   * matrix was rewritten after the kernel (gap repair, re-shifted rows, a resync) or no bars were
   * given: then scan the matrix. Copies.
   */
  rowScan(): RowScanResult | null {
    if (!this.matrixFresh || !this.statsFresh || Number.isNaN(this.candidateTau)) return null;
    const n = this.capacity;
    const stats = this.view().stats;
    let count = 0;
    let sumAbs = 0;
    for (let i = 0; i < n - 1; i += 1) {
      count += stats[2 * n + i] as number;
      sumAbs += stats[n + i] as number;
    }
    const candidatesOff = this.arena.scratch(CANDIDATE_SCRATCH, 1 + CANDIDATE_ROOM);
    const found = new Int32Array(this.arena.buffer, candidatesOff, 1)[0] as number;
    return {
      rowMax: stats.slice(0, n),
      count,
      sumAbs,
      bins: new Int32Array(this.arena.buffer, this.binsOff, HISTOGRAM_BINS + 1).slice(),
      candidates:
        found <= CANDIDATE_ROOM
          ? { pairs: new Int32Array(this.arena.buffer, candidatesOff + 4, 2 * found).slice(), tau: this.candidateTau }
          : null,
    };
  }

  /**
   * The k strongest pairs and the mean |r| of the current matrix. Call it right after
   * `pushAndCorrelate` (or `correlations`), before any other object sharing the arena runs: it
   * then reads only the rows that can hold a top pair, thanks to the kernel's row statistics.
   * Otherwise it recomputes the matrix first.
   */
  summary(k: number, minAbs = 0): CorrelationSummary {
    const r = this.matrixFresh ? this.arena.f64(this.arena.scratch(MATRIX_SCRATCH, this.pairs), this.pairs) : this.correlations();
    if (!this.statsFresh) return summariseCorrelations(r, this.capacity, k, minAbs);
    const n = this.capacity;
    const stats = this.view().stats;
    return summariseCorrelations(r, n, k, minAbs, {
      max: stats.subarray(0, n),
      sum: stats.subarray(n, 2 * n),
      count: stats.subarray(2 * n),
    });
  }

  /** r of one pair (NaN when undefined), O(1) without gaps, O(gaps) with. */
  pair(i: number, j: number): number {
    if (i === j || i < 0 || j < 0 || i >= this.capacity || j >= this.capacity) return NaN;
    return this.pairFromSums(this.view(), i, j, null, null);
  }

  /** Whether slot i can correlate at all (enough points, not constant). */
  isRowValid(i: number): boolean {
    return this.valid[i] === 1;
  }

  /** Per-slot validity (1 = valid), a copy. */
  rowValidity(): Uint8Array {
    return this.valid.slice();
  }

  /**
   * Replaces slot i's whole window (a new agent in a free slot, or null to clear a departed one).
   * `values` is chronological, its last element the current step; it may be shorter than the
   * window (older steps become gaps). O(N·W).
   */
  setRow(i: number, values: ArrayLike<number> | null): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity)
      throw new RangeError(`slot: expected an integer in [0, ${this.capacity}), got ${i}`);
    this.matrixFresh = false;
    const w = this.window;
    const base = i * w;
    // Which filled slots held a value before: only those can turn into steps no row observes.
    const had = new Uint8Array(w);
    for (let t = 0; t < w; t += 1) {
      const x = this.ring[base + t] as number;
      had[t] = x === x ? 1 : 0;
    }
    for (let back = 0; back < w; back += 1) {
      const slot = (this.head - 1 - back + 2 * w) % w;
      const index = values === null ? -1 : values.length - 1 - back;
      const x = back < this.filled && index >= 0 && values !== null ? (values[index] as number) : NaN;
      this.ring[base + slot] = Number.isFinite(x) ? x : NaN;
    }
    this.recountRowGaps(i, had);
    const v = this.view();
    this.recomputeRow(v, i);
    this.refreshRows(v);
  }

  /**
   * Loads whole windows at once (start-up, or a rebuild after membership changed): rows[i] is
   * slot i's chronological window (last element = current step); missing rows are empty.
   * Followed by an exact recomputation, O(N²·W).
   */
  seed(rows: readonly (ArrayLike<number> | null)[]): void {
    complete(this.seedSliced(rows));
  }

  /** `seed` in slices (sliced.ts). */
  *seedSliced(rows: readonly (ArrayLike<number> | null)[]): Sliced<void> {
    const w = this.window;
    const length = Math.min(
      w,
      rows.reduce((m, row) => Math.max(m, row?.length ?? 0), 0),
    );
    this.ring.fill(NaN);
    for (let i = 0; i < Math.min(rows.length, this.capacity); i += 1) {
      const row = rows[i];
      if (row === null || row === undefined) continue;
      for (let t = 0; t < length; t += 1) {
        const x = row[row.length - length + t] as number;
        this.ring[i * w + t] = Number.isFinite(x) ? x : NaN;
      }
    }
    this.filled = length;
    this.head = length % w;
    yield* this.resyncSliced();
  }

  /**
   * This state with room for `capacity` slots (≥ the current one), in `arena` (default: the same
   * one): rows keep their slots, the new slots are empty rows. The packed state is copied row by row
   * (O(N²) memory traffic, no recomputation: no re-seed at O(N²·W)). This object is disposed and
   * must not be used afterwards.
   *
   * In the same arena the old blocks are freed for later allocations, but a WebAssembly memory never
   * shrinks and the larger state fits none of them: a swarm ramping to 1,000 agents left 106 MiB of
   * such blocks. Growing into a fresh arena lets the old one go with its last state.
   */
  grown(capacity: number, arena: KernelArena = this.arena): StreamingCorrelation {
    return complete(this.grownSliced(capacity, arena));
  }

  /** `grown` in slices (sliced.ts); this object must not be used once it has started. */
  *grownSliced(capacity: number, arena: KernelArena = this.arena): Sliced<StreamingCorrelation> {
    if (!Number.isInteger(capacity) || capacity < this.capacity)
      throw new RangeError(`capacity: expected an integer >= ${this.capacity}, got ${capacity}`);
    const next = new StreamingCorrelation({
      capacity,
      window: this.window,
      minOverlap: this.minOverlap,
      resyncEvery: this.resyncEvery,
      arena,
    });
    const old = this.capacity;
    // Row i's pairs (i, i+1 … old−1) are consecutive in both packings; the new slots' pairs stay 0.
    for (let first = 0; first < old - 1;) {
      const end = rowsWithin(old, first, old - 1, 4 * SLICE_WORK);
      const from = this.view();
      const to = next.view();
      for (let i = first; i < end; i += 1) {
        const start = rowStart(old, i);
        to.s.set(from.s.subarray(start, start + old - i - 1), rowStart(capacity, i));
      }
      first = end;
      if (first < old - 1) yield;
    }
    const from = this.view();
    const to = next.view();
    to.sx.set(from.sx.subarray(0, old));
    next.ring.set(this.ring); // row-major with the same window: the old rows are a prefix
    next.shift.set(this.shift);
    next.sumSq.set(this.sumSq);
    next.gaps.set(this.gaps);
    next.gaps.fill(this.filled, old); // a new row is a gap at every filled step
    next.commonGap.set(this.commonGap);
    next.commonGaps = this.commonGaps;
    next.head = this.head;
    next.filled = this.filled;
    next.sinceResync = this.sinceResync;
    next.refreshRows(to);
    this.dispose();
    return next;
  }

  /**
   * Returns this state's blocks to a shared arena (a state with its own arena needs no call: the
   * garbage collector frees it). The object must not be used afterwards.
   */
  dispose(): void {
    for (const offset of [
      this.sOff,
      this.aOff,
      this.bOff,
      this.sxOff,
      this.invOff,
      this.statsOff,
      this.thresholdsOff,
      this.candidateBarsOff,
      this.binsOff,
    ])
      this.arena.free(offset);
    this.views = null;
    this.matrixFresh = false;
  }

  /** Recomputes shifts, sums and cross-products exactly from the window. O(N²·W). */
  resync(): void {
    complete(this.resyncSliced());
  }

  private *resyncSliced(): Sliced<void> {
    this.matrixFresh = false;
    const zOff = this.arena.scratch(Z_SCRATCH, this.paddedRows * this.stride); // first: it may grow the arena
    const v = this.view();
    const stride = this.stride;
    const z = this.arena.f64(zOff, this.paddedRows * stride);
    z.fill(0);
    this.recountGaps();
    for (let i = 0; i < this.capacity; i += 1) {
      const sums = this.shiftRow(i, z, i * stride);
      v.sx[i] = sums.sx;
      this.sumSq[i] = sums.sxx;
    }
    yield* blockedProduct(this.arena, zOff, stride, this.capacity, this.paddedRows, this.sOff);
    this.sinceResync = 0;
    this.refreshRows(this.view());
  }

  /** Writes the entering/leaving columns into a/b and updates the row sums; returns whether a resync is due. */
  private ingestColumn(column: ArrayLike<number>): boolean {
    const v = this.view();
    const w = this.window;
    const slot = this.head;
    const full = this.filled === w;
    const filledAfter = Math.min(w, this.filled + 1);
    const { a, b, sx } = v;
    let anyValue = false;
    for (let i = 0; i < this.capacity; i += 1) {
      const index = i * w + slot;
      let leaving = 0;
      if (full) {
        const old = this.ring[index] as number;
        if (old === old) leaving = old - (this.shift[i] as number);
        else this.gaps[i] = (this.gaps[i] as number) - 1;
      }
      const x = i < column.length ? (column[i] as number) : NaN;
      let entering = 0;
      if (Number.isFinite(x)) {
        anyValue = true;
        if (Number.isNaN(this.shift[i])) this.shift[i] = x;
        entering = x - (this.shift[i] as number);
        this.ring[index] = x;
      } else {
        this.ring[index] = NaN;
        this.gaps[i] = (this.gaps[i] as number) + 1;
      }
      a[i] = entering;
      b[i] = leaving;
      sx[i] = (sx[i] as number) + entering - leaving;
      this.sumSq[i] = (this.sumSq[i] as number) + entering * entering - leaving * leaving;
      // The row's last value just left: zero its sums exactly, so that rounding residue of old
      // values cannot bias the values that arrive next.
      if (this.gaps[i] === filledAfter && !Number.isNaN(this.shift[i])) this.clearRowSums(v, i);
    }
    if (full && this.commonGap[slot] === 1) this.commonGaps -= 1;
    this.commonGap[slot] = anyValue ? 0 : 1;
    if (!anyValue) this.commonGaps += 1;
    this.head = (slot + 1) % w;
    this.filled = Math.min(w, this.filled + 1);
    this.sinceResync += 1;
    return this.resyncEvery > 0 && this.sinceResync >= this.resyncEvery;
  }

  /** Zeroes row i's shift, sums and cross-products, and its entering/leaving entries. O(N). */
  private clearRowSums(v: Views, i: number): void {
    this.shift[i] = NaN;
    v.sx[i] = 0;
    this.sumSq[i] = 0;
    v.a[i] = 0;
    v.b[i] = 0;
    for (let j = 0; j < this.capacity; j += 1) {
      if (j !== i) v.s[pairIndex(this.capacity, i, j)] = 0;
    }
  }

  /** n of the fast formula: window points minus steps where every row is a gap. */
  private effectiveCount(): number {
    return this.filled - this.commonGaps;
  }

  /** Recomputes validity and 1/√(n·Sxx − Sx²) of every row from the sums. O(N). */
  private refreshRows(v: Views): void {
    const n = this.effectiveCount();
    for (let i = 0; i < this.capacity; i += 1) {
      const count = this.filled - (this.gaps[i] as number);
      const sx = v.sx[i] as number;
      const sxx = this.sumSq[i] as number;
      const spread = count * sxx - sx * sx;
      const ok = count >= this.minOverlap && spread > CONSTANT_TOLERANCE * count * sxx;
      this.valid[i] = ok ? 1 : 0;
      // For a row with private gaps this value is replaced pair by pair in repairGappedRows.
      v.inv[i] = ok ? 1 / Math.sqrt(n * sxx - sx * sx) : NaN;
    }
    for (let i = this.capacity; i < this.paddedRows; i += 1) v.inv[i] = NaN;
  }

  /**
   * Re-shifts rows whose mean drifted far from their shift (see the module comment). Constant-
   * looking rows are checked too: a level jump of 1e9 over noise of 1 looks constant (its spread
   * is below the tolerance relative to the far shift) until it is re-shifted.
   */
  private *reshiftDriftedRows(rOff: number | null): Sliced<boolean> {
    let any = false;
    let work = 0;
    const v = this.view();
    for (let i = 0; i < this.capacity; i += 1) {
      const count = this.filled - (this.gaps[i] as number);
      if (count === 0) continue;
      const sx = v.sx[i] as number;
      const spread = count * (this.sumSq[i] as number) - sx * sx; // count² · variance
      if (sx * sx <= RESHIFT_RATIO * Math.max(0, spread)) continue;
      this.recomputeRow(v, i);
      this.refreshRows(v);
      if (rOff !== null) this.writeRow(v, this.arena.f64(rOff, this.pairs), i);
      any = true;
      // A re-shifted row costs O(N·W): a level shift of the whole swarm re-shifts every row.
      work += this.capacity * (this.window / 8);
      if (work >= SLICE_WORK) {
        work = 0;
        yield;
      }
    }
    return any;
  }

  /** Exact shift, sums and cross-products of one row against all others. O(N·W). */
  private recomputeRow(v: Views, i: number): void {
    const w = this.window;
    const own = new Float64Array(w);
    const sums = this.shiftRow(i, own, 0);
    v.sx[i] = sums.sx;
    this.sumSq[i] = sums.sxx;
    const s = v.s;
    if (!(this.shift[i] === this.shift[i])) {
      // No value at all (a cleared slot): every cross-product is the 0 the loop below would sum.
      for (let j = 0; j < this.capacity; j += 1) if (j !== i) s[pairIndex(this.capacity, i, j)] = 0;
      return;
    }
    for (let j = 0; j < this.capacity; j += 1) {
      if (j === i) continue;
      const base = j * w;
      const k = this.shift[j] as number;
      let acc = 0;
      if (k === k) {
        for (let t = 0; t < w; t += 1) {
          const x = this.ring[base + t] as number;
          if (x === x) acc += (own[t] as number) * (x - k);
        }
      }
      s[pairIndex(this.capacity, i, j)] = acc;
    }
  }

  /**
   * Sets row i's shift to its exact mean and writes x − shift (0 at gaps) to out[offset…];
   * returns the sums of those values and of their squares.
   */
  private shiftRow(i: number, out: Float64Array, offset: number): { sx: number; sxx: number } {
    const w = this.window;
    const base = i * w;
    let count = 0;
    let sum = 0;
    let first = NaN;
    // Relative to the first value: exact for nearby values, and a constant row gets exactly 0.
    for (let t = 0; t < w; t += 1) {
      const x = this.ring[base + t] as number;
      if (x === x) {
        if (count === 0) first = x;
        count += 1;
        sum += x - first;
      }
    }
    if (count === 0) {
      this.shift[i] = NaN;
      for (let t = 0; t < w; t += 1) out[offset + t] = 0;
      return { sx: 0, sxx: 0 };
    }
    let mean = sum / count;
    let correction = 0;
    for (let t = 0; t < w; t += 1) {
      const x = this.ring[base + t] as number;
      if (x === x) correction += x - first - mean;
    }
    mean += correction / count;
    const shift = first + mean;
    this.shift[i] = shift;
    let sx = 0;
    let sxx = 0;
    for (let t = 0; t < w; t += 1) {
      const x = this.ring[base + t] as number;
      const d = x === x ? x - shift : 0;
      out[offset + t] = d;
      sx += d;
      sxx += d * d;
    }
    return { sx, sxx };
  }

  /** Recounts per-row gaps and the steps where every row is a gap, from the ring. O(N·W). */
  /**
   * recountGaps after only row i changed (`had`: its slots that held a value before), in O(W) plus
   * a scan of the other rows only at a step that row alone observed: a churn step clears dozens of
   * rows per metric, and a full recount is O(N·W) each.
   */
  private recountRowGaps(i: number, had: Uint8Array): void {
    const w = this.window;
    const base = i * w;
    let gaps = 0;
    for (let t = 0; t < w; t += 1) {
      if (!this.isFilledSlot(t)) continue;
      const x = this.ring[base + t] as number;
      if (x === x) {
        if (this.commonGap[t] === 1) {
          this.commonGap[t] = 0;
          this.commonGaps -= 1;
        }
        continue;
      }
      gaps += 1;
      if (had[t] === 1 && !this.anyRowObserves(t)) {
        this.commonGap[t] = 1;
        this.commonGaps += 1;
      }
    }
    this.gaps[i] = gaps;
  }

  /** Whether any row holds a value at ring slot t. */
  private anyRowObserves(t: number): boolean {
    const w = this.window;
    for (let j = 0; j < this.capacity; j += 1) {
      const x = this.ring[j * w + t] as number;
      if (x === x) return true;
    }
    return false;
  }

  private recountGaps(): void {
    const w = this.window;
    this.commonGap.fill(0);
    this.commonGaps = 0;
    const anyValue = new Uint8Array(w);
    for (let i = 0; i < this.capacity; i += 1) {
      let gaps = 0;
      for (let t = 0; t < w; t += 1) {
        if (!this.isFilledSlot(t)) continue;
        const x = this.ring[i * w + t] as number;
        if (x === x) anyValue[t] = 1;
        else gaps += 1;
      }
      this.gaps[i] = gaps;
    }
    for (let t = 0; t < w; t += 1) {
      if (this.isFilledSlot(t) && anyValue[t] === 0) {
        this.commonGap[t] = 1;
        this.commonGaps += 1;
      }
    }
  }

  /** Whether ring slot t holds one of the window's steps (not yet, while it fills). */
  private isFilledSlot(t: number): boolean {
    if (this.filled === this.window) return true;
    // While filling, steps occupy slots [0, filled) (head = filled).
    return t < this.filled;
  }

  /** Slots of row i's gaps that are not common to every row. */
  private privateGapSlots(i: number): Int32Array {
    const w = this.window;
    const out = new Int32Array(Math.max(0, (this.gaps[i] as number) - this.commonGaps));
    let n = 0;
    for (let t = 0; t < w && n < out.length; t += 1) {
      if (!this.isFilledSlot(t) || this.commonGap[t] === 1) continue;
      const x = this.ring[i * w + t] as number;
      if (x !== x) {
        out[n] = t;
        n += 1;
      }
    }
    return out;
  }

  /**
   * Rewrites the matrix entries of every valid pair where either row has gaps of its own; true if
   * there was one. Rows are grouped by gap pattern (gap-groups.ts); for row i and group h the sums
   * over h's gaps, Cx[i, h] = Σ x̃_i and Cxx[i, h] = Σ x̃_i², are O(N · gap slots of all groups);
   * then each pair's sums over its common steps are Sx_i − Cx[i, g(j)] (i's own gaps hold 0), its
   * count n − |g(i)| − |g(j)| + |g(i) ∩ g(j)|, and S_ij itself: O(1) per pair.
   */
  private *repairGappedRows(rOff: number): Sliced<boolean> {
    const table = yield* this.gapTables(rOff);
    if (table === null) return false;
    const n = this.capacity;
    let work = 0;
    for (let i = 0; i < n - 1; i += 1) {
      if (work >= SLICE_WORK) {
        work = 0;
        yield;
      }
      if (this.valid[i] === 0) continue;
      work += n - i;
      this.repairRow(i, table);
    }
    return true;
  }

  /**
   * The tables of the gap corrections (see repairGappedRows), in the arena's gap scratch; null when
   * no valid row has private gaps. Its views are valid until the arena grows.
   */
  private *gapTables(rOff: number): Sliced<RepairTables | null> {
    const n = this.capacity;
    const w = this.window;
    const candidate = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i += 1) {
      if (this.valid[i] === 1 && (this.gaps[i] as number) > this.commonGaps) {
        candidate[i] = 1;
        any = true;
      }
    }
    if (!any) return null;
    const countable = new Uint8Array(w);
    for (let t = 0; t < w; t += 1) countable[t] = this.isFilledSlot(t) && this.commonGap[t] === 0 ? 1 : 0;
    const groups = groupGapPatterns(this.ring, w, n, candidate, countable);
    const g = groups.count;
    // The scratch: the corrections (group-major 2·N·G f64, then row-major 2·N·G), then as i32 each
    // row's group, the gapped rows ascending and every row (the gather kernel's lists).
    const groupOfOff = 8 * 4 * n * g;
    const gappedOff = groupOfOff + 4 * n;
    const everyOff = gappedOff + 4 * n;
    const corrOff = this.arena.scratch(GAP_SCRATCH, (everyOff + 4 * n) / 8 + 1); // first: it may grow the arena
    const v = this.view();
    const r = this.arena.f64(rOff, this.pairs);
    const corr = this.arena.f64(corrOff, 4 * n * g);
    yield* this.gapCorrections(corr, groups, v.sx);
    const { groupOf, shared } = groups;
    const nEff = this.effectiveCount();
    const lists = new Int32Array(this.arena.buffer, corrOff + groupOfOff, 3 * n);
    lists.set(groupOf, 0);
    lists.set(groups.rows, n);
    for (let i = 0; i < n; i += 1) lists[2 * n + i] = i;
    // Consecutive slots of one group (a wave of joiners takes consecutive free slots): row i's pairs
    // with one run share every term but the partner's corrected sum and 1/σ, which lie side by side
    // in the transposed tables, so a run is one call of the vector kernel.
    const runs = groupRuns(groupOf);
    const gappedRuns = gappedRunsOf(runs);
    const table: RepairTables = {
      r,
      s: v.s,
      corr,
      corrOff,
      rOff,
      groupOf,
      shared,
      g,
      nEff,
      runs,
      gappedRuns,
      gapped: groups.rows,
      groupOfOff: corrOff + groupOfOff,
      gappedOff: corrOff + gappedOff,
      everyOff: corrOff + everyOff,
    };
    return table;
  }

  /**
   * Row i's pairs with gapped partners (or all of them, if i has gaps of its own) from the tables of
   * repairGappedRows. A plain method, not inlined in the generator: V8 runs a loop in a generator's
   * body several times slower.
   */
  private repairRow(i: number, table: RepairTables): void {
    const { r, s, corr, corrOff, rOff, groupOf, shared, g, nEff } = table;
    const n = this.capacity;
    const sq = n * g; // offset of the 1/√(n·Sxx − Sx²) block
    const kernels = this.arena.kernels;
    const gi = groupOf[i] as number;
    const lenI = shared[gi * g + gi] as number;
    const base = (i * (2 * n - i - 1)) / 2 - i - 1; // packed index of (i, j) = base + j
    // The partners' sums over the steps they share with i's group: column gi of the tables.
    const column = gi * n;
    // A row without private gaps pairs with the gapped rows only (the kernel's value is exact for the
    // rest); runs that end before row i's partners start are skipped by a binary search. With churn a
    // metric has hundreds of runs, and visiting each for every row cost as much as the repairs.
    const runs = gi === 0 ? table.gappedRuns : table.runs;
    const firstRun = firstRunEndingAfter(runs, i);
    // Partners scattered over many short runs (churn, missed pushes): one gather-kernel call over
    // the row's partner list instead of a call or a JS loop per run.
    const first = gi === 0 ? firstAbove(table.gapped, i) : i + 1;
    const partners = gi === 0 ? table.gapped.length - first : n - i - 1;
    if ((runs.length - firstRun) / 3 > partners / KERNEL_RUN) {
      kernels.pair_r_gather(
        this.sOff + 8 * base,
        corrOff + 8 * column,
        corrOff + 8 * (sq + column),
        table.groupOfOff,
        (gi === 0 ? table.gappedOff : table.everyOff) + 4 * first,
        partners,
        corrOff + 8 * (2 * sq + 2 * g * i),
        rOff + 8 * base,
      );
      return;
    }
    for (let run = firstRun; run < runs.length; run += 3) {
      const end = runs[run + 1] as number;
      const gj = runs[run + 2] as number;
      const from = Math.max(runs[run] as number, i + 1);
      const common = nEff - lenI - (shared[gj * g + gj] as number) + (shared[gi * g + gj] as number);
      const sumI = corr[gj * n + i] as number;
      const invI = corr[sq + gj * n + i] as number;
      if (end - from >= KERNEL_RUN) {
        kernels.pair_r_run(
          this.sOff + 8 * (base + from),
          corrOff + 8 * (column + from),
          corrOff + 8 * (sq + column + from),
          end - from,
          common,
          sumI,
          invI,
          rOff + 8 * (base + from),
        );
        continue;
      }
      for (let j = from; j < end; j += 1) {
        // Invalid rows and pairs below minOverlap carry NaN in the 1/σ table, so r is NaN.
        r[base + j] = clamp(
          (common * (s[base + j] as number) - sumI * (corr[column + j] as number)) * invI * (corr[sq + column + j] as number),
        );
      }
    }
  }

  /**
   * For every row i and group h: corr[h·N + i] = Sx of i over the steps it shares with h's rows,
   * Sx_i − Σ x̃_i over h's gap slots, and corr[N·G + h·N + i] = 1/√(n·Sxx − Sx²) over those n
   * steps, NaN when i is invalid, n < minOverlap or i is constant there (group-major, so that one
   * group's values for consecutive rows are consecutive: a run's partners); and row-major, at
   * corr[2·N·G + 2·(G·i + h)], row i's own factors for partners in group h: p = n·(1/σ) and
   * q = sum·(1/σ), so that r_ij = (p·S_ij − q·sum_j)·(1/σ_j) with j's sum and 1/σ over the steps it
   * shares with i's group (the gather kernels' formula; NaN where 1/σ is). O(N · (W + Σ_h runs(h))).
   */
  private *gapCorrections(corr: Float64Array, groups: GapGroups, sums: Float64Array): Sliced<void> {
    const n = this.capacity;
    const w = this.window;
    // Each group's gap slots as runs of consecutive ring slots: a wave of joiners misses one run
    // (the steps before it joined), leavers one run (the steps since), so a row's sum over a
    // group's gaps is a few differences of its prefix sums instead of one term per slot.
    const runs = groups.slots.map(slotRuns);
    const prefix = { p1: new Float64Array(w + 1), p2: new Float64Array(w + 1) };
    const perRow = w + runs.reduce((total, bounds) => total + bounds.length, 0);
    let work = 0;
    for (let i = 0; i < n; i += 1) {
      work += perRow;
      if (work >= SLICE_WORK) {
        work = 0;
        yield;
      }
      this.rowCorrections(i, corr, groups, runs, sums[i] as number, prefix);
    }
  }

  /** gapCorrections of row i (a plain method: see repairRow), with prefix sums in `prefix`. */
  private rowCorrections(
    i: number,
    corr: Float64Array,
    groups: GapGroups,
    runs: readonly Int32Array[],
    sx: number,
    prefix: { readonly p1: Float64Array; readonly p2: Float64Array },
  ): void {
    const n = this.capacity;
    const w = this.window;
    const g = groups.count;
    const sq = n * g;
    const rowMajor = 2 * sq + 2 * g * i;
    const { groupOf, shared } = groups;
    const { p1, p2 } = prefix;
    if (this.valid[i] === 0) {
      for (let h = 0; h < g; h += 1) {
        corr[h * n + i] = 0;
        corr[sq + h * n + i] = NaN;
        corr[rowMajor + 2 * h] = NaN;
        corr[rowMajor + 2 * h + 1] = NaN;
      }
      return;
    }
    const nEff = this.effectiveCount();
    const base = i * w;
    const k = this.shift[i] as number;
    // Running sums in locals: reading back p1[t] just stored made each step wait for the last store.
    let s1 = 0;
    let s2 = 0;
    for (let t = 0; t < w; t += 1) {
      const x = this.ring[base + t] as number;
      const d = x === x ? x - k : 0;
      s1 += d;
      s2 += d * d;
      p1[t + 1] = s1;
      p2[t + 1] = s2;
    }
    const gi = groupOf[i] as number;
    const lenI = shared[gi * g + gi] as number;
    const sxx = this.sumSq[i] as number;
    for (let h = 0; h < g; h += 1) {
      const bounds = runs[h] as Int32Array;
      let sum = 0;
      let sumSq = 0;
      for (let m = 0; m < bounds.length; m += 2) {
        const from = bounds[m] as number;
        const to = bounds[m + 1] as number;
        sum += (p1[to] as number) - (p1[from] as number);
        sumSq += (p2[to] as number) - (p2[from] as number);
      }
      const common = nEff - lenI - (shared[h * g + h] as number) + (shared[gi * g + h] as number);
      const si = sx - sum;
      const ssi = sxx - sumSq;
      const spread = common * ssi - si * si;
      const inv = common >= this.minOverlap && spread > CONSTANT_TOLERANCE * common * ssi ? 1 / Math.sqrt(spread) : NaN;
      corr[h * n + i] = si;
      corr[sq + h * n + i] = inv;
      corr[rowMajor + 2 * h] = common * inv;
      corr[rowMajor + 2 * h + 1] = si * inv;
    }
  }

  /** Writes r of every pair (i, j) where neither row has private gaps (repairGappedRows writes the others). */
  private writeRow(v: Views, r: Float64Array, i: number): void {
    const own = (this.gaps[i] as number) > this.commonGaps;
    for (let j = 0; j < this.capacity; j += 1) {
      if (j === i || own || (this.gaps[j] as number) > this.commonGaps) continue;
      r[pairIndex(this.capacity, i, j)] = this.pairFromSums(v, i, j, null, null);
    }
  }

  /**
   * r of (i, j) over their common points, from the sums. Without private gaps it is the kernel's
   * fast formula, bit for bit; with them the row sums are corrected at the other row's gaps.
   */
  private pairFromSums(v: Views, i: number, j: number, slotsI: Int32Array | null, slotsJ: Int32Array | null): number {
    if (this.valid[i] === 0 || this.valid[j] === 0) return NaN;
    const cross = v.s[pairIndex(this.capacity, i, j)] as number;
    const nEff = this.effectiveCount();
    const privI = (this.gaps[i] as number) - this.commonGaps;
    const privJ = (this.gaps[j] as number) - this.commonGaps;
    if (privI === 0 && privJ === 0) {
      const first = i < j ? i : j;
      const second = i < j ? j : i;
      const rr = (nEff * cross - (v.sx[first] as number) * (v.sx[second] as number)) * (v.inv[first] as number) * (v.inv[second] as number);
      return Math.min(1, Math.max(-1, rr));
    }
    const gi = privI > 0 ? (slotsI ?? this.privateGapSlots(i)) : new Int32Array(0);
    const gj = privJ > 0 ? (slotsJ ?? this.privateGapSlots(j)) : new Int32Array(0);
    const w = this.window;
    let sxi = v.sx[i] as number;
    let sxxi = this.sumSq[i] as number;
    let sxj = v.sx[j] as number;
    let sxxj = this.sumSq[j] as number;
    let both = 0;
    const ki = this.shift[i] as number;
    const kj = this.shift[j] as number;
    for (const t of gj) {
      const x = this.ring[i * w + t] as number;
      if (x === x) {
        const d = x - ki;
        sxi -= d;
        sxxi -= d * d;
      } else {
        both += 1;
      }
    }
    for (const t of gi) {
      const x = this.ring[j * w + t] as number;
      if (x === x) {
        const d = x - kj;
        sxj -= d;
        sxxj -= d * d;
      }
    }
    const n = nEff - privI - privJ + both;
    if (n < this.minOverlap) return NaN;
    const vi = n * sxxi - sxi * sxi;
    const vj = n * sxxj - sxj * sxj;
    if (!(vi > CONSTANT_TOLERANCE * n * sxxi) || !(vj > CONSTANT_TOLERANCE * n * sxxj)) return NaN;
    const rr = (n * cross - sxi * sxj) / (Math.sqrt(vi) * Math.sqrt(vj));
    return Math.min(1, Math.max(-1, rr));
  }

  /** Typed views on the arena, re-taken when its buffer changed. */
  private view(): Views {
    const buffer = this.arena.buffer;
    if (this.views !== null && this.views.buffer === buffer) return this.views;
    const rows = this.paddedRows;
    this.views = {
      buffer,
      s: this.arena.f64(this.sOff, this.pairs),
      a: this.arena.f64(this.aOff, rows),
      b: this.arena.f64(this.bOff, rows),
      sx: this.arena.f64(this.sxOff, rows),
      inv: this.arena.f64(this.invOff, rows),
      stats: this.arena.f64(this.statsOff, 3 * this.capacity),
    };
    return this.views;
  }
}
