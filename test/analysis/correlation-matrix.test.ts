import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exactCorrelation } from '../../src/analysis/correlation-matrix.js';
import { wasmSimdAvailable, type KernelBackend } from '../../src/analysis/kernel-arena.js';
import { pearsonPairwise } from '../../src/analysis/pearson-pair.js';
import { nullToNaN, seeded, type Rng } from './support/random.js';
import { maxAbsDiff, packed, textbookPearson } from './support/reference.js';

interface PearsonFixture {
  readonly name: string;
  readonly minOverlap: number;
  readonly rows: (number | null)[][];
  readonly r: (number | null)[];
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/analysis/pearson.json', import.meta.url), 'utf8')) as PearsonFixture[];

const backends: readonly KernelBackend[] = wasmSimdAvailable() ? ['js', 'wasm'] : ['js'];

function referenceMatrix(rows: number[][], minOverlap: number): Float64Array {
  const n = rows.length;
  const out = new Float64Array((n * (n - 1)) / 2);
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) out[packed(n, i, j)] = textbookPearson(rows[i]!, rows[j]!, minOverlap);
  }
  return out;
}

/** Rows mixing shared signals, noise, offsets, constants, gaps and trends. */
function adversarialRows(rng: Rng, n: number, w: number): number[][] {
  const common = Array.from({ length: w }, () => rng.gauss());
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: w }, (_, t) => {
      let x = (i % 3 === 0 ? common[t]! : 0) + rng.gauss();
      if (i % 5 === 1) x += 1e12;
      if (i % 7 === 2) x += 0.3 * t;
      if (i === 4) x = 42;
      if (i % 11 === 3 && rng.next() < 0.15) x = NaN;
      if (i === 6 && t < 5) x = NaN;
      return x;
    }),
  );
}

describe('exactCorrelation', () => {
  it.each(fixtures.map((f) => [f.name, f] as const))('matches numpy on %s', (_name, fixture) => {
    const rows = fixture.rows.map(nullToNaN);
    for (const backend of backends) {
      const m = exactCorrelation(rows, { minOverlap: fixture.minOverlap, backend });
      expect(maxAbsDiff(m.r, nullToNaN(fixture.r))).toBeLessThan(1e-12);
    }
  });

  it.each(backends)('matches the textbook two-pass formula on adversarial rows (%s)', (backend) => {
    const rng = seeded(7);
    for (const [n, w] of [
      [2, 2],
      [3, 5],
      [33, 64],
      [70, 121],
    ] as const) {
      const rows = adversarialRows(rng, n, w);
      const minOverlap = Math.min(w, Math.max(2, Math.ceil(w / 2)));
      const m = exactCorrelation(rows, { minOverlap, backend });
      expect(maxAbsDiff(m.r, referenceMatrix(rows, minOverlap))).toBeLessThan(1e-12);
      expect(m.validPairs).toBe(Array.from(m.r).filter(Number.isFinite).length);
    }
  });

  it('gives bit-identical results on the SIMD and the JavaScript kernels', () => {
    if (!wasmSimdAvailable()) return;
    const rows = adversarialRows(seeded(11), 45, 97);
    const a = exactCorrelation(rows, { backend: 'wasm' });
    const b = exactCorrelation(rows, { backend: 'js' });
    expect(Array.from(a.r)).toEqual(Array.from(b.r));
  });

  it('marks constant, too-sparse and all-gap rows invalid and never returns NaN for a valid pair', () => {
    const w = 20;
    const rows = [
      Array.from({ length: w }, (_, t) => Math.sin(t)),
      Array.from({ length: w }, () => 3), // constant
      Array.from({ length: w }, (_, t) => (t < 15 ? NaN : t)), // 5 points < minOverlap 10
      Array.from({ length: w }, () => NaN),
      Array.from({ length: w }, (_, t) => Math.cos(t)),
    ];
    const m = exactCorrelation(rows, { minOverlap: 10 });
    expect(Array.from(m.rowValid)).toEqual([1, 0, 0, 0, 1]);
    expect(m.validPairs).toBe(1);
    expect(Number.isFinite(m.r[packed(5, 0, 4)]!)).toBe(true);
    for (const [i, j] of [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [0, 3],
    ] as const)
      expect(m.r[packed(5, i, j)]).toBeNaN();
  });

  it('keeps r within [-1, 1] for identical and opposite series', () => {
    const x = Array.from({ length: 50 }, (_, t) => 1e12 + Math.sin(t * 0.37) * 1e-3);
    const m = exactCorrelation([x, [...x], x.map((v) => -v)]);
    for (const v of m.r) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    expect(m.r[0]).toBeCloseTo(1, 14);
    expect(m.r[1]).toBeCloseTo(-1, 14);
    expect(m.r[2]).toBeCloseTo(-1, 14);
  });

  it('returns an empty matrix for fewer than two rows', () => {
    expect(exactCorrelation([]).r.length).toBe(0);
    expect(exactCorrelation([[1, 2, 3]]).r.length).toBe(0);
  });

  it('rejects rows of different lengths', () => {
    expect(() =>
      exactCorrelation([
        [1, 2, 3],
        [1, 2],
      ]),
    ).toThrow(/every row needs 3 points/);
  });
});

describe('pearsonPairwise', () => {
  it.each([
    ['two points', [1, 2], [3, 5], 2, 1],
    ['two points, opposite', [1, 2], [5, 3], 2, -1],
    ['below minOverlap', [1, 2, 3], [1, 2, 4], 4, NaN],
    ['constant side', [1, 1, 1, 1], [1, 2, 3, 4], 2, NaN],
    ['all gaps', [NaN, NaN, NaN], [1, 2, 3], 2, NaN],
    ['gaps dropped pairwise', [1, NaN, 2, 3, 10], [2, 5, 4, 6, NaN], 3, 1],
    ['infinity treated as a gap', [1, Infinity, 2, 3], [2, 0, 4, 6], 3, 1],
  ] as const)('%s', (_name, x, y, minOverlap, expected) => {
    const r = pearsonPairwise(x, y, minOverlap);
    if (Number.isNaN(expected)) expect(r).toBeNaN();
    else expect(r).toBeCloseTo(expected, 14);
  });

  it('pairs x[t] with y[t + lag]', () => {
    const x = Array.from({ length: 40 }, (_, t) => Math.sin(t * 0.7) + 0.1 * Math.cos(t * 2.3));
    const y = [0, 0, 0, ...x.slice(0, 37)]; // y follows x by 3 steps
    expect(pearsonPairwise(x, y, 3, 3)).toBeCloseTo(1, 14);
    expect(Math.abs(pearsonPairwise(x, y, 3, 0))).toBeLessThan(0.9);
  });
});
