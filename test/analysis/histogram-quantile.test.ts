import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Bucket, histogramQuantile } from '../../src/analysis/histogram-quantile.js';

const b = (upperBound: number, count: number): Bucket => ({ upperBound, count });
// 10 observations: 2 ≤ 0.1, 6 ≤ 0.5 (4 in (0.1, 0.5]), 9 ≤ 1 (3 in (0.5, 1]), 10 total (1 above 1).
const BUCKETS = [b(0.1, 2), b(0.5, 6), b(1, 9), b(Infinity, 10)];

describe('histogramQuantile (PromQL bucketQuantile)', () => {
  it.each([
    // rank = q * 10; worked out by hand from the interpolation in promql/quantile.go.
    [0.1, 0.05], // rank 1 in [0, 0.1] holding 2: 0 + 0.1 * 1/2
    [0.2, 0.1], // rank 2: top of the first bucket
    [0.5, 0.4], // rank 5 in (0.1, 0.5] holding 4, 3 above its start: 0.1 + 0.4 * 3/4
    [0.9, 1], // rank 9: top of the (0.5, 1] bucket
    [0.95, 1], // rank 9.5 falls in +Inf: the highest finite bound
    [0, 0], // rank 0 in the first bucket
  ])('q=%s gives %s', (q, expected) => {
    expect(histogramQuantile(q, BUCKETS)).toBeCloseTo(expected, 12);
  });

  it('accepts unsorted buckets and repairs non-monotonic counts', () => {
    expect(histogramQuantile(0.5, [b(Infinity, 10), b(1, 9), b(0.1, 2), b(0.5, 6)])).toBeCloseTo(0.4, 12);
    // le=1 reports fewer than le=0.5 (a torn scrape): forced up to 5 as PromQL's ensureMonotonic
    // does, so rank 5.4 of 6 interpolates in (1, 2] from 5: 1 + 1 * 0.4/1 (unrepaired it would be 1.8).
    expect(histogramQuantile(0.9, [b(0.1, 2), b(0.5, 5), b(1, 3), b(2, 6), b(Infinity, 6)])).toBeCloseTo(1.4, 12);
  });

  it('answers the upper bound of a first bucket that is not positive', () => {
    expect(histogramQuantile(0.5, [b(-1, 5), b(Infinity, 10)])).toBe(-1);
  });

  it.each([
    ['no +Inf bucket', [b(0.1, 2), b(1, 3)]],
    ['a single bucket', [b(Infinity, 3)]],
    ['no observations', [b(0.1, 0), b(Infinity, 0)]],
    ['no buckets', []],
  ])('gives nothing (not 0) with %s', (_name, buckets) => {
    expect(histogramQuantile(0.5, buckets)).toBeUndefined();
  });

  it('gives nothing for q outside [0, 1]', () => {
    expect(histogramQuantile(1.5, BUCKETS)).toBeUndefined();
    expect(histogramQuantile(NaN, BUCKETS)).toBeUndefined();
  });

  it('is monotonic in q and stays within the finite bounds', () => {
    const bounds = [0.01, 0.1, 1, 10];
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 5, maxLength: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (increments, q1, q2) => {
          let cumulative = 0;
          const buckets = [...bounds, Infinity].map((upperBound, i) => b(upperBound, (cumulative += increments[i] ?? 0)));
          const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
          const a = histogramQuantile(lo, buckets);
          const c = histogramQuantile(hi, buckets);
          if (cumulative === 0) {
            expect(a).toBeUndefined();
            return;
          }
          expect(a).toBeDefined();
          expect(c!).toBeGreaterThanOrEqual(a! - 1e-12);
          expect(c!).toBeLessThanOrEqual(10);
          expect(a!).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
