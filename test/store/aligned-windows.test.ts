import { describe, expect, it } from 'vitest';
import { AlignedWindows } from '../../src/store/aligned-windows.js';
import { holdOpen } from '../../src/store/ring-slab.js';

describe('aligned windows', () => {
  it('keeps the last W points oldest to newest with one shared head', () => {
    const w = new AlignedWindows(4);
    w.ensure('cpu', 'a');
    w.ensure('cpu', 'b');
    for (let t = 1; t <= 6; t++) w.advance((_m, agent) => (agent === 'a' ? t : 10 * t));
    expect([...w.chronological('cpu', 'a')]).toEqual([3, 4, 5, 6]);
    expect([...w.chronological('cpu', 'b')]).toEqual([30, 40, 50, 60]);
    expect(w.latest('cpu', 'a')).toBe(6);
    expect(w.filled).toBe(4);
    expect(w.stepCount).toBe(6);
    const view = w.view('cpu', 'a');
    expect(view?.values[(view.head - 1 + 4) % 4]).toBe(6);
  });

  it('starts a series created mid-window with gaps', () => {
    const w = new AlignedWindows(5);
    w.ensure('cpu', 'a');
    w.advance(() => 1);
    w.advance(() => 2);
    w.ensure('cpu', 'late');
    w.advance(() => 3);
    expect([...w.chronological('cpu', 'late')]).toEqual([Number.NaN, Number.NaN, 3]);
    expect([...w.chronological('cpu', 'a')]).toEqual([1, 2, 3]);
  });

  it('closes each series with the newest observation held in its cell, consumes it, and hands a reused cell out empty', () => {
    const w = new AlignedWindows(4, { stepMs: 1000, newestEnd: 10_000, carryForward: 0 });
    const a = w.ensure('cpu', 'a');
    const b = w.ensure('cpu', 'b');
    expect(w.ensure('cpu', 'a')).toBe(a);
    holdOpen(a, 1, 10_400);
    holdOpen(a, 2, 10_900);
    holdOpen(a, 3, 10_200); // older than what is held: ignored
    w.advance(undefined, 11_000);
    expect(w.latest('cpu', 'a')).toBe(2);
    expect(w.observedLatest('cpu', 'a')).toBe(true);
    expect(Number.isNaN(w.latest('cpu', 'b'))).toBe(true);
    // Nothing held for the next step: a gap (carry_forward 0), not the consumed value again.
    w.advance(undefined, 12_000);
    expect(Number.isNaN(w.latest('cpu', 'a'))).toBe(true);
    holdOpen(b, 7, 12_500);
    w.remove('cpu', 'b');
    w.advance(undefined, 13_000); // settles the released cell
    const reused = w.ensure('cpu', 'c');
    expect(reused).toBe(b);
    expect(reused.open).toBeNaN();
    w.advance(undefined, 14_000);
    expect(Number.isNaN(w.latest('cpu', 'c'))).toBe(true);
  });

  it('records NaN for a gap and drops every series of a removed agent', () => {
    const w = new AlignedWindows(3);
    w.ensure('cpu', 'a');
    w.ensure('mem', 'a');
    w.advance(() => Number.NaN);
    expect(Number.isNaN(w.latest('cpu', 'a'))).toBe(true);
    w.removeAgent('a');
    expect(w.view('cpu', 'a')).toBeUndefined();
    expect([...w.metrics()]).toEqual([]);
  });

  it('refuses a capacity below two points', () => {
    expect(() => new AlignedWindows(1)).toThrow(/integer >= 2/);
  });

  describe('keyed by time', () => {
    const timing = { stepMs: 1000, newestEnd: 10_000, carryForward: 1 };

    it('writes a sample into the closed step its timestamp names; the newest observation of a step wins whatever the arrival order', () => {
      const w = new AlignedWindows(6, timing);
      expect(w.writePast('cpu', 'a', 9_500, 1)).toBe('written'); // step (9 s, 10 s]
      expect(w.writePast('cpu', 'a', 7_001, 2)).toBe('written'); // step (7 s, 8 s]
      expect(w.writePast('cpu', 'a', 9_200, 3)).toBe('superseded'); // older than 9.5 s in the same step
      expect(w.writePast('cpu', 'a', 10_000, 4)).toBe('written'); // newer, same step: replaces 1
      expect(w.filled).toBe(3);
      expect([...w.chronological('cpu', 'a')]).toEqual([2, 2, 4]); // (8 s, 9 s] holds 2 for one step
      expect(w.writePast('cpu', 'a', 4_001, 5)).toBe('written'); // the oldest step kept: (4 s, 5 s]
      expect(w.writePast('cpu', 'a', 4_001, 6)).toBe('written'); // a tie: the later arrival
      expect(w.writePast('cpu', 'a', 4_000, 7)).toBe('too-old'); // before it
      expect([...w.chronological('cpu', 'a')]).toEqual([6, 6, Number.NaN, 2, 2, 4]);
    });

    it('keeps a filling window at [0, filled) after a backward extension, and logs it as an overflow', () => {
      const w = new AlignedWindows(8, timing);
      w.ensure('cpu', 'a');
      w.advance(() => 1, 11_000);
      w.advance(() => 2, 12_000);
      expect(w.drainRevisions()).toMatchObject({ overflow: false, cells: [] });
      w.writePast('cpu', 'a', 8_500, 9);
      expect(w.drainRevisions().overflow).toBe(true);
      expect(w.filled).toBe(4);
      const view = w.view('cpu', 'a');
      expect(view?.head).toBe(4);
      expect([...(view?.values.subarray(0, 4) ?? [])]).toEqual([...w.chronological('cpu', 'a')]);
      expect([...w.chronological('cpu', 'a')]).toEqual([9, 9, 1, 2]);
      expect(w.newestEnd).toBe(12_000);
      expect(w.writePast('cpu', 'a', 11_000, 3)).toBe('written'); // the steps still know their times
    });

    it('logs each rewritten closed cell, and the carries that follow from it', () => {
      const w = new AlignedWindows(8, timing);
      w.ensure('cpu', 'a');
      w.advance(() => 1, 11_000);
      w.advance(() => Number.NaN, 12_000); // held: 1
      w.advance(() => Number.NaN, 13_000); // beyond the hold: a gap
      expect([...w.chronological('cpu', 'a')]).toEqual([1, 1, Number.NaN]);
      w.writePast('cpu', 'a', 11_700, 5);
      expect([...w.chronological('cpu', 'a')]).toEqual([1, 5, 5]);
      const batch = w.drainRevisions();
      expect(batch.overflow).toBe(false);
      expect(batch.cells.map((c) => [c.previous, c.value])).toEqual([
        [1, 5],
        [Number.NaN, 5],
      ]);
      expect(w.drainRevisions().cells).toEqual([]);
    });

    it('spans a late cycle with one step, and later samples of it land there', () => {
      const w = new AlignedWindows(8, timing);
      w.ensure('cpu', 'a');
      w.advance(() => 1, 11_000);
      w.advance(() => 2, 14_000); // the cycle ran 3 s late: (11 s, 14 s] is one step
      expect(w.writePast('cpu', 'a', 11_500, 7)).toBe('superseded'); // observedAt defaults to the end
      expect(w.writePast('cpu', 'a', 10_500, 6)).toBe('superseded'); // (10 s, 11 s] was observed at 11 s
      expect(w.writePast('cpu', 'a', 11_000, 8)).toBe('written');
      expect([...w.chronological('cpu', 'a')]).toEqual([8, 2]);
    });
  });
});
