import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RobustWindowBank } from '../../src/analysis/robust-window-bank.js';
import { robustStats, robustZ, robustZFromStats, Z_CAP } from '../../src/analysis/robust-z.js';
import { seeded } from './support/random.js';

interface RobustFixture {
  readonly values: number[];
  readonly median: number;
  readonly mad: number;
  readonly meanAbsDev: number;
  readonly z: number;
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/analysis/robust.json', import.meta.url), 'utf8')) as RobustFixture[];

/** Median and MAD by sorting, written independently of src/. */
function reference(values: readonly number[]): { median: number; mad: number } {
  const med = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
  };
  const finite = values.filter(Number.isFinite);
  const m = med(finite);
  return { median: m, mad: med(finite.map((v) => Math.abs(v - m))) };
}

describe('robust z of one window', () => {
  it.each(fixtures.map((f, k) => [k, f] as const))('matches numpy median/MAD and the documented rule (fixture %i)', (_k, f) => {
    const s = robustStats(f.values);
    expect(s.median).toBeCloseTo(f.median, 12);
    expect(s.mad).toBeCloseTo(f.mad, 12);
    expect(s.meanAbsDev).toBeCloseTo(f.meanAbsDev, 12);
    expect(robustZ(f.values, f.values.at(-1)!, 2)).toBeCloseTo(f.z, 10);
  });

  it.each([
    ['MAD > 0: (x − median)/(1.4826·MAD)', 5, 1, 2, 9, (5 - 1) / (1.4826 * 2)],
    ['MAD = 0: mean absolute deviation × 1.2533', 5, 1, 0, 0.5, (5 - 1) / (1.2533 * 0.5)],
    ['both 0 and x on the median: 0', 1, 1, 0, 0, 0],
    ['both 0 and x above: +cap', 2, 1, 0, 0, Z_CAP],
    ['both 0 and x below: −cap', 0, 1, 0, 0, -Z_CAP],
    ['huge deviations are capped', 1e300, 0, 1e-300, 0, Z_CAP],
  ] as const)('%s', (_name, x, median, mad, meanAbsDev, expected) => {
    expect(robustZFromStats(x, median, mad, meanAbsDev)).toBeCloseTo(expected, 12);
  });

  it('is NaN for a gap or too few points, never for a constant window', () => {
    expect(robustZ([1, 2, 3], NaN)).toBeNaN();
    expect(robustZ([1, NaN], 1, 3)).toBeNaN();
    expect(robustZ([7, 7, 7, 7], 7)).toBe(0);
  });
});

describe('RobustWindowBank', () => {
  it('keeps median and MAD equal to a full re-sort at every step, with ties, gaps and 1e12 offsets', () => {
    const w = 17;
    const n = 5;
    const rng = seeded(21);
    const bank = new RobustWindowBank({ series: n, window: w, minPoints: 3 });
    const history: number[][] = Array.from({ length: n }, () => []);
    const z = new Float64Array(n);
    for (let t = 0; t < 600; t += 1) {
      const column = [
        rng.gauss(),
        Math.floor(rng.next() * 4), // many ties
        rng.next() < 0.3 ? NaN : 1e12 + rng.gauss(),
        t % 50 < 25 ? 3 : 3 + (rng.next() < 0.1 ? 10 : 0), // mostly constant: MAD = 0 paths
        t < 100 ? NaN : rng.gauss() * 1e-6,
      ];
      bank.push(column, z);
      for (let i = 0; i < n; i += 1) {
        history[i]!.push(column[i]!);
        const window = history[i]!.slice(-w);
        const finite = window.filter(Number.isFinite);
        if (finite.length === 0) {
          expect(bank.count(i)).toBe(0);
          continue;
        }
        const ref = reference(window);
        expect(bank.count(i)).toBe(finite.length);
        expect(bank.median(i)).toBe(ref.median);
        expect(bank.mad(i)).toBe(ref.mad);
        const expectedZ = Number.isFinite(column[i]!) && finite.length >= 3 ? robustZ(window, column[i]!, 3) : NaN;
        if (Number.isNaN(expectedZ)) expect(z[i]).toBeNaN();
        else expect(z[i]).toBeCloseTo(expectedZ, 9);
      }
    }
  });

  it('scores a spike far above the threshold and the next ordinary value near 0', () => {
    const bank = new RobustWindowBank({ series: 1, window: 60 });
    const rng = seeded(22);
    const z = new Float64Array(1);
    for (let t = 0; t < 60; t += 1) bank.push([10 + rng.gauss()], z);
    bank.push([30], z);
    expect(z[0]).toBeGreaterThan(10);
    bank.push([10], z);
    expect(Math.abs(z[0]!)).toBeLessThan(1.5);
  });

  it('replaces one series with setSeries and keeps the others', () => {
    const bank = new RobustWindowBank({ series: 2, window: 5 });
    for (let t = 0; t < 8; t += 1) bank.push([t, 100 + t]);
    bank.setSeries(0, [5, 1, 9]); // window now: gap, gap, 5, 1, 9
    expect(bank.count(0)).toBe(3);
    expect(bank.median(0)).toBe(5);
    expect(bank.median(1)).toBe(105);
    bank.push([NaN, 0]);
    bank.push([NaN, 0]);
    expect(bank.count(0)).toBe(3);
    bank.push([NaN, 0]); // 5 leaves: 1, 9, gap, gap, gap
    expect(bank.count(0)).toBe(2);
    expect(bank.median(0)).toBe(5);
    expect(bank.mad(0)).toBe(4);
    bank.setSeries(1, null);
    expect(bank.count(1)).toBe(0);
    expect(bank.median(1)).toBeNaN();
  });

  it.each([
    ['one-byte slots', 40, 400],
    ['two-byte slots (W > 256)', 300, 900],
  ] as const)('matches a full re-sort through gaps, ties and setSeries replacements (%s)', (_name, w, steps) => {
    const n = 4;
    const rng = seeded(w);
    const bank = new RobustWindowBank({ series: n, window: w, minPoints: 3 });
    const history: number[][] = Array.from({ length: n }, () => []);
    for (let t = 0; t < steps; t += 1) {
      const column = [
        rng.next() < 0.2 ? NaN : Math.floor(rng.next() * 5),
        rng.gauss(),
        t % 97 < 30 ? NaN : 1e6 + rng.gauss(),
        rng.next() < 0.5 ? 2 : rng.gauss(),
      ];
      bank.push(column);
      for (let i = 0; i < n; i += 1) history[i]!.push(column[i]!);
      if (t % 53 === 52) {
        // A series re-seeded from a shorter history (the older steps become gaps), as a slot reused
        // by a newcomer is: the later pushes must drop exactly the values it was given.
        const replacement = Array.from({ length: Math.floor(w / 2) }, () => (rng.next() < 0.1 ? NaN : Math.floor(rng.next() * 3)));
        bank.setSeries(1, replacement);
        history[1] = [...Array<number>(Math.max(0, history[1]!.length - replacement.length)).fill(NaN), ...replacement].slice(
          -history[1]!.length,
        );
      }
      for (let i = 0; i < n; i += 1) {
        const window = history[i]!.slice(-w);
        const finite = window.filter(Number.isFinite);
        expect(bank.count(i)).toBe(finite.length);
        if (finite.length === 0) continue;
        const ref = reference(window);
        expect(bank.median(i)).toBe(ref.median);
        expect(bank.mad(i)).toBe(ref.mad);
      }
    }
  });

  it('holds 9 bytes a point up to W = 256 and 10 beyond (sorted values and their ring slots, no raw ring)', () => {
    expect(new RobustWindowBank({ series: 100, window: 240 }).byteLength).toBe(100 * 240 * 9 + 100 * 4);
    expect(new RobustWindowBank({ series: 100, window: 720 }).byteLength).toBe(100 * 720 * 10 + 100 * 4);
  });
});
