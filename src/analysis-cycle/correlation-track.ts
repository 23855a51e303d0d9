// What the analyzer needs from one metric's cross-agent correlation, whichever way it is kept up to
// date (streaming-track.ts: running sums every step; periodic-track.ts: exact recomputation in turns).
import type { CorrelatedPair } from '../analysis/top-pairs.js';
import type { CorrelationTier } from './streaming-budget.js';

export interface TrackStep {
  /** Exposed pairs (top `top_pairs` by |r| with hysteresis), strongest first, slot indexes, every r finite. */
  readonly top: readonly CorrelatedPair[];
  /** Mean |r| over every defined pair; NaN when none. Periodic tracks: as of their last recomputation. */
  readonly meanAbs: number;
}

export interface CorrelationTrack {
  readonly tier: CorrelationTier;
  /**
   * One step. `column[slot]` is the value each slot got at this step (NaN = gap); `rows[slot]` is the
   * slot's whole window as the store holds it (a ring shared by every row, NaN = gap or no series).
   * `recompute` asks a periodic track for its exact recomputation now (streaming tracks ignore it).
   */
  advance(column: Float64Array, rows: readonly Float64Array[], recompute: boolean): TrackStep;
  /** r of two slots over the current window (NaN when undefined). */
  pair(i: number, j: number): number;
  /**
   * Past cells of a slot's row were rewritten in the store (a late or backfilled sample): replace the
   * row with `history`, its chronological window up to the previous step (the current one is pushed
   * next by advance).
   */
  repair(slot: number, history: Float64Array): void;
  /** A slot's agent left: forget its row and drop it from the exposed pairs. */
  clearSlot(slot: number): void;
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
