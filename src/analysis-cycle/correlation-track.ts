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
  /** A slot's agent left: forget its row and drop it from the exposed pairs. */
  clearSlot(slot: number): void;
  /** Returns the track's arena blocks; the track must not be used afterwards. */
  dispose(): void;
}

/** Hysteresis margin of the exposed top pairs, in |r|: a pair leaves only when clearly below the entry bar. */
export const TOP_PAIR_MARGIN = 0.05;

/**
 * Common points a pair needs before its r is reported: a quarter of the window, at least 10 — enough
 * to keep chance correlations of short series out, early enough to show a fresh swarm within minutes.
 */
export function minOverlapFor(windowPoints: number): number {
  return Math.min(windowPoints, Math.max(10, Math.ceil(windowPoints / 4)));
}
