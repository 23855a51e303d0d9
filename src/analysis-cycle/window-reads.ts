// Small reads over aligned window rings used by the analysis cycle: chronological copies and summaries.
import type { AlignedWindows } from '../store/aligned-windows.js';

/** Chronological copy of a series' filled window, NaN-filled when the series does not exist. */
export function seriesOf(windows: AlignedWindows, metric: string, agent: string): Float64Array {
  return windows.view(metric, agent) ? windows.chronological(metric, agent) : new Float64Array(windows.filled).fill(Number.NaN);
}

/** Mean of the finite points, NaN when there is none. */
export function finiteMean(values: ArrayLike<number>): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) {
      sum += v;
      n += 1;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}

/** Median of the finite points, NaN when there is none. */
export function finiteMedian(values: ArrayLike<number>): number {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) finite.push(v);
  }
  if (finite.length === 0) return Number.NaN;
  finite.sort((a, b) => a - b);
  const h = finite.length >> 1;
  return finite.length % 2 === 1 ? (finite[h] ?? Number.NaN) : ((finite[h - 1] ?? 0) + (finite[h] ?? 0)) / 2;
}

/** Appends the finite points to `out`. */
export function pushFinite(values: ArrayLike<number>, out: number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) out.push(v);
  }
}
