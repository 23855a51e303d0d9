import { describe, expect, it } from 'vitest';
import { ChangeRows } from '../../src/analysis-cycle/change-rows.js';
import { differenceRing, lagOneAutocorrelation } from '../../src/analysis/difference-row.js';
import { seeded } from '../analysis/support/random.js';

// ChangeRows differences each ring once per step and keeps what the significance test asks of it.
// Its one-pass differencing must give what the definitions give: differenceRing's changes, the
// observed count, lag-1 autocorrelation of the changes, and the common changes of a pair.
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
      else expect(facts.rho).toBe(rho);
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
});
