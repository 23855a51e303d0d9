import { describe, expect, it } from 'vitest';
import { medianInPlace, selectInPlace } from '../../src/analysis/median-select.js';
import { mulberry32 } from '../../src/demo/prng.js';

/** The reference: sort a copy. */
function sortedMedian(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? (s[n >> 1] as number) : ((s[(n >> 1) - 1] as number) + (s[n >> 1] as number)) / 2;
}

describe('medianInPlace', () => {
  it('equals the median of a sorted copy on 5,000 random windows (odd and even sizes, heavy ties, negatives)', () => {
    const random = mulberry32(5);
    for (let trial = 0; trial < 5000; trial += 1) {
      const n = 1 + Math.floor(random() * 241);
      const ties = trial % 3 === 0;
      const values = Float64Array.from({ length: n }, () => (ties ? Math.round(random() * 4) - 2 : (random() - 0.5) * 1e3));
      const want = sortedMedian(values);
      expect(medianInPlace(Float64Array.from(values), n), `trial ${trial}, n ${n}`).toBe(want);
    }
  });

  it('reads only the first n values, and is NaN for none', () => {
    expect(medianInPlace(Float64Array.of(5, 1, 3, 100, 100), 3)).toBe(3);
    expect(medianInPlace(Float64Array.of(4, 1, 100), 2)).toBe(2.5);
    expect(medianInPlace(new Float64Array(4), 0)).toBeNaN();
  });

  it('selectInPlace puts the k-th smallest at k, smaller ones before it and larger ones after', () => {
    const random = mulberry32(9);
    for (let trial = 0; trial < 500; trial += 1) {
      const n = 1 + Math.floor(random() * 60);
      const values = Float64Array.from({ length: n }, () => Math.floor(random() * 10));
      const k = Math.floor(random() * n);
      const kth = Float64Array.from(values).sort()[k] as number;
      expect(selectInPlace(values, n, k)).toBe(kth);
      expect(values[k]).toBe(kth);
      for (let i = 0; i < k; i += 1) expect(values[i]).toBeLessThanOrEqual(kth);
      for (let i = k + 1; i < n; i += 1) expect(values[i]).toBeGreaterThanOrEqual(kth);
    }
  });
});
