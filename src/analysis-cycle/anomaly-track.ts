// One metric's robust anomaly scores for every slot of a swarm (sorted sliding windows, O(W) per
// step) and the recent-steps record the correlated-anomaly clusters are built from.
import type { AnomalyLayer } from '../analysis/anomaly-clusters.js';
import { RobustWindowBank } from '../analysis/robust-window-bank.js';

/** Recent steps searched for simultaneous anomalies (the current one and the four before). */
export const ANOMALY_STEPS = 5;

/**
 * Most agents of one metric taken as anomalous at one step for the clusters (the largest |z|). The
 * cluster search looks at every pair anomalous at the same step: without a bound, a swarm-wide event
 * (5,000 agents at once) would mean 12.5 M pairs per step and metric. Beyond it the largest cluster
 * saturates at this size, which still says "swarm-wide".
 */
export const MAX_CLUSTER_CANDIDATES = 256;

export class AnomalyTrack {
  private bank: RobustWindowBank;
  /** Latest robust z per slot (NaN = none). */
  z: Float64Array;
  /** |z| per slot and recent step, slot-major; ring over steps, NaN = no score. */
  private recent: Float32Array;
  private steps = 0;

  /** @param history each slot's chronological window up to the previous step (null: none) */
  constructor(
    private capacity: number,
    window: number,
    history: readonly (Float64Array | null)[] | null,
  ) {
    this.bank = new RobustWindowBank({ series: capacity, window });
    this.z = new Float64Array(capacity).fill(Number.NaN);
    this.recent = new Float32Array(capacity * ANOMALY_STEPS).fill(Number.NaN);
    if (history === null) return;
    const length = history.reduce((m, row) => Math.max(m, row?.length ?? 0), 0);
    const column = new Float64Array(capacity);
    for (let t = 0; t < length; t += 1) {
      column.fill(Number.NaN);
      history.forEach((row, slot) => {
        if (row !== null && row.length === length) column[slot] = row[t] ?? Number.NaN;
      });
      this.bank.push(column);
    }
  }

  /** One step: the robust z of each slot's new value against its window, into `z`. */
  advance(column: Float64Array): void {
    this.bank.push(column, this.z);
    const at = this.steps % ANOMALY_STEPS;
    for (let slot = 0; slot < this.capacity; slot += 1) this.recent[slot * ANOMALY_STEPS + at] = Math.abs(this.z[slot] ?? Number.NaN);
    this.steps += 1;
  }

  /** Median of a slot's window (NaN when empty), O(1). */
  median(slot: number): number {
    return this.bank.median(slot);
  }

  /**
   * The recent anomalies as the cluster kernel reads them: step 0 the oldest of the recent steps,
   * ANOMALY_STEPS − 1 the latest; at most MAX_CLUSTER_CANDIDATES slots per step.
   */
  layer(metric: string, threshold: number, correlation: (i: number, j: number) => number): AnomalyLayer {
    const n = this.capacity;
    const anomalous = new Uint8Array(n * ANOMALY_STEPS);
    const taken = Math.min(this.steps, ANOMALY_STEPS);
    for (let back = 0; back < taken; back += 1) {
      const at = (this.steps - 1 - back) % ANOMALY_STEPS;
      const s = ANOMALY_STEPS - 1 - back;
      const hits: number[] = [];
      for (let slot = 0; slot < n; slot += 1) {
        if ((this.recent[slot * ANOMALY_STEPS + at] ?? 0) >= threshold) hits.push(slot);
      }
      if (hits.length > MAX_CLUSTER_CANDIDATES) {
        hits.sort((x, y) => (this.recent[y * ANOMALY_STEPS + at] ?? 0) - (this.recent[x * ANOMALY_STEPS + at] ?? 0) || x - y);
        hits.length = MAX_CLUSTER_CANDIDATES;
      }
      for (const slot of hits) anomalous[slot * ANOMALY_STEPS + s] = 1;
    }
    return { metric, anomalous, correlation };
  }

  /** Room for `capacity` slots (≥ the current one): windows and recent scores kept, new slots empty. */
  resize(capacity: number): void {
    if (capacity === this.capacity) return;
    this.bank = this.bank.grown(capacity);
    const z = new Float64Array(capacity).fill(Number.NaN);
    z.set(this.z);
    this.z = z;
    const recent = new Float32Array(capacity * ANOMALY_STEPS).fill(Number.NaN);
    recent.set(this.recent);
    this.recent = recent;
    this.capacity = capacity;
  }

  /** Loads a slot's chronological window up to the previous step (an agent whose ring already had data). */
  load(slot: number, history: Float64Array | null): void {
    this.bank.setSeries(slot, history);
  }

  /**
   * Past cells of a slot's ring were rewritten (samples that arrived after their step was analysed):
   * reloads its window and rescores its recent steps against it, so an anomaly that arrived late still
   * reaches the clusters, one step late, instead of being lost under the value carried in its place.
   * `history` is the slot's chronological window up to the previous step.
   */
  revise(slot: number, history: Float64Array | null): void {
    this.bank.setSeries(slot, history);
    if (history === null) return;
    const taken = Math.min(this.steps, ANOMALY_STEPS, history.length);
    for (let back = 0; back < taken; back += 1) {
      const at = (this.steps - 1 - back) % ANOMALY_STEPS;
      this.recent[slot * ANOMALY_STEPS + at] = Math.abs(this.bank.score(slot, history[history.length - 1 - back] ?? Number.NaN));
    }
  }

  clearSlot(slot: number): void {
    this.bank.setSeries(slot, null);
    this.z[slot] = Number.NaN;
    this.recent.fill(Number.NaN, slot * ANOMALY_STEPS, (slot + 1) * ANOMALY_STEPS);
  }
}
