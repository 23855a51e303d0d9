// Pairwise-complete correlation where rows have gaps of their own (streaming-correlation.ts): rows
// are grouped by gap pattern (gap-groups.ts: a wave of joiners, the leavers of one step, agents that
// missed the same pushes); for row i and group h the sums over h's gaps, Cx[i, h] = Σ x̃_i and
// Cxx[i, h] = Σ x̃_i², are O(N · gap slots of all groups), and each pair's sums over its common
// steps follow in O(1): Sx_i − Cx[i, g(j)] (i's own gaps hold 0), the count
// n − |g(i)| − |g(j)| + |g(i) ∩ g(j)|, and S_ij itself. The tables are read by the fused update
// (stream_update_groups) and, after a re-shift, by the repair of the rows' pairs (repairGappedRows).
import { groupGapPatterns, type GapGroups } from './gap-groups.js';
import type { KernelArena } from './kernel-arena.js';
import { pairCount } from './packed-triangle.js';
import { SLICE_WORK, type Sliced } from './sliced.js';

/** A row is constant when n·Sxx − Sx² is below this share of n·Sxx (rounding noise, not data). */
export const CONSTANT_TOLERANCE = 1e-12;

/** r clamped to [−1, 1] (rounding can step past ±1 by an ulp); NaN stays NaN. */
export function clamp(r: number): number {
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** What the gap corrections read of a streaming state: its window, shifts and row sums. */
export interface GappedWindow {
  readonly capacity: number;
  readonly window: number;
  readonly minOverlap: number;
  /** Raw values, row-major capacity × window (a ring with a shared head); NaN = gap. */
  readonly ring: Float64Array;
  /** Each row's shift k_i (its sums are of x − k_i, 0 at gaps). */
  readonly shift: Float64Array;
  /** Each row's Sx over the window: its arena offset (f64 per row; read after the arena's scratch is taken). */
  readonly sumsOff: number;
  /** Each row's Sxx over the window. */
  readonly sumSq: Float64Array;
  /** 1 where a row can correlate at all. */
  readonly valid: Uint8Array;
  /** Each row's gaps among the window's filled steps, and the steps where every row is a gap. */
  readonly gaps: Int32Array;
  readonly commonGaps: number;
  /** Ring slots that count: filled, and not a gap of every row. */
  readonly countable: Uint8Array;
  /** n of the fast formula: filled steps minus those where every row is a gap. */
  readonly effectiveCount: number;
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

/** Arena scratch of the gap corrections (shared by every state of an arena, like the matrix). */
const GAP_SCRATCH = 'correlation-gap-corrections';

/** What repairGappedRows computes once for every row's repair (repairRow). */
export interface RepairTables {
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

/**
 * Rewrites the matrix entries of every valid pair where either row has gaps of its own; true if
 * there was one. Rows are grouped by gap pattern (gap-groups.ts); for row i and group h the sums
 * over h's gaps, Cx[i, h] = Σ x̃_i and Cxx[i, h] = Σ x̃_i², are O(N · gap slots of all groups);
 * then each pair's sums over its common steps are Sx_i − Cx[i, g(j)] (i's own gaps hold 0), its
 * count n − |g(i)| − |g(j)| + |g(i) ∩ g(j)|, and S_ij itself: O(1) per pair.
 */
export function* repairGappedRows(state: GappedWindow, arena: KernelArena, sOff: number, rOff: number): Sliced<boolean> {
  const table = yield* gapTables(state, arena, sOff, rOff);
  if (table === null) return false;
  const n = state.capacity;
  let work = 0;
  for (let i = 0; i < n - 1; i += 1) {
    if (work >= SLICE_WORK) {
      work = 0;
      yield;
    }
    if (state.valid[i] === 0) continue;
    work += n - i;
    repairRow(state, arena, sOff, i, table);
  }
  return true;
}

/**
 * The tables of the gap corrections (see repairGappedRows), in the arena's gap scratch; null when
 * no valid row has private gaps. Its views are valid until the arena grows.
 */
export function* gapTables(state: GappedWindow, arena: KernelArena, sOff: number, rOff: number): Sliced<RepairTables | null> {
  const n = state.capacity;
  const w = state.window;
  const candidate = new Uint8Array(n);
  let any = false;
  for (let i = 0; i < n; i += 1) {
    if (state.valid[i] === 1 && (state.gaps[i] as number) > state.commonGaps) {
      candidate[i] = 1;
      any = true;
    }
  }
  if (!any) return null;
  const groups = groupGapPatterns(state.ring, w, n, candidate, state.countable);
  const g = groups.count;
  // The scratch: the corrections (group-major 2·N·G f64, then row-major 2·N·G), then as i32 each
  // row's group, the gapped rows ascending and every row (the gather kernel's lists).
  const groupOfOff = 8 * 4 * n * g;
  const gappedOff = groupOfOff + 4 * n;
  const everyOff = gappedOff + 4 * n;
  const corrOff = arena.scratch(GAP_SCRATCH, (everyOff + 4 * n) / 8 + 1); // first: it may grow the arena
  const r = arena.f64(rOff, pairCount(n));
  const corr = arena.f64(corrOff, 4 * n * g);
  yield* gapCorrections(state, corr, groups, arena.f64(state.sumsOff, n));
  const { groupOf, shared } = groups;
  const nEff = state.effectiveCount;
  const lists = new Int32Array(arena.buffer, corrOff + groupOfOff, 3 * n);
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
    s: arena.f64(sOff, pairCount(n)),
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
 * repairGappedRows. A plain function, not inlined in the generator: V8 runs a loop in a generator's
 * body several times slower.
 */
function repairRow(state: GappedWindow, arena: KernelArena, sOff: number, i: number, table: RepairTables): void {
  const { r, s, corr, corrOff, rOff, groupOf, shared, g, nEff } = table;
  const n = state.capacity;
  const sq = n * g; // offset of the 1/√(n·Sxx − Sx²) block
  const kernels = arena.kernels;
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
      sOff + 8 * base,
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
        sOff + 8 * (base + from),
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
function* gapCorrections(state: GappedWindow, corr: Float64Array, groups: GapGroups, sums: Float64Array): Sliced<void> {
  const n = state.capacity;
  const w = state.window;
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
    rowCorrections(state, i, corr, groups, runs, sums[i] as number, prefix);
  }
}

/** gapCorrections of row i (a plain function: see repairRow), with prefix sums in `prefix`. */
function rowCorrections(
  state: GappedWindow,
  i: number,
  corr: Float64Array,
  groups: GapGroups,
  runs: readonly Int32Array[],
  sx: number,
  prefix: { readonly p1: Float64Array; readonly p2: Float64Array },
): void {
  const n = state.capacity;
  const w = state.window;
  const g = groups.count;
  const sq = n * g;
  const rowMajor = 2 * sq + 2 * g * i;
  const { groupOf, shared } = groups;
  const { p1, p2 } = prefix;
  if (state.valid[i] === 0) {
    for (let h = 0; h < g; h += 1) {
      corr[h * n + i] = 0;
      corr[sq + h * n + i] = NaN;
      corr[rowMajor + 2 * h] = NaN;
      corr[rowMajor + 2 * h + 1] = NaN;
    }
    return;
  }
  const nEff = state.effectiveCount;
  const base = i * w;
  const k = state.shift[i] as number;
  // Running sums in locals: reading back p1[t] just stored made each step wait for the last store.
  let s1 = 0;
  let s2 = 0;
  for (let t = 0; t < w; t += 1) {
    const x = state.ring[base + t] as number;
    const d = x === x ? x - k : 0;
    s1 += d;
    s2 += d * d;
    p1[t + 1] = s1;
    p2[t + 1] = s2;
  }
  const gi = groupOf[i] as number;
  const lenI = shared[gi * g + gi] as number;
  const sxx = state.sumSq[i] as number;
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
    const inv = common >= state.minOverlap && spread > CONSTANT_TOLERANCE * common * ssi ? 1 / Math.sqrt(spread) : NaN;
    corr[h * n + i] = si;
    corr[sq + h * n + i] = inv;
    corr[rowMajor + 2 * h] = common * inv;
    corr[rowMajor + 2 * h + 1] = si * inv;
  }
}
