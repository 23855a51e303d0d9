// What the analyzer needs from one metric's cross-agent correlation of changes (first differences),
// whichever way it is kept up to date (streaming-track.ts: running sums every step; periodic-track.ts:
// exact recomputation in turns), and the selection both share: the k strongest pairs significant at
// the swarm's false-discovery rate, with hysteresis (docs/analysis-scores.md#cross-agent-correlation).
import { firstPassBars, isSignificant, significantPairsSliced } from '../analysis/correlation-significance.js';
import { pairIndex } from '../analysis/packed-triangle.js';
import type { KernelArena } from '../analysis/kernel-arena.js';
import type { FirstPassBars, RowScanResult } from '../analysis/packed-row-scan.js';
import type { Sliced } from '../analysis/sliced.js';
import { stickyTopPairs, type CorrelatedPair } from '../analysis/top-pairs.js';
import type { ChangeRows } from './change-rows.js';
import type { CorrelationTier } from './streaming-budget.js';

export interface TrackStep {
  /**
   * Exposed pairs: the `top_pairs` strongest |r| among the pairs significant at the FDR, with
   * hysteresis; strongest first, slot indexes, every r finite.
   */
  readonly top: readonly CorrelatedPair[];
  /** Mean |r| over every defined pair; NaN when none. Periodic tracks: as of their last recomputation. */
  readonly meanAbs: number;
  /** The |r| bar in force (correlation-significance.ts, barAbs); NaN when no pair is defined. */
  readonly barAbs: number;
}

/** One step's inputs of a track. */
export interface TrackInput {
  /** Each slot's change at this step (newest − previous value; NaN when either is a gap). */
  readonly changes: Float64Array;
  /** Each slot's whole window as the store holds it (a ring shared by every row, NaN = gap or no series). */
  readonly rows: readonly Float64Array[];
  /** The rings' oldest filled index. */
  readonly oldest: number;
  /** The differenced rings of this metric at this step (reset by the analyzer). */
  readonly diffs: ChangeRows;
  /** A periodic track recomputes its exact matrix now (streaming tracks ignore it). */
  readonly recompute: boolean;
}

/** The selection state of one metric's exposed pairs (shared by both tiers). */
export class PairSelection {
  private previous: readonly CorrelatedPair[] = [];
  /** BH cutoff of the last full test (0 = nothing significant). */
  private cutoff = 0;
  /** τ of the last full test's second pass (SignificanceResult.secondPassTau); NaN before the first. */
  private secondPassTau = Number.NaN;
  private bar = Number.NaN;
  private mean = Number.NaN;

  constructor(
    private readonly topPairs: number,
    private readonly windowPoints: number,
    private readonly fdr: number,
  ) {}

  get barAbs(): number {
    return this.bar;
  }

  /** Mean |r| over the defined pairs at the last full test (NaN when none). */
  get meanAbs(): number {
    return this.mean;
  }

  get exposed(): readonly CorrelatedPair[] {
    return this.previous;
  }

  /**
   * The bars of the full test's passes over `rows` slots at this step, for a kernel that computes the
   * matrix and its first pass together (StreamingCorrelation.rowScan). Candidates are listed at twice
   * the last test's second-pass τ: the window slides one step, so τ moves little, and when it rises
   * past that the test reads the matrix instead.
   */
  scanBars(rows: number, diffs: ChangeRows): Sliced<FirstPassBars> {
    const last = this.secondPassTau;
    const tau = Number.isNaN(last) ? this.fdr : last > 0 ? 2 * last : this.fdr / 1000;
    return firstPassBars(rows, diffs.maxCommon, this.fdr, (a) => diffs.rowFacts(a), tau);
  }

  /**
   * A full test over the packed matrix `r` of `rows` slots (one pass over it, meanAbs included, or
   * none when `scanned` holds that pass at scanBars); `r` lies in `arena` (a streaming state's
   * matrix).
   */
  *select(
    r: Float64Array,
    rows: number,
    diffs: ChangeRows,
    arena: KernelArena,
    scanned: RowScanResult | null = null,
  ): Sliced<readonly CorrelatedPair[]> {
    const k = this.topPairs;
    const result = yield* significantPairsSliced({
      r,
      rows,
      arena,
      nMax: diffs.maxCommon,
      fdr: this.fdr,
      facts: (a, b) => diffs.facts(a, b),
      rowFacts: (a) => diffs.rowFacts(a),
      limit: k,
      scanned,
    });
    this.cutoff = result.cutoff;
    this.secondPassTau = result.secondPassTau;
    this.bar = result.barAbs;
    this.mean = result.meanAbs;
    if (k === 0) {
      this.previous = [];
      return this.previous;
    }
    const fresh = result.significant.slice(0, k);
    const kept = this.previous.filter((p) => {
      const v = r[pairIndex(rows, p.a, p.b)] ?? Number.NaN;
      return isSignificant(v, diffs.facts(p.a, p.b), this.cutoff);
    });
    const margin = exitMargin(entryBarOf(fresh, k), this.windowPoints);
    this.previous = stickyTopPairs(r, rows, k, kept, margin, 0, fresh);
    return this.previous;
  }

  /** Between full tests: the exposed pairs with their exact r now, those no longer significant dropped. */
  refresh(pairR: (a: number, b: number) => number, diffs: ChangeRows): readonly CorrelatedPair[] {
    this.previous = this.previous
      .map((p) => ({ a: p.a, b: p.b, r: pairR(p.a, p.b) }))
      .filter((p) => isSignificant(p.r, diffs.facts(p.a, p.b), this.cutoff))
      .sort((x, y) => Math.abs(y.r) - Math.abs(x.r) || x.a - y.a || x.b - y.b);
    return this.previous;
  }

  /** A slot's agent left. */
  forget(slot: number): void {
    this.previous = this.previous.filter((p) => p.a !== slot && p.b !== slot);
  }
}

export interface CorrelationTrack {
  readonly tier: CorrelationTier;
  /**
   * One step (see TrackInput), in slices (analysis/sliced.ts): nothing else may use the track, nor
   * the states sharing its arena, until it has completed.
   */
  advance(input: TrackInput): Sliced<TrackStep>;
  /** r of two slots' changes over the current window (NaN when undefined). */
  pair(i: number, j: number): number;
  /**
   * Past cells of these slots' rings were rewritten (late samples; all slots when `slots` is null):
   * reload them before this step's advance. `history(slot)` is the slot's chronological window up
   * to the previous step (levels, null = no series).
   */
  revise(slots: readonly number[] | null, history: (slot: number) => Float64Array | null): Sliced<void>;
  /** A slot's agent left: forget its row and drop it from the exposed pairs. */
  clearSlot(slot: number): void;
  /**
   * Room for `capacity` slots (≥ the current one), keeping every slot's state: no re-seed. The
   * grown state lives in `arena` (the analyzer's new one: see SwarmAnalyzer.grow).
   */
  resize(capacity: number, arena: KernelArena): Sliced<void>;
  /** Returns the track's arena blocks; the track must not be used afterwards. */
  dispose(): void;
}

/** Least hysteresis margin of the exposed top pairs, in |r|. */
export const TOP_PAIR_MARGIN = 0.05;

/** A pair leaves when it falls this many standard errors of r below the entry bar. */
export const EXIT_STANDARD_ERRORS = 2.5;

/**
 * Hysteresis margin of the exposed pairs, in |r|: an exposed pair stays while |r| ≥ entry bar −
 * margin, the entry bar being the k-th strongest |r| now. The margin is EXIT_STANDARD_ERRORS
 * standard errors of a sample r at the bar, (1 − r²)/√(W − 1) (Fisher's large-sample variance of
 * r), at least TOP_PAIR_MARGIN. In a large swarm hundreds of pairs sit within a few hundredths of
 * the bar and their sample r wander by about one standard error as the window slides; a pair then
 * leaves only for a fall its sampling noise does not explain, and the exposed series stay put.
 */
export function exitMargin(entryBar: number, windowPoints: number): number {
  const bar = Math.min(1, Math.abs(entryBar));
  const standardError = (1 - bar * bar) / Math.sqrt(Math.max(1, windowPoints - 1));
  return Math.max(TOP_PAIR_MARGIN, EXIT_STANDARD_ERRORS * standardError);
}

/** The entry bar of a top-k list (strongest first): |r| of its k-th pair, 0 while it has fewer. */
export function entryBarOf(top: readonly { readonly r: number }[], k: number): number {
  return k > 0 && top.length >= k ? Math.abs(top[k - 1]?.r ?? 0) : 0;
}

/**
 * Common points a pair needs before its r is reported: a quarter of the window, at least 10 — enough
 * to keep chance correlations of short series out, early enough to show a fresh swarm within minutes.
 */
export function minOverlapFor(windowPoints: number): number {
  return Math.min(windowPoints, Math.max(10, Math.ceil(windowPoints / 4)));
}
