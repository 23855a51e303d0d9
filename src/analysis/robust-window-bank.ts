// Robust z-scores of N series per step without re-sorting: each series keeps its window sorted,
// so a step is one binary search and one memmove (O(log W + W)), the median is read in O(1) and
// the MAD is the middle of the two sorted sequences of deviations below and above the median,
// found by a k-th-smallest-of-two-sorted-arrays search in O(log W).
//
// Memory: the sorted values (8 bytes a point, exact: a float32 copy would move the median of a
// series at 1e6 ± 1 by ~0.06, i.e. the z by far more than the tests' 1e-9) and, beside each, the
// ring slot it was written at (1 byte a point up to W = 256, 2 up to 65,536): the value leaving at
// a step is found by its slot, so no ring of raw values is kept. 9–10 bytes a point instead of 16.
import { robustZFromStats } from './robust-z.js';

export interface RobustWindowBankOptions {
  /** Number of series (agents), ≥ 1. */
  readonly series: number;
  /** Window length W in steps, ≥ 1. The window includes the latest value. */
  readonly window: number;
  /** Least finite points for a score; default max(3, ⌈W/4⌉) capped at W. */
  readonly minPoints?: number;
}

/** Ring slot indices: the narrowest unsigned array that holds 0 … W − 1. */
export type SlotArray = Uint8Array | Uint16Array | Uint32Array;

export function slotArray(length: number, window: number): SlotArray {
  if (window <= 2 ** 8) return new Uint8Array(length);
  if (window <= 2 ** 16) return new Uint16Array(length);
  return new Uint32Array(length);
}

/** Least finite points for a robust score in a window of W: the given value, else max(3, ⌈W/4⌉), capped at W. */
export function robustMinPoints(window: number, minPoints?: number): number {
  return Math.min(window, minPoints ?? Math.max(3, Math.ceil(window / 4)));
}

/** Sliding sorted windows for many series that advance together. Memory (8 + 1..4)·N·W bytes. */
export class RobustWindowBank {
  readonly series: number;
  readonly window: number;
  readonly minPoints: number;
  /** Each series' finite values in ascending order, in the first count[i] places of its row. */
  private readonly sorted: Float64Array;
  /** slots[k]: the ring slot (step mod W) sorted[k] was written at; a slot absent = a gap there. */
  private readonly slots: SlotArray;
  private readonly counts: Int32Array;
  private head = 0;
  private filled = 0;

  constructor(options: RobustWindowBankOptions) {
    const { series, window } = options;
    if (!Number.isInteger(series) || series < 1) throw new RangeError(`series: expected an integer >= 1, got ${series}`);
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`window: expected an integer >= 1, got ${window}`);
    this.series = series;
    this.window = window;
    this.minPoints = robustMinPoints(window, options.minPoints);
    this.sorted = new Float64Array(series * window);
    this.slots = slotArray(series * window, window);
    this.counts = new Int32Array(series);
  }

  /** Bytes held by the windows (what the memory report counts). */
  get byteLength(): number {
    return this.sorted.byteLength + this.slots.byteLength + this.counts.byteLength;
  }

  /**
   * Adds one step (column[i] = series i's new value; NaN or missing = gap) and, when `zOut` is
   * given, writes each series' robust z of its new value against its window into zOut[i]: NaN
   * when the value is a gap or the window has fewer than `minPoints` finite points.
   */
  push(column: ArrayLike<number>, zOut?: Float64Array): void {
    const w = this.window;
    const slot = this.head;
    const full = this.filled === w;
    const s = this.sorted;
    const slots = this.slots;
    for (let i = 0; i < this.series; i += 1) {
      const base = i * w;
      let c = this.counts[i] as number;
      // Where the value leaving the window sits in the sorted row (−1: it was a gap).
      let p = -1;
      if (full) {
        for (let k = 0; k < c; k += 1) {
          if (slots[base + k] === slot) {
            p = k;
            break;
          }
        }
      }
      const raw = i < column.length ? (column[i] as number) : NaN;
      const x = Number.isFinite(raw) ? raw : NaN;
      if (p >= 0 && x === x) {
        const old = s[base + p] as number;
        if (x >= old) {
          const q = upperBound(s, base, c, x); // > p, since s[p] = old ≤ x
          s.copyWithin(base + p, base + p + 1, base + q);
          slots.copyWithin(base + p, base + p + 1, base + q);
          s[base + q - 1] = x;
          slots[base + q - 1] = slot;
        } else {
          const q = upperBound(s, base, c, x); // ≤ p, since s[p] = old > x
          s.copyWithin(base + q + 1, base + q, base + p);
          slots.copyWithin(base + q + 1, base + q, base + p);
          s[base + q] = x;
          slots[base + q] = slot;
        }
      } else if (p >= 0) {
        s.copyWithin(base + p, base + p + 1, base + c);
        slots.copyWithin(base + p, base + p + 1, base + c);
        c -= 1;
      } else if (x === x) {
        const q = upperBound(s, base, c, x);
        s.copyWithin(base + q + 1, base + q, base + c);
        slots.copyWithin(base + q + 1, base + q, base + c);
        s[base + q] = x;
        slots[base + q] = slot;
        c += 1;
      }
      this.counts[i] = c;
      if (zOut !== undefined) zOut[i] = x === x && c >= this.minPoints ? this.zOf(i, x) : NaN;
    }
    this.head = (slot + 1) % w;
    this.filled = Math.min(w, this.filled + 1);
  }

  /** Finite points in series i's window. */
  count(i: number): number {
    return this.counts[i] ?? 0;
  }

  /** Median of series i's window (NaN when empty). O(1). */
  median(i: number): number {
    const c = this.counts[i] ?? 0;
    if (c === 0) return NaN;
    const base = i * this.window;
    const h = c >> 1;
    return c % 2 === 1
      ? (this.sorted[base + h] as number)
      : ((this.sorted[base + h - 1] as number) + (this.sorted[base + h] as number)) / 2;
  }

  /** Median absolute deviation (unscaled) of series i's window (NaN when empty). O(log W). */
  mad(i: number): number {
    const c = this.counts[i] ?? 0;
    if (c === 0) return NaN;
    const m = this.median(i);
    const base = i * this.window;
    const p = lowerBound(this.sorted, base, c, m);
    const h = c >> 1;
    if (c % 2 === 1) return this.kthDeviation(base, c, p, m, h);
    return (this.kthDeviation(base, c, p, m, h - 1) + this.kthDeviation(base, c, p, m, h)) / 2;
  }

  /** Mean absolute deviation around the median of series i's window. O(W); used only when MAD = 0. */
  meanAbsDeviation(i: number): number {
    const c = this.counts[i] ?? 0;
    if (c === 0) return NaN;
    const m = this.median(i);
    const base = i * this.window;
    let sum = 0;
    for (let k = 0; k < c; k += 1) sum += Math.abs((this.sorted[base + k] as number) - m);
    return sum / c;
  }

  /** Robust z of x against series i's current window (see robust-z.ts). */
  score(i: number, x: number): number {
    if (!Number.isFinite(x) || (this.counts[i] ?? 0) < this.minPoints) return NaN;
    return this.zOf(i, x);
  }

  /**
   * This bank with room for `series` series (≥ the current number): the windows are copied (each
   * series' row keeps its place, new series are empty), so no series is re-sorted.
   */
  grown(series: number): RobustWindowBank {
    if (!Number.isInteger(series) || series < this.series)
      throw new RangeError(`series: expected an integer >= ${this.series}, got ${series}`);
    const next = new RobustWindowBank({ series, window: this.window, minPoints: this.minPoints });
    next.sorted.set(this.sorted);
    next.slots.set(this.slots);
    next.counts.set(this.counts);
    next.head = this.head;
    next.filled = this.filled;
    return next;
  }

  /**
   * Replaces series i's window (chronological, last element = current step; shorter = older steps
   * are gaps; null clears it). O(W log W).
   */
  setSeries(i: number, values: ArrayLike<number> | null): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.series)
      throw new RangeError(`series: expected an integer in [0, ${this.series}), got ${i}`);
    const w = this.window;
    const base = i * w;
    const finite: { value: number; slot: number }[] = [];
    const points = values === null ? 0 : Math.min(this.filled, values.length);
    for (let back = 0; back < points && values !== null; back += 1) {
      const x = values[values.length - 1 - back] as number;
      if (Number.isFinite(x)) finite.push({ value: x, slot: (this.head - 1 - back + 2 * w) % w });
    }
    finite.sort((a, b) => a.value - b.value);
    finite.forEach((f, k) => {
      this.sorted[base + k] = f.value;
      this.slots[base + k] = f.slot;
    });
    this.counts[i] = finite.length;
  }

  private zOf(i: number, x: number): number {
    const mad = this.mad(i);
    const meanAbsDev = mad > 0 ? 0 : this.meanAbsDeviation(i);
    return robustZFromStats(x, this.median(i), mad, meanAbsDev);
  }

  /**
   * k-th smallest (0-based) |s − m| over the sorted window: the union of A_a = m − s[p−1−a]
   * (below the median, ascending in a) and B_b = s[p+b] − m (from the median up, ascending).
   * Binary search on how many come from A (Frederickson & Johnson's selection in sorted arrays).
   */
  private kthDeviation(base: number, c: number, p: number, m: number, k: number): number {
    const s = this.sorted;
    const lenA = p;
    const lenB = c - p;
    const A = (a: number): number => m - (s[base + p - 1 - a] as number);
    const B = (b: number): number => (s[base + p + b] as number) - m;
    let lo = Math.max(0, k + 1 - lenB);
    let hi = Math.min(k + 1, lenA);
    // Smallest na such that taking na from A and k+1−na from B is a valid prefix split:
    // A(na) ≥ B(k − na) (the next A is not smaller than the last B taken).
    while (lo < hi) {
      const na = (lo + hi) >> 1;
      const nb = k + 1 - na;
      if (na < lenA && nb > 0 && A(na) < B(nb - 1)) lo = na + 1;
      else hi = na;
    }
    const na = lo;
    const nb = k + 1 - na;
    const lastA = na > 0 ? A(na - 1) : -Infinity;
    const lastB = nb > 0 ? B(nb - 1) : -Infinity;
    return Math.max(lastA, lastB);
  }
}

/** First index in s[base … base+c) whose value is ≥ x. */
function lowerBound(s: Float64Array, base: number, c: number, x: number): number {
  let lo = 0;
  let hi = c;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((s[base + mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in s[base … base+c) whose value is > x. */
function upperBound(s: Float64Array, base: number, c: number, x: number): number {
  let lo = 0;
  let hi = c;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((s[base + mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
