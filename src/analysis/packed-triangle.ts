// Packed storage of a symmetric N×N matrix without its diagonal: the upper triangle, row by row.
//
// Pair (i, j) with i < j lives at i·(2N − i − 1)/2 + (j − i − 1), so row i's pairs are
// consecutive and row i + 1 follows row i: one running index walks every pair in order.

/** Number of unordered pairs among `n` rows: n(n − 1)/2. */
export function pairCount(n: number): number {
  return n < 2 ? 0 : (n * (n - 1)) / 2;
}

/** Packed index of the pair {i, j} (either order, i ≠ j, both in [0, n)). */
export function pairIndex(n: number, i: number, j: number): number {
  const a = i < j ? i : j;
  const b = i < j ? j : i;
  return (a * (2 * n - a - 1)) / 2 + (b - a - 1);
}

/** Packed index of (i, i + 1): where row i's pairs start. */
export function rowStart(n: number, i: number): number {
  return (i * (2 * n - i - 1)) / 2;
}

/** Calls `visit(i, j, k)` for every pair i < j in packed order (k = packed index). */
export function forEachPair(n: number, visit: (i: number, j: number, k: number) => void): void {
  let k = 0;
  for (let i = 0; i < n - 1; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      visit(i, j, k);
      k += 1;
    }
  }
}

/**
 * The full n×n row-major matrix of a packed triangle (for the JSON API): symmetric, `diagonal`
 * on the diagonal (1 for correlations), NaN entries kept as NaN for the caller to map to null.
 */
export function unpack(packed: ArrayLike<number>, n: number, diagonal = 1): Float64Array {
  const full = new Float64Array(n * n);
  let k = 0;
  for (let i = 0; i < n; i += 1) {
    full[i * n + i] = diagonal;
    for (let j = i + 1; j < n; j += 1, k += 1) {
      const v = packed[k] as number;
      full[i * n + j] = v;
      full[j * n + i] = v;
    }
  }
  return full;
}
