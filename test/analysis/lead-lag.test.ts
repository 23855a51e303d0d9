import { describe, expect, it } from 'vitest';
import { leadLag } from '../../src/analysis/lead-lag.js';
import { seeded } from './support/random.js';
import { textbookPearson } from './support/reference.js';

/** x: an AR(1) driver; y: x delayed by `lag` steps plus noise. */
function pair(seed: number, lag: number, w = 120): { x: number[]; y: number[] } {
  const rng = seeded(seed);
  const driver: number[] = [];
  let v = 0;
  for (let t = 0; t < w + 40; t += 1) {
    v = 0.6 * v + rng.gauss();
    driver.push(v);
  }
  const x = driver.slice(20, 20 + w);
  const y = Array.from({ length: w }, (_, t) => driver[20 + t - lag]! + 0.3 * rng.gauss());
  return { x, y };
}

describe('leadLag', () => {
  it.each([-9, -4, -1, 0, 2, 6, 10])('recovers an injected lag of %i steps within ±1 over 20 seeds', (lag) => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const { x, y } = pair(seed * 31 + lag, lag);
      const found = leadLag(x, y, 10);
      expect(found).not.toBeNull();
      expect(Math.abs(found!.lag - lag)).toBeLessThanOrEqual(1);
      expect(found!.r).toBeGreaterThan(0.8);
    }
  });

  it.each([
    ['complete series', 0],
    ['series with gaps', 0.1],
  ])('reports the textbook r over the overlap at the chosen lag (%s)', (_name, gapShare) => {
    const rng = seeded(99);
    for (let k = 0; k < 10; k += 1) {
      const { x, y } = pair(200 + k, 3 + (k % 4));
      const gx = x.map((v) => (rng.next() < gapShare ? NaN : 1e9 + v));
      const found = leadLag(gx, y, 8)!;
      const lag = found.lag;
      const xs = lag >= 0 ? gx.slice(0, gx.length - lag) : gx.slice(-lag);
      const ys = lag >= 0 ? y.slice(lag) : y.slice(0, y.length + lag);
      expect(Math.abs(found.r - textbookPearson(xs, ys, 3))).toBeLessThan(1e-10);
    }
  });

  it('finds a lead of an inverse relation too, with a negative r', () => {
    const { x, y } = pair(5, 3);
    const found = leadLag(
      x,
      y.map((v) => -v),
      10,
    );
    expect(found?.lag).toBe(3);
    expect(found!.r).toBeLessThan(-0.8);
  });

  it('differences trending series before comparing when asked', () => {
    const { x, y } = pair(6, 4);
    const trendX = x.map((v, t) => v + 0.5 * t);
    const trendY = y.map((v, t) => v + 0.5 * t);
    expect(leadLag(trendX, trendY, 10, { difference: true })?.lag).toBe(4);
  });

  it('returns null when no lag has a defined r', () => {
    expect(leadLag([1, 1, 1, 1, 1], [1, 2, 3, 4, 5], 2)).toBeNull();
    expect(leadLag([NaN, NaN, NaN], [1, 2, 3], 1)).toBeNull();
  });

  it('prefers the smallest shift among equally strong lags', () => {
    const x = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2];
    expect(leadLag(x, x, 4)?.lag).toBe(0);
  });
});
