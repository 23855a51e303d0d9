import { describe, expect, it } from 'vitest';
import { AlignedWindows } from '../../src/store/aligned-windows.js';
import { RingSlab } from '../../src/store/ring-slab.js';

describe('RingSlab', () => {
  it('hands out NaN-filled cells of the given width that do not overlap', () => {
    const slab = new RingSlab(5, 4);
    const cells = Array.from({ length: 10 }, () => slab.take());
    cells.forEach((c, k) => {
      expect(c.values.length).toBe(5);
      expect(c.ages.length).toBe(5);
      expect([...c.values].every(Number.isNaN)).toBe(true);
      c.values.fill(k);
      c.ages.fill(k);
    });
    cells.forEach((c, k) => {
      expect([...c.values]).toEqual([k, k, k, k, k]);
      expect([...c.ages]).toEqual([k, k, k, k, k]);
    });
    expect(slab.chunkCount).toBe(3);
  });

  it('reuses a released cell only after settle(), NaN-filled again', () => {
    const slab = new RingSlab(3, 2);
    const a = slab.take();
    a.values.fill(7);
    slab.release(a);
    const b = slab.take();
    expect(b.values).not.toBe(a.values);
    expect([...a.values]).toEqual([7, 7, 7]);
    slab.settle();
    const c = slab.take();
    expect(c.values).toBe(a.values);
    expect([...c.values].every(Number.isNaN)).toBe(true);
  });

  it('drops chunks left empty by a shrinking swarm, keeping one spare', () => {
    const slab = new RingSlab(240, 64);
    const cells = Array.from({ length: 640 }, () => slab.take());
    expect(slab.chunkCount).toBe(10);
    for (const c of cells.slice(64)) slab.release(c);
    slab.settle();
    expect(slab.chunkCount).toBe(2);
    expect(slab.byteLength).toBe(2 * 64 * 240 * 12);
    // The spare chunk serves the next takers without a new allocation.
    for (let k = 0; k < 64; k += 1) slab.take();
    expect(slab.chunkCount).toBe(2);
    cells.slice(0, 64).forEach((c) => expect(c.values.length).toBe(240));
  });
});

describe('AlignedWindows over a ring slab', () => {
  it('a series that replaces a removed one starts as gaps, and the removed ring is untouched until the next step', () => {
    const w = new AlignedWindows(4, { stepMs: 1000, newestEnd: 0, carryForward: 0 });
    w.ensure('cpu', 'a');
    w.advance(() => 0.5, 1000);
    const old = w.seriesOf('cpu').get('a');
    w.removeAgent('a');
    w.ensure('cpu', 'b');
    expect([...(old ?? [])]).toEqual([0.5, NaN, NaN, NaN]);
    w.advance(() => 0.25, 2000);
    w.ensure('cpu', 'c');
    expect(w.chronological('cpu', 'c').every(Number.isNaN)).toBe(true);
    expect([...w.chronological('cpu', 'b')]).toEqual([NaN, 0.25]);
  });

  it('keeps every series its own values through churn (joins, leaves, reuse) over many steps', () => {
    const width = 6;
    const w = new AlignedWindows(width, { stepMs: 1000, newestEnd: 0, carryForward: 0 });
    const expected = new Map<string, number[]>();
    let next = 0;
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let step = 1; step <= 300; step += 1) {
      for (const id of [...expected.keys()]) {
        if (rand() < 0.1) {
          w.removeAgent(id);
          expected.delete(id);
        }
      }
      while (expected.size < 90 && rand() < 0.9) {
        const id = `agent-${next++}`;
        w.ensure('m', id);
        expected.set(
          id,
          Array.from({ length: Math.min(step - 1, width) }, () => NaN),
        );
      }
      const value = (id: string): number => (rand() < 0.05 ? NaN : Number(id.slice(6)) * 1000 + step);
      const written = new Map<string, number>();
      w.advance((_, id) => {
        const x = value(id);
        written.set(id, x);
        return x;
      }, step * 1000);
      for (const [id, row] of expected) {
        row.push(written.get(id) ?? NaN);
        if (row.length > width) row.shift();
      }
      for (const [id, row] of expected) expect([...w.chronological('m', id)]).toEqual(row);
    }
  });
});
