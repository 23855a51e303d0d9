// A metric whose cross-agent correlations of changes are maintained every step from running sums
// (O(N²) per step; 4·N² bytes of state): the tier of the metrics the analysis leans on most.
import { differenceSeries } from '../analysis/difference-row.js';
import type { KernelArena } from '../analysis/kernel-arena.js';
import type { Sliced } from '../analysis/sliced.js';
import { StreamingCorrelation } from '../analysis/streaming-correlation.js';
import { PairSelection, type CorrelationTrack, type TrackInput, type TrackStep } from './correlation-track.js';

/** The differenced history a streaming state is seeded with (levels → changes), null kept. */
function changesOf(levels: Float64Array | null): Float64Array | null {
  return levels === null || levels.length < 2 ? null : differenceSeries(levels);
}

export class StreamingTrack implements CorrelationTrack {
  readonly tier = 'streaming';
  private stream: StreamingCorrelation;
  private readonly selection: PairSelection;

  /**
   * An empty state; `seed` loads the windows.
   * @param window the store's window W (levels); the state holds its W − 1 changes
   */
  constructor(capacity: number, window: number, arena: KernelArena, minOverlap: number, topPairs: number, fdr: number) {
    const changes = Math.max(2, window - 1);
    this.stream = new StreamingCorrelation({ capacity, window: changes, arena, minOverlap: Math.min(minOverlap, changes) });
    this.selection = new PairSelection(topPairs, window, fdr);
  }

  /**
   * Loads each slot's chronological window of levels up to the previous step (null: no data), so
   * the state starts with the whole window instead of filling up again. O(N²·W), in slices.
   */
  *seed(history: readonly (Float64Array | null)[]): Sliced<void> {
    yield* this.stream.seedSliced(history.map(changesOf));
  }

  *advance(input: TrackInput): Sliced<TrackStep> {
    const rows = this.stream.capacity;
    // The significance test's first pass over the matrix (which also gives the mean |r| and the
    // count) is done by the kernel that computes it, at thresholds known before it runs.
    const bars = yield* this.selection.scanBars(rows, input.diffs);
    const r = yield* this.stream.pushAndCorrelateSliced(input.changes, bars);
    const top = yield* this.selection.select(r, rows, input.diffs, this.stream.arena, this.stream.rowScan());
    return { top, meanAbs: this.selection.meanAbs, barAbs: this.selection.barAbs };
  }

  pair(i: number, j: number): number {
    return this.stream.pair(i, j);
  }

  *revise(slots: readonly number[] | null, history: (slot: number) => Float64Array | null): Sliced<void> {
    if (slots === null) {
      yield* this.stream.seedSliced(Array.from({ length: this.stream.capacity }, (_, slot) => changesOf(history(slot))));
      return;
    }
    // O(N·W) a row.
    for (const slot of slots) {
      this.stream.setRow(slot, changesOf(history(slot)));
      yield;
    }
  }

  *resize(capacity: number, arena: KernelArena): Sliced<void> {
    if (capacity !== this.stream.capacity) this.stream = yield* this.stream.grownSliced(capacity, arena);
  }

  clearSlot(slot: number): void {
    this.stream.setRow(slot, null);
    this.selection.forget(slot);
  }

  dispose(): void {
    this.stream.dispose();
  }
}
