import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBalance } from '../../src/analysis/load-balance.js';

interface JainFixture {
  readonly values: number[];
  readonly index: number;
  readonly mean: number;
  readonly deviations: number[];
}
const fixtures = JSON.parse(readFileSync(new URL('../fixtures/analysis/jain.json', import.meta.url), 'utf8')) as JainFixture[];

describe("loadBalance (Jain's fairness index)", () => {
  it.each(fixtures.map((f) => [JSON.stringify(f.values).slice(0, 40), f] as const))('matches numpy for %s', (_name, f) => {
    const result = loadBalance(f.values);
    expect(result.index).toBeCloseTo(f.index, 13);
    expect(result.mean).toBeCloseTo(f.mean, 14);
    f.deviations.forEach((d, i) => expect(result.deviations[i]).toBeCloseTo(d, 14));
  });

  it.each([
    ['no agents', [], 1],
    ['all idle', [0, 0], 1],
    ['one agent carries everything among 4', [3, 0, 0, 0], 0.25],
    ['perfectly even', [0.3, 0.3, 0.3], 1],
    ['huge loads do not overflow', [1e200, 1e200], 1],
  ] as const)('%s → %d', (_name, loads, expected) => {
    expect(loadBalance(loads).index).toBeCloseTo(expected, 14);
  });

  it('leaves NaN and negative loads out and gives them a NaN deviation', () => {
    const result = loadBalance([0.5, NaN, 0.5, -1, Infinity]);
    expect(result.count).toBe(2);
    expect(result.index).toBe(1);
    expect(Array.from(result.deviations)).toEqual([0, NaN, 0, NaN, NaN]);
  });
});
