import { describe, expect, it } from 'vitest';
import { metricCorrelation } from '../../src/analysis/metric-correlation.js';
import { seeded } from './support/random.js';
import { packed, textbookPearson } from './support/reference.js';

describe('metricCorrelation', () => {
  it('gives every metric pair of one agent, matching the textbook formula', () => {
    const rng = seeded(1);
    const w = 60;
    const load = Array.from({ length: w }, () => rng.gauss());
    const series = [
      load.map((v) => 0.5 + 0.1 * v), // cpu_usage
      load.map((v) => 2 + v + 0.2 * rng.gauss()), // queue_depth
      load.map((v) => 0.3 + 0.05 * v + 0.01 * rng.gauss()), // response_time
      Array.from({ length: w }, () => rng.gauss()), // unrelated
      Array.from({ length: w }, () => 0.01), // constant error_rate
      Array.from({ length: w }, (_, t) => (t % 4 === 0 ? NaN : rng.gauss())), // gaps
      load.map((v) => -v), // throughput falls when load rises
      Array.from({ length: w }, (_, t) => 1e12 + t + rng.gauss()),
    ];
    const r = metricCorrelation(series);
    expect(r.length).toBe(28);
    for (let a = 0; a < 8; a += 1) {
      for (let b = a + 1; b < 8; b += 1) {
        const expected = textbookPearson(series[a]!, series[b]!, 30);
        const got = r[packed(8, a, b)]!;
        if (Number.isNaN(expected)) expect(got).toBeNaN();
        else expect(Math.abs(got - expected)).toBeLessThan(1e-12);
      }
    }
    expect(r[packed(8, 0, 1)]!).toBeGreaterThan(0.95);
    expect(r[packed(8, 0, 6)]!).toBeCloseTo(-1, 12);
  });

  it("gives a late joiner's pairs (every metric missing the same first steps) the textbook r", () => {
    const rng = seeded(3);
    const w = 60;
    const joined = 23;
    const load = Array.from({ length: w }, () => rng.gauss());
    const late = (f: (v: number) => number): number[] => load.map((v, t) => (t < joined ? NaN : f(v)));
    const series = [
      late((v) => 0.5 + 0.1 * v + 0.05 * rng.gauss()),
      late((v) => 2 + v + 0.3 * rng.gauss()),
      late(() => rng.gauss()),
      // Same start, one more gap: the pair's common steps differ from either row's own.
      late((v) => -v + 0.1 * rng.gauss()).map((x, t) => (t === 40 ? NaN : x)),
      late(() => 7), // constant once there
    ];
    const r = metricCorrelation(series, { minOverlap: 20 });
    for (let a = 0; a < series.length; a += 1) {
      for (let b = a + 1; b < series.length; b += 1) {
        const expected = textbookPearson(series[a]!, series[b]!, 20);
        const got = r[packed(series.length, a, b)]!;
        if (Number.isNaN(expected)) expect(got).toBeNaN();
        else expect(Math.abs(got - expected)).toBeLessThan(1e-12);
      }
    }
    expect(r[packed(series.length, 0, 1)]!).toBeGreaterThan(0.9);
  });

  it('reuses a scratch buffer and writes into a given output without changing results', () => {
    const rng = seeded(2);
    const agents = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => Array.from({ length: 30 }, () => rng.gauss())));
    const scratch = new Float64Array(4 * 30);
    const out = new Float64Array(3 * 6);
    agents.forEach((series, i) => metricCorrelation(series, { scratch, out: out.subarray(i * 6, (i + 1) * 6) }));
    agents.forEach((series, i) => expect(Array.from(out.subarray(i * 6, (i + 1) * 6))).toEqual(Array.from(metricCorrelation(series))));
  });

  it('returns an empty matrix for one metric', () => {
    expect(metricCorrelation([[1, 2, 3]]).length).toBe(0);
  });
});
