// The page's memory of recent values (bounded, aligned, gap-aware) and the sparkline geometry.
import { describe, expect, it } from 'vitest';
import { History, sparklinePoints } from '../../src/web/history.js';

describe('History', () => {
  it('keeps at most `capacity` points per key, oldest dropped first', () => {
    const history = new History(3);
    for (let t = 1; t <= 5; t++) history.push('a', t * 1000, { cpu: t / 10 });
    expect(history.series('a', 'cpu')).toEqual({ times: [3000, 4000, 5000], values: [0.3, 0.4, 0.5] });
  });

  it('records a gap for a metric missing from one observation and backfills a metric that appears later', () => {
    const history = new History(10);
    history.push('a', 1000, { cpu: 0.1 });
    history.push('a', 2000, { cpu: 0.2, queue: 4 });
    history.push('a', 3000, { queue: 5 });
    expect(history.series('a', 'cpu').values).toEqual([0.1, 0.2, null]);
    expect(history.series('a', 'queue').values).toEqual([null, 4, 5]);
  });

  it('stores a non-finite value as a gap', () => {
    const history = new History(10);
    history.push('a', 1000, { cpu: Number.NaN });
    expect(history.series('a', 'cpu').values).toEqual([null]);
  });

  it('ignores an observation that is not newer than the last one (polls answered out of order)', () => {
    const history = new History(10);
    history.push('a', 2000, { cpu: 0.2 });
    history.push('a', 1000, { cpu: 0.1 });
    history.push('a', 2000, { cpu: 0.3 });
    expect(history.series('a', 'cpu')).toEqual({ times: [2000], values: [0.2] });
  });

  it('answers empty series for unknown keys and metrics', () => {
    const history = new History(10);
    history.push('a', 1000, { cpu: 0.1 });
    expect(history.series('b', 'cpu')).toEqual({ times: [], values: [] });
    expect(history.series('a', 'memory')).toEqual({ times: [], values: [] });
  });

  it('forgets keys that are no longer live', () => {
    const history = new History(10);
    history.push('a', 1000, { cpu: 0.1 });
    history.push('b', 1000, { cpu: 0.2 });
    history.retain(new Set(['b']));
    expect(history.series('a', 'cpu').values).toEqual([]);
    expect(history.series('b', 'cpu').values).toEqual([0.2]);
  });

  it('keeps at least two points whatever capacity it is given', () => {
    expect(new History(0).capacity).toBe(2);
  });
});

describe('sparklinePoints', () => {
  it('maps the minimum to the bottom and the maximum to the top of the box', () => {
    expect(sparklinePoints([1, 3, 2], 100, 20)).toBe('0,20 50,0 100,10');
  });

  it('draws a flat series at mid-height', () => {
    expect(sparklinePoints([5, 5], 10, 20)).toBe('0,10 10,10');
  });

  it('skips gaps but keeps the x position of every point', () => {
    expect(sparklinePoints([0, null, 10], 10, 10)).toBe('0,10 10,0');
  });

  it.each([[[]], [[1]], [[null, 2, null]], [[Number.NaN, 1]]])('draws nothing with fewer than two finite values: %j', (values) => {
    expect(sparklinePoints(values, 10, 10)).toBe('');
  });
});
