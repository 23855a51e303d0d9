// Robust z-scores of N series per step read straight from the store's rings: each series keeps only
// the order of its ring's cells by value (one byte a point up to W = 256), not the values, so the
// window is held once (in the store) instead of twice. A step removes the cell the new value was
// written over (a scan of the order, O(W)), inserts the new one by binary search over the ring's
// values and a memmove (O(log W + W)); the median is read in O(1) and the MAD by the same
// k-th-of-two-sorted-sequences search as robust-window-bank.ts, in O(log W).
//
// What it relies on: every ring of a step shares one write index (the store's aligned windows), and
// a ring's cells change only at that index between two pushes, except cells the caller names with
// rebuild() (the store's revision log: late samples written into past steps). A rewritten cell not
// named yet leaves its series' order slightly unsorted until it is; ring-swap (another ring for a
// series) is detected and rebuilt.
import { robustMinPoints, slotArray as indexArray, type SlotArray as IndexArray } from './robust-window-bank.js';
import { robustZFromStats } from './robust-z.js';

export interface RingOrderBankOptions {
  /** Number of series (agents), ≥ 1. */
  readonly series: number;
  /** Ring length W, ≥ 1: the window is every finite cell of the ring. */
  readonly window: number;
  /** Least finite points for a score; default max(3, ⌈W/4⌉) capped at W. */
  readonly minPoints?: number;
}

/** Sorted orders of many rings that advance together. Memory (1..4)·N·W + 4·N bytes and N references. */
export class RingOrderBank {
  readonly series: number;
  readonly window: number;
  readonly minPoints: number;
  /** order[i·W + k]: ring index of series i's k-th smallest finite value, k < count[i]. */
  private readonly order: IndexArray;
  private readonly counts: Int32Array;
  /** The ring each series' order was built over (null: none, an empty window). */
  private readonly rings: (Float64Array | null)[];

  constructor(options: RingOrderBankOptions) {
    const { series, window } = options;
    if (!Number.isInteger(series) || series < 1) throw new RangeError(`series: expected an integer >= 1, got ${series}`);
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window: expected an integer >= 1, got ${window}`);
    this.series = series;
    this.window = window;
    this.minPoints = robustMinPoints(window, options.minPoints);
    this.order = indexArray(series * window, window);
    this.counts = new Int32Array(series);
    this.rings = new Array<Float64Array | null>(series).fill(null);
  }

  /** Bytes held by the orders (what the memory report counts; the values are the store's). */
  get byteLength(): number {
    return this.order.byteLength + this.counts.byteLength;
  }

  /**
   * Re-sorts series i from its ring: every finite cell but `exclude` (−1: none). O(W log W). The
   * way in for a joiner, a ring whose past cells were rewritten, or a cleared series (ring null).
   */
  rebuild(i: number, ring: Float64Array | null, exclude = -1): void {
    this.check(i);
    const w = this.window;
    const base = i * w;
    this.rings[i] = ring;
    if (ring === null) {
      this.counts[i] = 0;
      return;
    }
    const cells: number[] = [];
    const length = Math.min(w, ring.length);
    for (let k = 0; k < length; k += 1) if (k !== exclude && Number.isFinite(ring[k])) cells.push(k);
    cells.sort((a, b) => (ring[a] as number) - (ring[b] as number));
    for (let k = 0; k < cells.length; k += 1) this.order[base + k] = cells[k] as number;
    this.counts[i] = cells.length;
  }

  /**
   * One step: ring index `at` of every series was just written. rows[i] is series i's ring (null or
   * absent: none). The cell's old value leaves series i's window and its new value enters; a series
   * whose ring is another one than before is rebuilt. With `zOut`, zOut[i] = the robust z of the
   * new value against the window (NaN for a gap or fewer than minPoints finite points).
   */
  push(rows: readonly (Float64Array | null | undefined)[], at: number, zOut?: Float64Array): void {
    const w = this.window;
    const order = this.order;
    for (let i = 0; i < this.series; i += 1) {
      const ring = rows[i] ?? null;
      if (ring !== this.rings[i]) this.rebuild(i, ring, at);
      else if (ring !== null) {
        // The cell at `at` held the value that leaves the window (or a gap): take it out.
        const base = i * w;
        const c = this.counts[i] as number;
        for (let k = 0; k < c; k += 1) {
          if (order[base + k] === at) {
            order.copyWithin(base + k, base + k + 1, base + c);
            this.counts[i] = c - 1;
            break;
          }
        }
      }
      const x = ring === null || at >= ring.length ? NaN : (ring[at] as number);
      if (ring !== null && Number.isFinite(x)) {
        const base = i * w;
        const c = this.counts[i] as number;
        const q = this.upperBound(ring, base, c, x);
        order.copyWithin(base + q + 1, base + q, base + c);
        order[base + q] = at;
        this.counts[i] = c + 1;
      }
      if (zOut !== undefined) zOut[i] = Number.isFinite(x) && (this.counts[i] as number) >= this.minPoints ? this.zOf(i, x) : NaN;
    }
  }

  /** Finite points in series i's window. */
  count(i: number): number {
    return this.counts[i] ?? 0;
  }

  /** Median of series i's window (NaN when empty). O(1). */
  median(i: number): number {
    const c = this.counts[i] ?? 0;
    const ring = this.rings[i];
    if (c === 0 || ring === undefined || ring === null) return NaN;
    const base = i * this.window;
    const h = c >> 1;
    const at = (k: number): number => ring[this.order[base + k] as number] as number;
    return c % 2 === 1 ? at(h) : (at(h - 1) + at(h)) / 2;
  }

  /** Median absolute deviation (unscaled) of series i's window (NaN when empty). O(log W). */
  mad(i: number): number {
    const c = this.counts[i] ?? 0;
    const ring = this.rings[i];
    if (c === 0 || ring === undefined || ring === null) return NaN;
    const m = this.median(i);
    const base = i * this.window;
    const p = this.lowerBound(ring, base, c, m);
    const h = c >> 1;
    if (c % 2 === 1) return this.kthDeviation(ring, base, c, p, m, h);
    return (this.kthDeviation(ring, base, c, p, m, h - 1) + this.kthDeviation(ring, base, c, p, m, h)) / 2;
  }

  /** Mean absolute deviation around the median of series i's window. O(W); used only when MAD = 0. */
  meanAbsDeviation(i: number): number {
    const c = this.counts[i] ?? 0;
    const ring = this.rings[i];
    if (c === 0 || ring === undefined || ring === null) return NaN;
    const m = this.median(i);
    const base = i * this.window;
    let sum = 0;
    for (let k = 0; k < c; k += 1) sum += Math.abs((ring[this.order[base + k] as number] as number) - m);
    return sum / c;
  }

  /** Robust z of x against series i's current window (see robust-z.ts). */
  score(i: number, x: number): number {
    if (!Number.isFinite(x) || (this.counts[i] ?? 0) < this.minPoints) return NaN;
    return this.zOf(i, x);
  }

  /** This bank with room for `series` series (≥ the current number): orders kept, new series empty. */
  grown(series: number): RingOrderBank {
    if (!Number.isInteger(series) || series < this.series)
      throw new RangeError(`series: expected an integer >= ${this.series}, got ${series}`);
    const next = new RingOrderBank({ series, window: this.window, minPoints: this.minPoints });
    next.order.set(this.order);
    next.counts.set(this.counts);
    this.rings.forEach((ring, i) => (next.rings[i] = ring));
    return next;
  }

  private zOf(i: number, x: number): number {
    const mad = this.mad(i);
    const meanAbsDev = mad > 0 ? 0 : this.meanAbsDeviation(i);
    return robustZFromStats(x, this.median(i), mad, meanAbsDev);
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.series)
      throw new RangeError(`series: expected an integer in [0, ${this.series}), got ${i}`);
  }

  /**
   * k-th smallest (0-based) |v − m| over the window in value order v_0 ≤ … ≤ v_{c−1}: the union of
   * A_a = m − v_{p−1−a} (below the median, ascending in a) and B_b = v_{p+b} − m (from the median
   * up); a binary search on how many come from A (Frederickson & Johnson's selection in sorted arrays).
   */
  private kthDeviation(ring: Float64Array, base: number, c: number, p: number, m: number, k: number): number {
    const order = this.order;
    const lenA = p;
    const lenB = c - p;
    const A = (a: number): number => m - (ring[order[base + p - 1 - a] as number] as number);
    const B = (b: number): number => (ring[order[base + p + b] as number] as number) - m;
    let lo = Math.max(0, k + 1 - lenB);
    let hi = Math.min(k + 1, lenA);
    while (lo < hi) {
      const na = (lo + hi) >> 1;
      const nb = k + 1 - na;
      if (na < lenA && nb > 0 && A(na) < B(nb - 1)) lo = na + 1;
      else hi = na;
    }
    const na = lo;
    const nb = k + 1 - na;
    return Math.max(na > 0 ? A(na - 1) : -Infinity, nb > 0 ? B(nb - 1) : -Infinity);
  }

  /** First position k < c whose value is ≥ x. */
  private lowerBound(ring: Float64Array, base: number, c: number, x: number): number {
    let lo = 0;
    let hi = c;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ring[this.order[base + mid] as number] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First position k < c whose value is > x. */
  private upperBound(ring: Float64Array, base: number, c: number, x: number): number {
    let lo = 0;
    let hi = c;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ring[this.order[base + mid] as number] as number) <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
