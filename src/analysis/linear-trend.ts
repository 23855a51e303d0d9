// Ordinary least-squares line through a window against its step index (t = 0 … W−1): the slope
// says how fast a level (queue depth, load) grows per step.

export interface LinearTrend {
  /** Change per step (value units per step); NaN with fewer than 2 finite points. */
  readonly slope: number;
  /** Fitted value at the last step (t = W − 1). */
  readonly last: number;
  /** Finite points used. */
  readonly count: number;
}

/** Least-squares slope over the finite points (two-pass, centred on the means). O(W). */
export function linearTrend(values: ArrayLike<number>): LinearTrend {
  const w = values.length;
  let count = 0;
  let st = 0;
  let sy = 0;
  let first = NaN;
  for (let t = 0; t < w; t += 1) {
    const y = values[t] as number;
    if (!Number.isFinite(y)) continue;
    if (count === 0) first = y;
    count += 1;
    st += t;
    sy += y - first; // relative to the first point, so offsets keep their precision
  }
  if (count < 2) return { slope: NaN, last: count === 1 ? first : NaN, count };
  const mt = st / count;
  const my = sy / count;
  let stt = 0;
  let sty = 0;
  for (let t = 0; t < w; t += 1) {
    const y = values[t] as number;
    if (!Number.isFinite(y)) continue;
    const dt = t - mt;
    stt += dt * dt;
    sty += dt * (y - first - my);
  }
  const slope = sty / stt;
  return { slope, last: first + my + slope * (w - 1 - mt), count };
}
