// analysis.top_pairs accepts 0 ("expose no pairs"); stickyTopPairs then read the k-th pair of an
// empty list and threw a TypeError, which would have failed every analysis cycle.
import { describe, expect, it } from 'vitest';
import { stickyTopPairs } from '../../src/analysis/top-pairs.js';

describe('stickyTopPairs with k = 0', () => {
  it('returns no pair instead of throwing, with or without previous pairs', () => {
    const r = new Float64Array([0.9, 0.2, 0.1]);
    expect(stickyTopPairs(r, 3, 0, [])).toEqual([]);
    expect(stickyTopPairs(r, 3, 0, [{ a: 0, b: 1 }])).toEqual([]);
    expect(stickyTopPairs(r, 3, 0, [], 0.05, 0, [])).toEqual([]);
  });
});
