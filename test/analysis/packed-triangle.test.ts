import { describe, expect, it } from 'vitest';
import { forEachPair, pairCount, pairIndex, rowStart, unpack } from '../../src/analysis/packed-triangle.js';

describe('packed triangle', () => {
  it('numbers every pair once, row by row, in either argument order', () => {
    for (const n of [2, 3, 7, 64]) {
      const seen: number[] = [];
      forEachPair(n, (i, j, k) => {
        expect(pairIndex(n, i, j)).toBe(k);
        expect(pairIndex(n, j, i)).toBe(k);
        if (j === i + 1) expect(rowStart(n, i)).toBe(k);
        seen.push(k);
      });
      expect(seen).toEqual(Array.from({ length: pairCount(n) }, (_, k) => k));
    }
    expect(pairCount(0)).toBe(0);
    expect(pairCount(1)).toBe(0);
  });

  it('unpacks to a symmetric matrix with the given diagonal and NaN kept', () => {
    const full = unpack([0.5, NaN, -0.25], 3);
    expect(Array.from(full)).toEqual([1, 0.5, NaN, 0.5, 1, -0.25, NaN, -0.25, 1]);
  });
});
