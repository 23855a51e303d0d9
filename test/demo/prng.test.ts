import { describe, expect, it } from 'vitest';
import { mulberry32, normalSource } from '../../src/demo/prng.js';

describe('mulberry32', () => {
  it('repeats its sequence for a seed and stays in [0, 1)', () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    const xs = Array.from({ length: 10_000 }, () => a());
    expect(Array.from({ length: 10_000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBeGreaterThan(9_990);
  });

  it('looks uniform: mean near 1/2 and every tenth of the range near 10%', () => {
    const random = mulberry32(2026);
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i += 1) {
      const x = random();
      sum += x;
      bins[Math.floor(x * 10)] = (bins[Math.floor(x * 10)] ?? 0) + 1;
    }
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    for (const count of bins) expect(Math.abs(count / n - 0.1)).toBeLessThan(0.005);
  });

  it('gives different sequences for neighbouring seeds', () => {
    expect(mulberry32(1)()).not.toBe(mulberry32(2)());
  });
});

describe('normalSource', () => {
  it('draws standard normal values (mean 0, variance 1, ~68% within one sigma)', () => {
    const normal = normalSource(mulberry32(9));
    const n = 100_000;
    const xs = Array.from({ length: n }, () => normal());
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    expect(Math.abs(xs.filter((x) => Math.abs(x) < 1).length / n - 0.6827)).toBeLessThan(0.01);
    expect(xs.every(Number.isFinite)).toBe(true);
  });
});
