import { describe, expect, it } from 'vitest';
import { AlignedWindows } from '../../src/store/aligned-windows.js';

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
    expect(view?.values[((view.head - 1) + 4) % 4]).toBe(6);
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
});
