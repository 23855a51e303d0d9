// A metric whose cross-agent correlations are maintained every step from running sums (O(N²) per
// step; 4·N² bytes of state): the tier of the metrics the analysis leans on most.
import type { KernelArena } from '../analysis/kernel-arena.js';
import { StreamingCorrelation } from '../analysis/streaming-correlation.js';
import { stickyTopPairs, type CorrelatedPair } from '../analysis/top-pairs.js';
import { entryBarOf, exitMargin, type CorrelationTrack, type TrackStep } from './correlation-track.js';

export class StreamingTrack implements CorrelationTrack {
  readonly tier = 'streaming';
  private readonly stream: StreamingCorrelation;
  private previous: readonly CorrelatedPair[] = [];

  /**
   * @param history each slot's chronological window up to the previous step (null: no data), so the
   *   state starts with the whole window instead of filling up again
   */
  constructor(
    capacity: number,
    window: number,
    arena: KernelArena,
    minOverlap: number,
    private readonly topPairs: number,
    history: readonly (Float64Array | null)[] | null,
  ) {
    this.stream = new StreamingCorrelation({ capacity, window, arena, minOverlap });
    if (history !== null) this.stream.seed(history);
  }

  advance(column: Float64Array): TrackStep {
    const r = this.stream.pushAndCorrelate(column);
    // Right after the push, before any other state of the arena runs: reads only the rows that can
    // hold a top pair (the fused kernel's row statistics).
    const k = this.topPairs;
    const summary = this.stream.summary(k);
    const margin = exitMargin(entryBarOf(summary.top, k), this.stream.window);
    const top = k === 0 ? [] : stickyTopPairs(r, this.stream.capacity, k, this.previous, margin, 0, summary.top);
    this.previous = top;
    return { top, meanAbs: summary.meanAbs };
  }

  pair(i: number, j: number): number {
    return this.stream.pair(i, j);
  }

  repair(slot: number, history: Float64Array): void {
    // O(N·W): the row's sums and cross-products are recomputed exactly from the new values.
    this.stream.setRow(slot, history);
  }

  clearSlot(slot: number): void {
    this.stream.setRow(slot, null);
    this.previous = this.previous.filter((p) => p.a !== slot && p.b !== slot);
  }

  dispose(): void {
    this.stream.dispose();
  }
}
