// A metric without a streaming state of its own (the memory budget is spent on others): its exact
// N×N matrix of changes is recomputed in turns with the other periodic metrics of the swarm, in one
// shared scratch state; in between, the exposed pairs keep their selection and get their exact r
// every step (and leave once no longer significant at the last test's cutoff).
import { differenceRing } from '../analysis/difference-row.js';
import { pearsonPairwise } from '../analysis/pearson-pair.js';
import type { KernelArena } from '../analysis/kernel-arena.js';
import { WINDOWS_PER_SLICE, type Sliced } from '../analysis/sliced.js';
import { StreamingCorrelation } from '../analysis/streaming-correlation.js';
import { PairSelection, type CorrelationTrack, type TrackInput, type TrackStep } from './correlation-track.js';

/**
 * One N² scratch state per swarm, re-seeded by whichever periodic metric recomputes. Seeding with
 * the differenced rings as they lie is fine: r does not depend on the order of the steps, only on
 * every row using the same order, and the rings share one head.
 */
export class RecomputeScratch {
  private state: StreamingCorrelation;

  constructor(capacity: number, window: number, arena: KernelArena, minOverlap: number) {
    this.state = new StreamingCorrelation({ capacity, window, arena, minOverlap, resyncEvery: 0 });
  }

  get capacity(): number {
    return this.state.capacity;
  }

  /** The arena the recomputed matrix lies in. */
  get arena(): KernelArena {
    return this.state.arena;
  }

  /** Room for `capacity` rows (≥ the current one); it holds nothing between recomputations. */
  /** Room for `capacity` rows (≥ the current one), in `arena`. */
  *resize(capacity: number, arena: KernelArena): Sliced<void> {
    if (capacity !== this.state.capacity) this.state = yield* this.state.grownSliced(capacity, arena);
  }

  /** Exact matrix of `rows` (O(N²·W)); the returned view is valid until the arena's next use. */
  *recompute(rows: readonly Float64Array[]): Sliced<Float64Array> {
    yield* this.state.seedSliced(rows);
    return yield* this.state.correlationsSliced();
  }

  dispose(): void {
    this.state.dispose();
  }
}

export class PeriodicTrack implements CorrelationTrack {
  readonly tier = 'periodic';
  private readonly selection: PairSelection;
  private meanAbs = Number.NaN;
  private rows: readonly Float64Array[] = [];
  private oldest = 0;
  private computed = false;
  private readonly x: Float64Array;
  private readonly y: Float64Array;

  constructor(
    private capacity: number,
    windowPoints: number,
    private readonly minOverlap: number,
    topPairs: number,
    private readonly scratch: RecomputeScratch,
    fdr: number,
  ) {
    this.selection = new PairSelection(topPairs, windowPoints, fdr);
    this.x = new Float64Array(windowPoints);
    this.y = new Float64Array(windowPoints);
  }

  *advance(input: TrackInput): Sliced<TrackStep> {
    this.rows = input.rows;
    this.oldest = input.oldest;
    const { diffs } = input;
    if (input.recompute || !this.computed) {
      // Each row differenced is O(W): a safe point every WINDOWS_PER_SLICE of them.
      const changes: Float64Array[] = [];
      for (let slot = 0; slot < this.capacity; slot += 1) {
        if (slot % WINDOWS_PER_SLICE === WINDOWS_PER_SLICE - 1) yield;
        changes.push(diffs.row(slot));
      }
      const r = yield* this.scratch.recompute(changes);
      yield* this.selection.select(r, this.capacity, diffs, this.scratch.arena);
      this.meanAbs = this.selection.meanAbs;
      this.computed = true;
    } else {
      // The selection waits for the next recomputation; the exposed values are exact now.
      this.selection.refresh((a, b) => pearsonPairwise(diffs.row(a), diffs.row(b), this.minOverlap), diffs);
    }
    return { top: this.selection.exposed, meanAbs: this.meanAbs, barAbs: this.selection.barAbs };
  }

  pair(i: number, j: number): number {
    const x = this.rows[i];
    const y = this.rows[j];
    if (i === j || x === undefined || y === undefined) return Number.NaN;
    return pearsonPairwise(differenceRing(x, this.oldest, this.x), differenceRing(y, this.oldest, this.y), this.minOverlap);
  }

  /**
   * Room for more slots (the analyzer resizes the shared scratch): the selection and its cutoff are
   * kept; new agents' pairs enter at this metric's next turn, so a join does not recompute every
   * periodic metric in one cycle.
   */
  // eslint-disable-next-line require-yield -- nothing to compute: the scratch is resized by the analyzer
  *resize(capacity: number): Sliced<void> {
    this.capacity = capacity;
  }

  *revise(): Sliced<void> {
    // Nothing to do: recomputed from the store's rings at its next turn; the exposed r every step.
  }

  clearSlot(slot: number): void {
    this.selection.forget(slot);
  }

  dispose(): void {
    // The scratch belongs to the analyzer, shared by every periodic track.
  }
}
