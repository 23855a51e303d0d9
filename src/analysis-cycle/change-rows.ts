// The first differences of one metric's rings at the current step, differenced lazily per slot and
// kept for the step: what the significance test reads for its candidate pairs (common changes, lag-1
// autocorrelation of each row's changes) and what the periodic tier correlates.
import { popcount } from '../analysis/popcount.js';
import { differenceRing, lagOneFromMoments } from '../analysis/difference-row.js';
import type { PairFacts, RowFacts } from '../analysis/correlation-significance.js';

export class ChangeRows {
  private buffer: Float64Array;
  private rows: readonly Float64Array[] = [];
  private oldest = 0;
  /** Per slot: 1 once its differenced row is in the buffer this step. */
  private differenced: Uint8Array;
  /** Per slot: 1 once its observed changes, bitset and ρ are known this step. */
  private counted: Uint8Array;
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
    this.differenced = new Uint8Array(capacity);
    this.counted = new Uint8Array(capacity);
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
      this.differenced = new Uint8Array(this.capacity);
      this.counted = new Uint8Array(this.capacity);
      this.observed = new Int32Array(this.capacity);
      this.rho = new Float64Array(this.capacity);
      this.observedBits = new Uint32Array(this.capacity * this.words);
    }
    this.rows = rows;
    this.oldest = oldest;
    this.positions = Math.max(0, filled - 1);
    this.differenced.fill(0);
    this.counted.fill(0);
  }

  /** Most common changes any pair can have this step. */
  get maxCommon(): number {
    return this.positions;
  }

  /** Slot's differenced ring (ring order, NaN = no change observed; differenceRing). A view: valid until the next reset. */
  row(slot: number): Float64Array {
    const w = this.window;
    const out = this.buffer.subarray(slot * w, (slot + 1) * w);
    if (this.differenced[slot] !== 1) {
      const ring = this.rows[slot];
      if (ring === undefined) out.fill(Number.NaN);
      else differenceRing(ring, this.oldest, out);
      this.differenced[slot] = 1;
    }
    return out;
  }

  /**
   * A slot's observed changes (no pair of it has more in common) and the lag-1 autocorrelation of its
   * changes (lagOneAutocorrelation of its differenced row).
   */
  rowFacts(slot: number): RowFacts {
    if (this.counted[slot] !== 1) this.count(slot);
    return { points: this.observed[slot] as number, rho: this.rho[slot] as number };
  }

  /** Common changes, and each row's lag-1 autocorrelation of its changes, of slots a and b. */
  facts(a: number, b: number): PairFacts {
    // Called for up to N²/2 candidate pairs a step: each row is counted once.
    if (this.counted[a] !== 1) this.count(a);
    if (this.counted[b] !== 1) this.count(b);
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

  /**
   * A slot's observed changes, their bitset and ρ, in one pass over its ring in step order and
   * without writing the changes (this runs for every row of every metric at every step; the
   * differenced row is only written when asked for). ρ from the moments of the changes shifted by
   * the first one: shifted by one of its own values, a row's mean m satisfies m² ≤ Σ(c − m)² (that
   * value's own term), so count·m², the size of what the one-pass formulas subtract, is at most
   * count times the result: at most log10(W) digits lost, whatever the trend or a first spike.
   */
  private count(slot: number): void {
    const w = this.window;
    const ring = this.rows[slot];
    const bits = this.observedBits;
    const at = slot * this.words;
    bits.fill(0, at, at + this.words);
    this.counted[slot] = 1;
    if (ring === undefined) {
      this.observed[slot] = 0;
      this.rho[slot] = Number.NaN;
      return;
    }
    const oldest = this.oldest;
    // The change at `oldest` is never observed: its predecessor left the window.
    let x0 = ring[oldest] as number;
    let shift = Number.NaN;
    let previous = Number.NaN;
    let count = 0;
    let s1 = 0;
    let s2 = 0;
    let pairs = 0;
    let cross = 0;
    let firsts = 0;
    let seconds = 0;
    for (let k = 1; k < w; k += 1) {
      let t = oldest + k;
      if (t >= w) t -= w;
      const x = ring[t] as number;
      const d = x - x0;
      x0 = x;
      if (d === d) {
        if (count === 0) shift = d;
        const c = d - shift;
        count += 1;
        s1 += c;
        s2 += c * c;
        if (previous === previous) {
          pairs += 1;
          cross += previous * c;
          firsts += previous;
          seconds += c;
        }
        previous = c;
        bits[at + (t >>> 5)] = (bits[at + (t >>> 5)] as number) | (1 << (t & 31));
      } else previous = Number.NaN;
    }
    this.observed[slot] = count;
    this.rho[slot] = lagOneFromMoments(count, s1, s2, pairs, cross, firsts, seconds);
  }
}
