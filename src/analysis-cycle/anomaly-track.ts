// One metric's robust anomaly scores for every slot of a swarm (sorted sliding windows, O(W) per
// step) and the recent-steps record the correlated-anomaly clusters are built from.
//
// Two ways to hold the windows, chosen by the first advance(): given the store's rings (rows and the
// index just written), only each ring's order by value is kept (ring-order-bank.ts, 1 byte a point:
// the window is held once, in the store); given only the column, a copy of every window is kept
// sorted (robust-window-bank.ts, 9 bytes a point). Both give the same scores, bit for bit.
import type { AnomalyLayer } from '../analysis/anomaly-clusters.js';
import { RingOrderBank } from '../analysis/ring-order-bank.js';
import { RobustWindowBank } from '../analysis/robust-window-bank.js';
import type { Sliced } from '../analysis/sliced.js';

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
  /** The windows as sorted copies (column-fed mode); null until needed, and once ring-fed. */
  private bank: RobustWindowBank | null = null;
  /** The windows as orders over the store's rings (ring-fed mode), from the first advance with rings. */
  private orders: RingOrderBank | null = null;
  /** Ring-fed mode: slots whose order is rebuilt from their ring at the next advance (true: and their recent steps rescored). */
  private readonly stale = new Map<number, boolean>();
  /** Latest robust z per slot (NaN = none). */
  z: Float64Array;
  /** |z| per slot and recent step, slot-major; ring over steps, NaN = no score. */
  private recent: Float32Array;
  private steps = 0;

  /** An empty track; `loadHistory` fills its windows (a ring-fed track needs none: see advance). */
  constructor(
    private capacity: number,
    private readonly window: number,
  ) {
    this.z = new Float64Array(capacity).fill(Number.NaN);
    this.recent = new Float32Array(capacity * ANOMALY_STEPS).fill(Number.NaN);
  }

  /**
   * Loads each slot's chronological window up to the previous step (null: none) into the sorted
   * copies, a step at a time with a safe point after each (analysis/sliced.ts: a step of 5,000
   * slots costs milliseconds). The histories are not kept: a swarm's are the size of its windows.
   */
  *loadHistory(history: readonly (Float64Array | null)[]): Sliced<void> {
    const bank = this.ownBank();
    const length = history.reduce((m, row) => Math.max(m, row?.length ?? 0), 0);
    const column = new Float64Array(this.capacity);
    for (let t = 0; t < length; t += 1) {
      column.fill(Number.NaN);
      history.forEach((row, slot) => {
        if (row !== null && row.length === length) column[slot] = row[t] ?? Number.NaN;
      });
      bank.push(column);
      yield;
    }
  }

  /** Bytes held by the windows' bank (the sorted copies, or the orders over the store's rings). */
  get bankBytes(): number {
    return this.orders?.byteLength ?? this.bank?.byteLength ?? 0;
  }

  /**
   * One step: the robust z of each slot's new value against its window, into `z`. With `rows` (the
   * store's ring of each slot, every ring written at index `at` this step) the windows are read from
   * the rings and only their order is kept; without, `column` (each slot's new value) is copied in.
   */
  advance(column: Float64Array, rows?: readonly (Float64Array | null | undefined)[], at?: number): void {
    if (rows !== undefined && at !== undefined) this.advanceRings(rows, at);
    else this.ownBank().push(column, this.z);
    this.record();
  }

  private advanceRings(rows: readonly (Float64Array | null | undefined)[], at: number): void {
    if (this.orders === null) {
      // Every slot's order is built from its ring at this first push (a ring not seen before is rebuilt).
      this.orders = new RingOrderBank({ series: this.capacity, window: this.window });
      this.bank = null;
      this.stale.clear();
    }
    const orders = this.orders;
    const w = this.window;
    for (const [slot, rescore] of this.stale) {
      const ring = rows[slot] ?? null;
      // The window up to the previous step (the cell at `at` enters with this push).
      orders.rebuild(slot, ring, at);
      if (!rescore || ring === null) continue;
      const taken = Math.min(this.steps, ANOMALY_STEPS, w - 1);
      for (let back = 0; back < taken; back += 1) {
        const step = (this.steps - 1 - back) % ANOMALY_STEPS;
        this.recent[slot * ANOMALY_STEPS + step] = Math.abs(orders.score(slot, ring[(at - 1 - back + w) % w] ?? Number.NaN));
      }
    }
    this.stale.clear();
    orders.push(rows, at, this.z);
  }

  /** The column-fed bank (empty windows when created here). */
  private ownBank(): RobustWindowBank {
    this.bank ??= new RobustWindowBank({ series: this.capacity, window: this.window });
    return this.bank;
  }

  /** Records this step's |z| among the recent steps. */
  private record(): void {
    const at = this.steps % ANOMALY_STEPS;
    for (let slot = 0; slot < this.capacity; slot += 1) this.recent[slot * ANOMALY_STEPS + at] = Math.abs(this.z[slot] ?? Number.NaN);
    this.steps += 1;
  }

  /** Median of a slot's window (NaN when empty), O(1). */
  median(slot: number): number {
    return this.orders?.median(slot) ?? this.ownBank().median(slot);
  }

  /**
   * The recent anomalies as the cluster kernel reads them: step 0 the oldest of the recent steps,
   * ANOMALY_STEPS − 1 the latest; at most MAX_CLUSTER_CANDIDATES slots per step.
   */
  layer(metric: string, threshold: number): AnomalyLayer {
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
    return { metric, anomalous };
  }

  /** Room for `capacity` slots (≥ the current one): windows and recent scores kept, new slots empty. */
  resize(capacity: number): void {
    if (capacity === this.capacity) return;
    if (this.orders === null) this.bank = this.ownBank().grown(capacity);
    else this.orders = this.orders.grown(capacity);
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
    if (this.orders !== null) {
      if (!this.stale.has(slot)) this.stale.set(slot, false);
      return;
    }
    this.ownBank().setSeries(slot, history);
  }

  /**
   * Past cells of a slot's ring were rewritten (samples that arrived after their step was analysed):
   * reloads its window and rescores its recent steps against it, so an anomaly that arrived late still
   * reaches the clusters, one step late, instead of being lost under the value carried in its place.
   * `history` is the slot's chronological window up to the previous step.
   */
  revise(slot: number, history: Float64Array | null): void {
    if (this.orders !== null) {
      // Ring-fed: the ring already holds the rewritten cells; the order is rebuilt at the next advance.
      this.stale.set(slot, history !== null);
      return;
    }
    const bank = this.ownBank();
    bank.setSeries(slot, history);
    if (history === null) return;
    const taken = Math.min(this.steps, ANOMALY_STEPS, history.length);
    for (let back = 0; back < taken; back += 1) {
      const at = (this.steps - 1 - back) % ANOMALY_STEPS;
      this.recent[slot * ANOMALY_STEPS + at] = Math.abs(bank.score(slot, history[history.length - 1 - back] ?? Number.NaN));
    }
  }

  clearSlot(slot: number): void {
    if (this.orders !== null) {
      this.orders.rebuild(slot, null);
      this.stale.delete(slot);
    } else this.ownBank().setSeries(slot, null);
    this.z[slot] = Number.NaN;
    this.recent.fill(Number.NaN, slot * ANOMALY_STEPS, (slot + 1) * ANOMALY_STEPS);
  }
}
