// The first differences of one metric's rings at the current step, differenced lazily per slot and
// kept for the step: what the significance test reads for its candidate pairs (common changes, lag-1
// autocorrelation of each row's changes) and what the periodic tier correlates.
import { popcount } from '../analysis/popcount.js';
import { lagOneFromSums } from '../analysis/difference-row.js';
import type { PairFacts, RowFacts } from '../analysis/correlation-significance.js';

export class ChangeRows {
  private buffer: Float64Array;
  private rows: readonly Float64Array[] = [];
  private oldest = 0;
  /** Per slot: 0 = not differenced this step, 1 = differenced. */
  private done: Uint8Array;
  private observed: Int32Array;
  private rho: Float64Array;
  /** Per slot: bitset of the ring positions with an observed change (words per slot: ⌈W/32⌉). */
  private observedBits: Uint32Array;
  private readonly words: number;
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
    this.words = Math.ceil(window / 32);
    this.observedBits = new Uint32Array(capacity * this.words);
  }

  /** Starts a step of one metric: `rows[slot]` are the store's rings, `oldest` the oldest filled index. */
  reset(rows: readonly Float64Array[], oldest: number, filled: number): void {
    if (rows.length > this.capacity) {
      this.capacity = rows.length;
      this.buffer = new Float64Array(this.capacity * this.window);
      this.done = new Uint8Array(this.capacity);
      this.observed = new Int32Array(this.capacity);
      this.rho = new Float64Array(this.capacity);
      this.observedBits = new Uint32Array(this.capacity * this.words);
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
    if (this.done[slot] !== 1) this.difference(slot, out);
    return out;
  }

  /**
   * Differences slot's ring into `out` (its part of the buffer, as differenceRing does) and records
   * its observed changes, in one pass (this runs for every row of every metric at every step).
   */
  private difference(slot: number, out: Float64Array): void {
    const w = this.window;
    const ring = this.rows[slot];
    const bits = this.observedBits;
    const at = slot * this.words;
    if (ring === undefined) {
      out.fill(Number.NaN);
      bits.fill(0, at, at + this.words);
      this.observed[slot] = 0;
      this.rho[slot] = Number.NaN;
      this.done[slot] = 1;
      return;
    }
    const oldest = this.oldest;
    let previous = ring[w - 1] as number;
    let count = 0;
    let sum = 0;
    for (let word = 0; word < this.words; word += 1) {
      let set = 0;
      const end = Math.min(w, 32 * word + 32);
      for (let t = 32 * word; t < end; t += 1) {
        const x = ring[t] as number;
        // NaN − anything is NaN: a gap on either side, or the oldest step (its predecessor left the window).
        const d = t === oldest ? Number.NaN : x - previous;
        previous = x;
        out[t] = d;
        if (d === d) {
          set |= 1 << (t & 31);
          count += 1;
          sum += d;
        }
      }
      bits[at + word] = set;
    }
    this.observed[slot] = count;
    this.rho[slot] = lagOneFromSums(out, oldest, count, sum);
    this.done[slot] = 1;
  }

  /** A slot's observed changes (no pair of it has more in common) and the lag-1 autocorrelation of its changes. */
  rowFacts(slot: number): RowFacts {
    if (this.done[slot] !== 1) this.row(slot);
    return { points: this.observed[slot] as number, rho: this.rho[slot] as number };
  }

  /** Common changes, and each row's lag-1 autocorrelation of its changes, of slots a and b. */
  facts(a: number, b: number): PairFacts {
    // Called for up to N²/2 candidate pairs a step: no row view is taken once a row is differenced.
    if (this.done[a] !== 1) this.row(a);
    if (this.done[b] !== 1) this.row(b);
    const na = this.observed[a] as number;
    const nb = this.observed[b] as number;
    let n: number;
    if (na === this.positions && nb === this.positions) n = na;
    else {
      // Common changes from the rows' bitsets: O(W / 32) instead of O(W) for rows with gaps.
      n = 0;
      const bits = this.observedBits;
      const wa = a * this.words;
      const wb = b * this.words;
      for (let k = 0; k < this.words; k += 1) n += popcount((bits[wa + k] as number) & (bits[wb + k] as number));
    }
    return { n, rhoA: this.rho[a] as number, rhoB: this.rho[b] as number };
  }
}
