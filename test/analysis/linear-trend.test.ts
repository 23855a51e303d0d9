import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linearTrend } from '../../src/analysis/linear-trend.js';

interface TrendFixture {
  readonly values: number[];
  readonly slope: number;
  readonly last: number;
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/analysis/trend.json', import.meta.url), 'utf8')) as TrendFixture[];

describe('linearTrend', () => {
  it.each(fixtures.map((f, k) => [k, f] as const))('matches numpy.polyfit (fixture %i)', (_k, f) => {
    const trend = linearTrend(f.values);
    expect(trend.slope).toBeCloseTo(f.slope, 10);
    expect(Math.abs(trend.last - f.last)).toBeLessThan(1e-12 * Math.max(1, Math.abs(f.last)));
    expect(trend.count).toBe(f.values.length);
  });

  it.each([
    ['two points', [1, 3], 2, 3, 2],
    ['gaps are skipped, positions kept', [0, NaN, 4, NaN, 8], 2, 8, 3],
    ['one point', [5], NaN, 5, 1],
    ['no point', [NaN, NaN], NaN, NaN, 0],
    ['flat', [7, 7, 7], 0, 7, 3],
  ] as const)('%s', (_name, values, slope, last, count) => {
    const trend = linearTrend(values);
    if (Number.isNaN(slope)) expect(trend.slope).toBeNaN();
    else expect(trend.slope).toBeCloseTo(slope, 14);
    if (Number.isNaN(last)) expect(trend.last).toBeNaN();
    else expect(trend.last).toBeCloseTo(last, 12);
    expect(trend.count).toBe(count);
  });
});
