import { describe, expect, it } from 'vitest';
import { bandAt, deviationInSpreads, learnBaseline, SEASONAL_MIN_DAYS, type TimedValue } from '../../src/analysis/baseline-band.js';
import { seeded, type Rng } from './support/random.js';

const DAY = 86_400_000;
const STEP = 5 * 60_000; // the history's 5-minute agent states
const START = Date.UTC(2026, 10, 2); // a Monday, 00:00 UTC

/** A latency with a daily cycle (peak at 14:00 UTC) plus Gaussian noise. */
function dailyLatency(t: number, rng: Rng): number {
  const hour = ((t - START) % DAY) / 3_600_000;
  return 1.0 + 0.4 * Math.sin(((hour - 8) / 24) * 2 * Math.PI) + 0.05 * rng.gauss();
}

function history(days: number, value: (t: number, rng: Rng) => number, rng: Rng, from = START): TimedValue[] {
  const out: TimedValue[] = [];
  for (let t = from; t < from + days * DAY; t += STEP) out.push({ t, value: value(t, rng) });
  return out;
}

function coverage(profile: NonNullable<ReturnType<typeof learnBaseline>>, fresh: readonly TimedValue[]): number {
  let inside = 0;
  for (const p of fresh) {
    const b = bandAt(profile, p.t);
    if (p.value >= b.lower && p.value <= b.upper) inside += 1;
  }
  return inside / fresh.length;
}

describe('learnBaseline', () => {
  it('learns an hour-of-day band whose 95 % band holds 95 ± 3 % of fresh in-pattern points (4 days of history, 20 seeds)', () => {
    const shares: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const rng = seeded(seed);
      const profile = learnBaseline(history(4, dailyLatency, rng));
      expect(profile?.seasonal).toBe(true);
      if (!profile) return;
      shares.push(coverage(profile, history(1, dailyLatency, rng, START + 4 * DAY)));
    }
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    expect(mean).toBeGreaterThanOrEqual(0.92);
    expect(mean).toBeLessThanOrEqual(0.98);
  });

  it('a flat band on the same seasonal data covers far fewer in-pattern points at the extremes of the day (why seasonality matters)', () => {
    const rng = seeded(7);
    const past = history(4, dailyLatency, rng);
    const seasonal = learnBaseline(past);
    const flat = learnBaseline(past.slice(0, Math.floor((SEASONAL_MIN_DAYS * DAY) / STEP) - 1)); // under 3 days: not seasonal
    expect(flat?.seasonal).toBe(false);
    // At 14:00 (the daily peak) a value 6 spreads above that hour's normal is abnormal for the seasonal
    // band; the flat band, widened by the daily swing, calls the same value normal.
    const peak = START + 5 * DAY + 14 * 3_600_000;
    if (!seasonal || !flat) throw new Error('no profile');
    const b = bandAt(seasonal, peak);
    const excursion = b.center + 6 * b.spread;
    expect(deviationInSpreads(b, excursion)).toBeCloseTo(6, 9);
    expect(excursion).toBeGreaterThan(b.upper);
    expect(excursion).toBeLessThan(bandAt(flat, peak).upper);
  });

  it('stays flat for stationary noise, and its band holds 95 ± 3 % of fresh points', () => {
    const shares: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const rng = seeded(100 + seed);
      const noise = (_t: number, r: Rng): number => 0.3 + 0.02 * r.gauss();
      const profile = learnBaseline(history(5, noise, rng));
      expect(profile?.seasonal).toBe(false);
      if (!profile) return;
      shares.push(coverage(profile, history(1, noise, rng, START + 5 * DAY)));
    }
    const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
    expect(mean).toBeGreaterThanOrEqual(0.92);
    expect(mean).toBeLessThanOrEqual(0.98);
  });

  it('is robust: a burst of outliers in the history does not widen the band', () => {
    const rng = seeded(3);
    const clean = history(2, (_t, r) => 5 + r.gauss(), rng);
    const dirty = clean.map((p, i) => (i % 20 === 0 ? { t: p.t, value: 500 } : p));
    const a = learnBaseline(clean);
    const b = learnBaseline(dirty);
    expect(b?.bands[0]?.spread).toBeLessThan((a?.bands[0]?.spread ?? 0) * 1.15);
  });

  it('needs 12 finite points, ignores non-finite ones, and gives a zero-width band with NaN deviations for a constant history', () => {
    expect(learnBaseline(Array.from({ length: 11 }, (_, i) => ({ t: START + i * STEP, value: 1 })))).toBeUndefined();
    const constant = learnBaseline([
      ...Array.from({ length: 20 }, (_, i) => ({ t: START + i * STEP, value: 2 })),
      { t: START, value: Number.NaN },
    ]);
    expect(constant?.points).toBe(20);
    const b = constant?.bands[0];
    expect(b).toEqual({ lower: 2, center: 2, upper: 2, spread: 0 });
    if (b) expect(deviationInSpreads(b, 3)).toBeNaN();
  });
});
