import { describe, expect, it } from 'vitest';
import { linearTrend } from '../../src/analysis/linear-trend.js';
import { finiteMean, ringOf, ringSlope } from '../../src/analysis-cycle/window-reads.js';
import { AlignedWindows } from '../../src/store/aligned-windows.js';
import { seeded } from '../analysis/support/random.js';

/** A window of capacity 12 after `steps` steps of a trend with noise, gaps and a 1e9 offset. */
function windowAfter(steps: number): AlignedWindows {
  const windows = new AlignedWindows(12);
  windows.ensure('queue_depth', 'a');
  const rng = seeded(steps);
  for (let t = 0; t < steps; t += 1) windows.advance(() => (t % 5 === 3 ? Number.NaN : 1e9 + 0.7 * t + rng.gauss()));
  return windows;
}

describe('ring reads without copies', () => {
  it.each([1, 2, 5, 11, 12, 13, 30, 31])('gives the same slope as the kernel on the chronological copy after %i steps', (steps) => {
    const windows = windowAfter(steps);
    const view = windows.view('queue_depth', 'a');
    if (view === undefined) throw new Error('no series');
    const expected = linearTrend(windows.chronological('queue_depth', 'a')).slope;
    const slope = ringSlope(view.values, view.head, view.filled);
    if (Number.isNaN(expected)) expect(slope).toBeNaN();
    else expect(slope).toBeCloseTo(expected, 9);
  });

  it('cuts a filling ring to the steps written, so the unwritten tail is not read as gaps', () => {
    const windows = windowAfter(5);
    const missing = new Float64Array(12).fill(Number.NaN);
    expect(ringOf(windows, 'queue_depth', 'a', missing)).toHaveLength(5);
    expect(ringOf(windows, 'queue_depth', 'nobody', missing)).toHaveLength(5);
    expect(ringOf(windowAfter(20), 'queue_depth', 'a', missing)).toHaveLength(12);
  });

  it('takes a mean only with enough finite points', () => {
    expect(finiteMean([1, Number.NaN, 3], 2)).toBe(2);
    expect(finiteMean([1, Number.NaN, 3], 3)).toBeNaN();
    expect(finiteMean([], 0)).toBeNaN();
  });
});
