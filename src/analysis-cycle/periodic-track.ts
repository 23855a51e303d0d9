// A metric without a streaming state of its own (the memory budget is spent on others): its exact
// N×N matrix is recomputed in turns with the other periodic metrics of the swarm, in one shared
// scratch state; in between, the exposed pairs keep their selection and get their exact r every step.
import { pearsonPairwise } from '../analysis/pearson-pair.js';
import type { KernelArena } from '../analysis/kernel-arena.js';
import { StreamingCorrelation } from '../analysis/streaming-correlation.js';
import { stickyTopPairs, type CorrelatedPair } from '../analysis/top-pairs.js';
import { entryBarOf, exitMargin, type CorrelationTrack, type TrackStep } from './correlation-track.js';

/**
 * One N² scratch state per swarm, re-seeded by whichever periodic metric recomputes. Seeding with
 * the store's rings as they lie is fine: r does not depend on the order of the steps, only on every
 * row using the same order, and the rings share one head.
 */
export class RecomputeScratch {
  private readonly state: StreamingCorrelation;

  constructor(capacity: number, window: number, arena: KernelArena, minOverlap: number) {
    this.state = new StreamingCorrelation({ capacity, window, arena, minOverlap, resyncEvery: 0 });
  }

  /** Exact matrix of `rows` (O(N²·W)); the returned view and summary are valid until the arena's next use. */
  recompute(rows: readonly Float64Array[], k: number): { r: Float64Array; top: readonly CorrelatedPair[]; meanAbs: number } {
    this.state.seed(rows);
    const r = this.state.correlations();
    const summary = this.state.summary(k);
    return { r, top: summary.top, meanAbs: summary.meanAbs };
  }

  dispose(): void {
    this.state.dispose();
  }
}

export class PeriodicTrack implements CorrelationTrack {
  readonly tier = 'periodic';
  private previous: readonly CorrelatedPair[] = [];
  private meanAbs = Number.NaN;
  private rows: readonly Float64Array[] = [];
  private computed = false;

  constructor(
    private readonly capacity: number,
    private readonly windowPoints: number,
    private readonly minOverlap: number,
    private readonly topPairs: number,
    private readonly scratch: RecomputeScratch,
  ) {}

  advance(_column: Float64Array, rows: readonly Float64Array[], recompute: boolean): TrackStep {
    this.rows = rows;
    if (recompute || !this.computed) {
      const k = this.topPairs;
      const fresh = this.scratch.recompute(rows, k);
      const margin = exitMargin(entryBarOf(fresh.top, k), this.windowPoints);
      this.previous = k === 0 ? [] : stickyTopPairs(fresh.r, this.capacity, k, this.previous, margin, 0, fresh.top);
      this.meanAbs = fresh.meanAbs;
      this.computed = true;
    } else {
      // The selection waits for the next recomputation; the exposed values are exact now.
      this.previous = this.previous
        .map((p) => ({ a: p.a, b: p.b, r: this.pair(p.a, p.b) }))
        .filter((p) => Number.isFinite(p.r))
        .sort((x, y) => Math.abs(y.r) - Math.abs(x.r) || x.a - y.a || x.b - y.b);
    }
    return { top: this.previous, meanAbs: this.meanAbs };
  }

  pair(i: number, j: number): number {
    const x = this.rows[i];
    const y = this.rows[j];
    if (i === j || x === undefined || y === undefined) return Number.NaN;
    return pearsonPairwise(x, y, this.minOverlap);
  }

  repair(): void {
    // Nothing to do: this track reads the store's rows themselves, revised cells included.
  }

  clearSlot(slot: number): void {
    this.previous = this.previous.filter((p) => p.a !== slot && p.b !== slot);
  }

  dispose(): void {
    // The scratch belongs to the analyzer, shared by every periodic track.
  }
}
