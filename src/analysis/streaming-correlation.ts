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
import { CONSTANT_TOLERANCE, gapTables, repairGappedRows, type GappedWindow, type RepairTables } from './gap-corrections.js';
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

/** Re-shift a row once its window mean lies more than √100 = 10 standard deviations from its shift. */
const RESHIFT_RATIO = 100;

/**
 * Arena scratch of the fused pass' candidate pairs (see rowScan): a count, then up to
 * CANDIDATE_ROOM (i, j) pairs of i32. With more, the significance test reads the matrix instead.
 */
const CANDIDATE_SCRATCH = 'correlation-candidates';
const CANDIDATE_ROOM = 1 << 16;

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
    const gapped = yield* gapTables(this.gappedWindow(), this.arena, this.sOff, rOff);
    yield* this.updateAndCorrelate(rOff, bars, gapped);
    const reshifted = yield* this.reshiftDriftedRows(rOff);
    // A re-shifted row's pairs were rewritten by the plain formula; the gapped ones need the repair.
    if (reshifted && gapped !== null) yield* repairGappedRows(this.gappedWindow(), this.arena, this.sOff, rOff);
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
    const repaired = yield* repairGappedRows(this.gappedWindow(), this.arena, this.sOff, rOff);
    this.matrixFresh = true;
    this.statsFresh = !repaired;
    return this.arena.f64(rOff, this.pairs);
  }

  /**
   * The matrix' block in the arena (offset). Before any view (each may grow the arena): the
   * significance test's scan scratch, the candidate scratch, then the matrix.
   */
  private reserveMatrix(): number {
    reserveRowScan(this.arena, this.capacity);
    this.candidatesOff();
    return this.arena.scratch(MATRIX_SCRATCH, this.pairs);
  }

  /** The arena's candidate scratch (its count, then the pairs), shared by the states of the arena. */
  private candidatesOff(): number {
    return this.arena.scratch(CANDIDATE_SCRATCH, 1 + CANDIDATE_ROOM);
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
    const candidatesOff = this.candidatesOff();
    new Int32Array(this.arena.buffer, candidatesOff, 1)[0] = 0;
    this.candidateTau = bars === undefined ? Number.NaN : bars.candidateTau;
    for (let from = 0; from < n - 1;) {
      const to = rowsWithin(n, from, n - 1);
      const skip = 8 * rowStart(n, from);
      // Both kernels end with the matrix, the statistics, the rows and the first pass' outputs.
      const rest = [
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
      ] as const;
      const kernels = this.arena.kernels;
      if (gapped === null) kernels.stream_update_r(this.sOff + skip, this.aOff, this.bOff, n, this.sxOff, this.invOff, nObs, ...rest);
      else kernels.stream_update_groups(this.sOff + skip, this.aOff, this.bOff, n, gapped.groupOfOff, gapped.g, gapped.corrOff, ...rest);
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
    const candidatesOff = this.candidatesOff();
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

  /** What the gap corrections (gap-corrections.ts) read of this state now. */
  private gappedWindow(): GappedWindow {
    const w = this.window;
    const countable = new Uint8Array(w);
    for (let t = 0; t < w; t += 1) countable[t] = this.isFilledSlot(t) && this.commonGap[t] === 0 ? 1 : 0;
    return {
      capacity: this.capacity,
      window: w,
      minOverlap: this.minOverlap,
      ring: this.ring,
      shift: this.shift,
      sumsOff: this.sxOff,
      sumSq: this.sumSq,
      valid: this.valid,
      gaps: this.gaps,
      commonGaps: this.commonGaps,
      countable,
      effectiveCount: this.effectiveCount(),
    };
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
