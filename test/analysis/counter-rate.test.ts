import { describe, expect, it } from 'vitest';
import { counterIncrease, counterRate } from '../../src/analysis/counter-rate.js';

describe('counterRate', () => {
  it.each([
    ['a steady increase', { value: 100, timestampMs: 0 }, { value: 130, timestampMs: 15_000 }, 2],
    ['no change', { value: 5, timestampMs: 0 }, { value: 5, timestampMs: 1000 }, 0],
    ['a reset: the current value is the increase', { value: 1000, timestampMs: 0 }, { value: 30, timestampMs: 10_000 }, 3],
    ['a reset to zero', { value: 1000, timestampMs: 0 }, { value: 0, timestampMs: 10_000 }, 0],
  ])('gives the per-second rate for %s', (_name, previous, current, expected) => {
    expect(counterRate(previous, current)).toBeCloseTo(expected, 12);
  });

  it.each([
    ['time did not advance', { value: 1, timestampMs: 5 }, { value: 2, timestampMs: 5 }],
    ['time went backwards', { value: 1, timestampMs: 5 }, { value: 2, timestampMs: 4 }],
    ['a NaN value', { value: NaN, timestampMs: 0 }, { value: 2, timestampMs: 1000 }],
    ['an infinite value', { value: 1, timestampMs: 0 }, { value: Infinity, timestampMs: 1000 }],
    ['a negative value', { value: -1, timestampMs: 0 }, { value: 2, timestampMs: 1000 }],
  ])('gives nothing (not 0) when %s', (_name, previous, current) => {
    expect(counterRate(previous, current)).toBeUndefined();
  });

  it('never gives a negative increase', () => {
    expect(counterIncrease(10, 3)).toBe(3);
    expect(counterIncrease(3, 10)).toBe(7);
  });
});
