// Small reads over aligned window rings used by the analysis cycle: chronological copies and
// order-free summaries, with caller-owned scratch buffers so a cycle allocates nothing per agent.
import type { AlignedWindows } from '../store/aligned-windows.js';

/** Chronological copy of a series' filled window, NaN-filled when the series does not exist (allocates). */
export function seriesOf(windows: AlignedWindows, metric: string, agent: string): Float64Array {
  return windows.view(metric, agent) ? windows.chronological(metric, agent) : new Float64Array(windows.filled).fill(Number.NaN);
}

/**
 * Chronological copy of a series' filled window into `scratch` (length ≥ windows.capacity); a view of
 * `filled` points, NaN where there is no series. Valid until the scratch is reused.
 */
export function chronologicalInto(windows: AlignedWindows, metric: string, agent: string, scratch: Float64Array): Float64Array {
  return windows.chronological(metric, agent, scratch);
}

/**
 * The store's ring of a series, or `missing` (an all-NaN ring) when there is none, cut to the steps
 * written so far. Every ring of a swarm shares one head, so ring order is the same for all of them:
 * fine for anything that does not depend on the order of the steps (means, medians, Pearson r).
 * While the window fills, the steps sit at ring indexes [0, filled) (writes start at 0), so the
 * unwritten tail is cut off instead of being read as gaps.
 */
export function ringOf(windows: AlignedWindows, metric: string, agent: string, missing: Float64Array): Float64Array {
  const ring = windows.seriesOf(metric).get(agent) ?? missing;
  return windows.filled < windows.capacity ? ring.subarray(0, windows.filled) : ring;
}

/** Whether `ringOf` answered with the `missing` ring (or a cut of it). */
export function isMissing(ring: Float64Array, missing: Float64Array): boolean {
  return ring.buffer === missing.buffer;
}

/** Mean of the finite points when there are at least `minPoints` (default 1) of them, else NaN. One pass. */
export function finiteMean(values: ArrayLike<number>, minPoints = 1): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) {
      sum += v;
      n += 1;
    }
  }
  return n === 0 || n < minPoints ? Number.NaN : sum / n;
}

/** Median of the finite points, NaN when there is none; `scratch` (length ≥ values.length) spares a copy. */
export function finiteMedian(values: ArrayLike<number>, scratch: Float64Array = new Float64Array(values.length)): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) scratch[n++] = v;
  }
  if (n === 0) return Number.NaN;
  const finite = scratch.subarray(0, n).sort();
  const h = n >> 1;
  return n % 2 === 1 ? (finite[h] ?? Number.NaN) : ((finite[h - 1] ?? 0) + (finite[h] ?? 0)) / 2;
}

/** Appends the finite points to `out`. */
export function pushFinite(values: ArrayLike<number>, out: number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? Number.NaN;
    if (Number.isFinite(v)) out.push(v);
  }
}

/** Number of finite points. */
export function finiteCount(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i] ?? Number.NaN)) n += 1;
  return n;
}

/**
 * Least-squares slope per step of a ring read in step order without copying it: while the window
 * fills the steps sit at [0, filled), afterwards the oldest is at `head`. Two-pass and centred like
 * analysis/linear-trend.ts (values relative to the first finite one, so offsets keep their
 * precision); NaN with fewer than 2 finite points.
 */
export function ringSlope(ring: Float64Array, head: number, filled: number): number {
  const w = ring.length;
  const start = filled < w ? 0 : head;
  let count = 0;
  let st = 0;
  let sy = 0;
  let first = Number.NaN;
  for (let t = 0; t < filled; t++) {
    const y = ring[(start + t) % w] ?? Number.NaN;
    if (!Number.isFinite(y)) continue;
    if (count === 0) first = y;
    count += 1;
    st += t;
    sy += y - first;
  }
  if (count < 2) return Number.NaN;
  const mt = st / count;
  const my = sy / count;
  let stt = 0;
  let sty = 0;
  for (let t = 0; t < filled; t++) {
    const y = ring[(start + t) % w] ?? Number.NaN;
    if (!Number.isFinite(y)) continue;
    const dt = t - mt;
    stt += dt * dt;
    sty += dt * (y - first - my);
  }
  return sty / stt;
}
