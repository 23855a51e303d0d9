// Selection over a packed correlation matrix: the k strongest pairs, the mean |r|, and a sticky
// top-k whose members leave only when they fall clearly below the entry bar (so exposed series
// do not churn from one step to the next).
import { pairIndex } from './packed-triangle.js';

/** One pair of rows (a < b) and its r. */
export interface CorrelatedPair {
  readonly a: number;
  readonly b: number;
  readonly r: number;
}

/** Orders by |r| descending, then (a, b) ascending, so the selection is deterministic. */
function stronger(x: CorrelatedPair, y: CorrelatedPair): number {
  const d = Math.abs(y.r) - Math.abs(x.r);
  if (d !== 0) return d;
  return x.a - y.a || x.b - y.b;
}

/** Top pairs and mean |r| of one matrix, from one pass over it. */
export interface CorrelationSummary {
  /** At most k pairs, strongest first. */
  readonly top: CorrelatedPair[];
  /** Mean |r| over the finite entries; NaN when there is none. */
  readonly meanAbs: number;
  /** Finite entries. */
  readonly count: number;
}

/** Per-row facts about a packed matrix (row a = its pairs (a, b > a)), as the fused kernel writes them. */
export interface RowStats {
  /** Largest finite |r| of the row (0 when none). */
  readonly max: ArrayLike<number>;
  /** Sum of the row's finite |r|. */
  readonly sum: ArrayLike<number>;
  /** Number of the row's finite r. */
  readonly count: ArrayLike<number>;
}

/**
 * The `k` pairs with the largest |r| among finite entries with |r| ≥ minAbs (strongest first), and
 * the mean |r| over every finite entry, in one O(P log k) pass with a bounded min-heap. A pair
 * equal to the current bar is offered too (ties are then broken by (a, b)). With `rows` (which
 * must describe `r`), the mean comes from the row sums and rows whose largest |r| is below the
 * bar are skipped: most of the matrix is never read.
 */
export function summariseCorrelations(r: Float64Array, n: number, k: number, minAbs = 0, rows?: RowStats): CorrelationSummary {
  const heap: CorrelatedPair[] = [];
  const want = n < 2 ? 0 : Math.max(0, k);
  let bar = want === 0 ? Infinity : minAbs;
  let sum = 0;
  let count = 0;
  if (rows !== undefined) {
    for (let a = 0; a < n - 1; a += 1) {
      sum += rows.sum[a] as number;
      count += rows.count[a] as number;
    }
  }
  for (let a = 0; a < n - 1; a += 1) {
    if (rows !== undefined) {
      if ((rows.max[a] as number) < bar) continue;
      const base = (a * (2 * n - a - 1)) / 2 - a - 1;
      for (let b = a + 1; b < n; b += 1) {
        const v = r[base + b] as number;
        const abs = Math.abs(v);
        if (abs >= bar) bar = offer(heap, want, { a, b, r: v }, minAbs);
      }
      continue;
    }
    const base = (a * (2 * n - a - 1)) / 2 - a - 1;
    for (let b = a + 1; b < n; b += 1) {
      const v = r[base + b] as number;
      const abs = Math.abs(v);
      if (abs === abs) {
        sum += abs;
        count += 1;
        if (abs >= bar) bar = offer(heap, want, { a, b, r: v }, minAbs);
      }
    }
  }
  return { top: heap.sort(stronger), meanAbs: count === 0 ? NaN : sum / count, count };
}

/** x is weaker than y: the heap keeps its weakest member at the root. */
function weaker(x: CorrelatedPair, y: CorrelatedPair): boolean {
  return stronger(x, y) > 0;
}

/**
 * Offers a pair to the bounded min-heap of at most `want` pairs; returns the new entry bar (the
 * weakest member's |r| once the heap is full, else minAbs).
 */
function offer(heap: CorrelatedPair[], want: number, pair: CorrelatedPair, minAbs: number): number {
  if (heap.length < want) {
    heap.push(pair);
    let c = heap.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!weaker(heap[c] as CorrelatedPair, heap[p] as CorrelatedPair)) break;
      [heap[c], heap[p]] = [heap[p] as CorrelatedPair, heap[c] as CorrelatedPair];
      c = p;
    }
  } else if (weaker(heap[0] as CorrelatedPair, pair)) {
    heap[0] = pair;
    let p = 0;
    for (;;) {
      const l = 2 * p + 1;
      const rr = l + 1;
      let m = p;
      if (l < heap.length && weaker(heap[l] as CorrelatedPair, heap[m] as CorrelatedPair)) m = l;
      if (rr < heap.length && weaker(heap[rr] as CorrelatedPair, heap[m] as CorrelatedPair)) m = rr;
      if (m === p) break;
      [heap[m], heap[p]] = [heap[p] as CorrelatedPair, heap[m] as CorrelatedPair];
      p = m;
    }
  }
  return heap.length === want ? Math.max(minAbs, Math.abs((heap[0] as CorrelatedPair).r)) : minAbs;
}

/** The `k` pairs with the largest |r| among finite entries with |r| ≥ minAbs, strongest first. */
export function topPairs(r: Float64Array, n: number, k: number, minAbs = 0): CorrelatedPair[] {
  return summariseCorrelations(r, n, k, minAbs).top;
}

/** Mean |r| over the finite entries; NaN when there is none. */
export function meanAbsCorrelation(r: Float64Array): { readonly meanAbs: number; readonly count: number } {
  let sum = 0;
  let count = 0;
  for (let k = 0; k < r.length; k += 1) {
    const v = r[k] as number;
    if (v === v) {
      sum += Math.abs(v);
      count += 1;
    }
  }
  return { meanAbs: count === 0 ? NaN : sum / count, count };
}

/**
 * Top-k with hysteresis: a previously selected pair stays while its |r| ≥ (entry bar − margin),
 * where the entry bar is the k-th best |r| now; free places go to the strongest new pairs.
 * Result strongest first, at most k pairs, every r finite.
 * @param margin in units of |r|, ≥ 0; 0.05 keeps a pair through ordinary jitter.
 * @param fresh the k strongest pairs now, when already known (StreamingCorrelation.summary):
 *   spares a scan of the whole matrix.
 */
export function stickyTopPairs(
  r: Float64Array,
  n: number,
  k: number,
  previous: readonly { readonly a: number; readonly b: number }[],
  margin = 0.05,
  minAbs = 0,
  known?: readonly CorrelatedPair[],
): CorrelatedPair[] {
  const fresh = known ?? topPairs(r, n, k, minAbs);
  // k = 0 (analysis.top_pairs: 0) exposes nothing: there is no k-th pair to set a bar.
  const entryBar = k > 0 && fresh.length === k ? Math.abs((fresh[k - 1] as CorrelatedPair).r) : minAbs;
  const keepBar = Math.max(minAbs, entryBar - margin);
  const chosen = new Map<number, CorrelatedPair>();
  for (const p of previous) {
    if (chosen.size >= k) break;
    if (p.a === p.b || p.a < 0 || p.b < 0 || p.a >= n || p.b >= n) continue;
    const a = Math.min(p.a, p.b);
    const b = Math.max(p.a, p.b);
    const key = pairIndex(n, a, b);
    const v = r[key] as number;
    if (Math.abs(v) >= keepBar) chosen.set(key, { a, b, r: v });
  }
  for (const p of fresh) {
    if (chosen.size >= k) break;
    const key = pairIndex(n, p.a, p.b);
    if (!chosen.has(key)) chosen.set(key, p);
  }
  return [...chosen.values()].sort(stronger);
}
