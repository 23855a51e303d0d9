// The first differences of one metric's rings at the current step, differenced lazily per slot and
// kept for the step: what the significance test reads for its candidate pairs (common changes, lag-1
// autocorrelation of each row's changes) and what the periodic tier correlates.
import { differenceRing, lagOneAutocorrelation } from '../analysis/difference-row.js';
import type { PairFacts } from '../analysis/correlation-significance.js';

export class ChangeRows {
  private buffer: Float64Array;
  private rows: readonly Float64Array[] = [];
  private oldest = 0;
  /** Per slot: 0 = not differenced this step, 1 = differenced. */
  private done: Uint8Array;
  private observed: Int32Array;
  private rho: Float64Array;
  /** Change positions of the window (filled − 1): the most any row can observe. */
  private positions = 0;

  constructor(
    private capacity: number,
    private readonly window: number,
  ) {
    this.buffer = new Float64Array(capacity * window);
    this.done = new Uint8Array(capacity);
    this.observed = new Int32Array(capacity);
    this.rho = new Float64Array(capacity);
  }

  /** Starts a step of one metric: `rows[slot]` are the store's rings, `oldest` the oldest filled index. */
  reset(rows: readonly Float64Array[], oldest: number, filled: number): void {
    if (rows.length > this.capacity) {
      this.capacity = rows.length;
      this.buffer = new Float64Array(this.capacity * this.window);
      this.done = new Uint8Array(this.capacity);
      this.observed = new Int32Array(this.capacity);
      this.rho = new Float64Array(this.capacity);
    }
    this.rows = rows;
    this.oldest = oldest;
    this.positions = Math.max(0, filled - 1);
    this.done.fill(0);
  }

  /** Most common changes any pair can have this step. */
  get maxCommon(): number {
    return this.positions;
  }

  /** Slot's differenced ring (ring order, NaN = no change observed). A view: valid until the next reset. */
  row(slot: number): Float64Array {
    const w = this.window;
    const out = this.buffer.subarray(slot * w, (slot + 1) * w);
    if (this.done[slot] === 1) return out;
    const ring = this.rows[slot];
    if (ring === undefined) out.fill(Number.NaN);
    else differenceRing(ring, this.oldest, out);
    let count = 0;
    for (let t = 0; t < w; t += 1) if (out[t] === out[t]) count += 1;
    this.observed[slot] = count;
    this.rho[slot] = lagOneAutocorrelation(out, this.oldest);
    this.done[slot] = 1;
    return out;
  }

  /** Common changes, and each row's lag-1 autocorrelation of its changes, of slots a and b. */
  facts(a: number, b: number): PairFacts {
    // Called for up to every pair of a coupled swarm: no view is made for rows already differenced.
    if (this.done[a] !== 1) this.row(a);
    if (this.done[b] !== 1) this.row(b);
    const na = this.observed[a] as number;
    const nb = this.observed[b] as number;
    let n: number;
    if (na === this.positions && nb === this.positions) n = na;
    else {
      n = 0;
      const buffer = this.buffer;
      const w = this.window;
      for (let t = 0, i = a * w, j = b * w; t < w; t += 1, i += 1, j += 1) {
        const x = buffer[i] as number;
        const y = buffer[j] as number;
        if (x === x && y === y) n += 1;
      }
    }
    return { n, rhoA: this.rho[a] as number, rhoB: this.rho[b] as number };
  }
}
