import { describe, expect, it } from 'vitest';
import { ChangeRows } from '../../src/analysis-cycle/change-rows.js';
import { differenceRing, lagOneAutocorrelation } from '../../src/analysis/difference-row.js';
import { seeded } from '../analysis/support/random.js';

// ChangeRows differences each ring once per step and keeps what the significance test asks of it.
// It must give what the definitions give: differenceRing's changes, the observed count, the lag-1
// autocorrelation of the changes (from one pass's moments: equal within rounding), and the common
// changes of a pair.
describe('ChangeRows', () => {
  it.each([
    [0, 120],
    [37, 120],
    [119, 120],
    [0, 45],
    [5, 70],
  ])('agrees with differenceRing and lagOneAutocorrelation (oldest %i, window %i)', (oldest, window) => {
    const data = seeded(oldest * 1000 + window);
    const rings = Array.from({ length: 12 }, (_, slot) =>
      Float64Array.from({ length: window }, () => {
        // Rows with no gaps, a few gaps, many gaps, and none observed at all.
        const gapShare = [0, 0.02, 0.3, 1][slot % 4] as number;
        return data.next() < gapShare ? Number.NaN : 10 + data.gauss();
      }),
    );
    const rows = new ChangeRows(12, window);
    // Slot 11 has no ring at all (an empty slot).
    const given: Float64Array[] = rings.slice(0, 11);
    rows.reset(given, oldest, window);
    const expected = rings.map((ring, slot) =>
      slot === 11 ? new Float64Array(window).fill(Number.NaN) : differenceRing(ring, oldest, new Float64Array(window)),
    );
    for (let slot = 0; slot < 12; slot += 1) {
      const want = expected[slot] as Float64Array;
      const facts = rows.rowFacts(slot);
      expect(Buffer.from(rows.row(slot).slice().buffer).equals(Buffer.from(want.buffer))).toBe(true);
      expect(facts.points).toBe(want.filter((v) => !Number.isNaN(v)).length);
      const rho = lagOneAutocorrelation(want, oldest);
      if (Number.isNaN(rho)) expect(facts.rho).toBeNaN();
      else expect(Math.abs(facts.rho - rho)).toBeLessThan(1e-12);
    }
    for (const [a, b] of [
      [0, 1],
      [1, 2],
      [2, 6],
      [3, 5],
      [10, 11],
    ] as const) {
      const x = expected[a] as Float64Array;
      const y = expected[b] as Float64Array;
      const common = Array.from(x.keys()).filter((t) => !Number.isNaN(x[t] as number) && !Number.isNaN(y[t] as number)).length;
      expect(rows.facts(a, b).n).toBe(common);
    }
  });

  it('keeps ρ to rounding on a steep trend, after a first change far from the rest, and on a constant row', () => {
    const window = 120;
    const data = seeded(77);
    const oldest = 30;
    // Ring order from `oldest` is step order: step k sits at (oldest + k) mod W.
    const ringOf = (value: (step: number) => number): Float64Array => {
      const ring = new Float64Array(window);
      for (let k = 0; k < window; k += 1) ring[(oldest + k) % window] = value(k);
      return ring;
    };
    let ar = 0;
    const rings = [
      // A ramp of 1e6 a step with AR(0.5) noise of 1 on its changes: mean change 10⁶ spreads.
      ringOf((k) => 1e6 * k + (ar = 0.5 * ar + data.gauss())),
      // A spike of 1e9 at the second step: the first change lies 10⁹ from the others.
      ringOf((k) => (k === 1 ? 1e9 : 0) + data.gauss()),
      ringOf(() => 42),
    ];
    const rows = new ChangeRows(3, window);
    rows.reset(rings, oldest, window);
    for (let slot = 0; slot < 3; slot += 1) {
      const rho = lagOneAutocorrelation(differenceRing(rings[slot]!, oldest, new Float64Array(window)), oldest);
      const facts = rows.rowFacts(slot);
      expect(facts.points).toBe(window - 1);
      if (slot === 2) expect(facts.rho).toBeNaN();
      else expect(Math.abs(facts.rho - rho), `slot ${slot}: ${facts.rho} vs ${rho}`).toBeLessThan(1e-12);
    }
  });
});
