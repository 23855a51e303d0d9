// The ring-order bank keeps only each ring's order by value and reads the values from the store's
// rings: checked against a brute-force sort of the store's own windows at every step, through the
// store's real dynamics (agents joining and leaving, missed pushes carried then gaps, late samples
// rewriting past cells, rings reused by newcomers).
import { describe, expect, it } from 'vitest';
import { RingOrderBank } from '../../src/analysis/ring-order-bank.js';
import { robustZ } from '../../src/analysis/robust-z.js';
import { AlignedWindows } from '../../src/store/aligned-windows.js';
import { seeded } from './support/random.js';

/** Median and MAD by sorting, written independently of src/. */
function reference(values: readonly number[]): { median: number; mad: number } {
  const med = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const h = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
  };
  const finite = values.filter(Number.isFinite);
  const m = med(finite);
  return { median: m, mad: med(finite.map((v) => Math.abs(v - m))) };
}

describe('RingOrderBank', () => {
  it.each([
    ['one-byte ring indices', 24, 1],
    ['one-byte ring indices, other seed', 31, 2],
    ['two-byte ring indices (W > 256)', 300, 3],
  ] as const)(
    'gives the median, MAD and z of a brute-force sort of the store windows under churn, gaps and late samples (%s)',
    (_name, width, seed) => {
      const rng = seeded(seed);
      const slots = 12;
      const steps = width === 300 ? 700 : 2500;
      const windows = new AlignedWindows(width, { stepMs: 1000, newestEnd: 0, carryForward: 1 });
      const bank = new RingOrderBank({ series: slots, window: width, minPoints: 3 });
      const agentAt: (string | undefined)[] = new Array<string | undefined>(slots).fill(undefined);
      const missing = new Float64Array(width).fill(Number.NaN);
      const z = new Float64Array(slots);
      let next = 0;
      let checked = 0;
      for (let step = 1; step <= steps; step += 1) {
        // Leaves (the ring is dropped; the slot empties) and joins (a new ring, maybe a reused cell).
        for (let s = 0; s < slots; s += 1) {
          const agent = agentAt[s];
          if (agent !== undefined && rng.next() < 0.01) {
            windows.removeAgent(agent);
            agentAt[s] = undefined;
            bank.rebuild(s, null);
          } else if (agent === undefined && rng.next() < 0.2) {
            const id = `a${next++}`;
            windows.ensure('m', id);
            agentAt[s] = id;
          }
        }
        // Late samples into past steps: the revision log names the rings to rebuild.
        if (step > 3 && rng.next() < 0.3) {
          const s = Math.floor(rng.next() * slots);
          const agent = agentAt[s];
          const back = 1 + Math.floor(rng.next() * Math.min(step - 2, width - 1));
          if (agent !== undefined)
            windows.writePast('m', agent, (step - 1 - back) * 1000 + 500, rng.next() < 0.2 ? 50 + rng.gauss() : Math.floor(rng.next() * 6));
        }
        const revisions = windows.drainRevisions();
        expect(revisions.overflow).toBe(false);
        const kind = step % 400 < 200 ? 'ties' : 'offset';
        windows.advance((_, agent) => {
          if (rng.next() < 0.08) return Number.NaN; // a missed push: carried one step, then a gap
          if (kind === 'ties') return Math.floor(rng.next() * 6);
          return 1e9 + rng.gauss() + (agent.length % 3);
        }, step * 1000);
        const at = (windows.head - 1 + width) % width;
        const rows = agentAt.map((agent) => (agent === undefined ? missing : (windows.seriesOf('m').get(agent) ?? missing)));
        for (const cell of revisions.cells) {
          const s = agentAt.indexOf(cell.agent);
          if (s >= 0) bank.rebuild(s, rows[s] ?? null, at);
        }
        bank.push(rows, at, z);
        for (let s = 0; s < slots; s += 1) {
          const agent = agentAt[s];
          const window = agent === undefined ? [] : [...windows.chronological('m', agent)];
          const finite = window.filter(Number.isFinite);
          expect(bank.count(s)).toBe(finite.length);
          if (finite.length === 0) {
            expect(bank.median(s)).toBeNaN();
            continue;
          }
          const ref = reference(window);
          expect(bank.median(s)).toBe(ref.median);
          expect(bank.mad(s)).toBe(ref.mad);
          const x = window[window.length - 1] as number;
          const expected = finite.length >= 3 ? robustZ(window, x, 3) : Number.NaN;
          if (Number.isNaN(expected)) expect(z[s]).toBeNaN();
          // Same median and MAD; the mean-deviation fallback (MAD = 0) may sum in another order.
          else expect(Math.abs((z[s] as number) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(steps * 4);
    },
  );

  it('rebuilds a series whose ring is another one (a slot handed to a newcomer) without being told', () => {
    const bank = new RingOrderBank({ series: 1, window: 4, minPoints: 1 });
    const a = Float64Array.of(5, 1, 9, NaN);
    bank.push([a], 2);
    expect(bank.count(0)).toBe(3);
    expect(bank.median(0)).toBe(5);
    const b = Float64Array.of(NaN, NaN, NaN, 2);
    bank.push([b], 3);
    expect(bank.count(0)).toBe(1);
    expect(bank.median(0)).toBe(2);
    bank.push([null], 0);
    expect(bank.count(0)).toBe(0);
    expect(bank.median(0)).toBeNaN();
  });

  it('holds one byte a point up to W = 256 and two beyond, plus a count per series', () => {
    expect(new RingOrderBank({ series: 100, window: 240 }).byteLength).toBe(100 * 240 + 100 * 4);
    expect(new RingOrderBank({ series: 100, window: 720 }).byteLength).toBe(100 * 720 * 2 + 100 * 4);
  });

  it('keeps orders and rings when grown; new series start empty', () => {
    const bank = new RingOrderBank({ series: 2, window: 3, minPoints: 1 });
    const r0 = Float64Array.of(3, 1, 2);
    const r1 = Float64Array.of(10, NaN, 30);
    bank.push([r0, r1], 2);
    const grown = bank.grown(4);
    expect(grown.median(0)).toBe(2);
    expect(grown.median(1)).toBe(20);
    expect(grown.count(3)).toBe(0);
    r0[0] = 7; // the next step writes index 0
    grown.push([r0, r1], 0);
    expect(grown.median(0)).toBe(2);
    expect(grown.count(0)).toBe(3);
  });
});
