// Centring and scaling of one window to unit length, the first step of the matrix-product form
// of Pearson's r: with z = (x − x̄)/‖x − x̄‖, r_ij = Σ_t z_it·z_jt.

/** What normaliseRow found (a number, not an object: it runs for every row of every cycle). */
export const ROW_INVALID = 0;
export const ROW_COMPLETE = 1;
export const ROW_GAPPED = 2;
export type RowState = typeof ROW_INVALID | typeof ROW_COMPLETE | typeof ROW_GAPPED;

/**
 * Writes z = (x − x̄)/‖x − x̄‖ (0 at gaps) at z[offset…]. Returns ROW_INVALID (and leaves zeros)
 * when the row has fewer than `minOverlap` points or is constant on them, else ROW_COMPLETE or
 * ROW_GAPPED (it has gaps).
 */
export function normaliseRow(row: ArrayLike<number>, minOverlap: number, z: Float64Array, offset: number): RowState {
  const w = row.length;
  let count = 0;
  let sum = 0;
  let first = NaN;
  let varies = false;
  // Values are taken relative to the first one: x − x₀ is exact for nearby values (Sterbenz), so
  // the mean of a 1e12-offset series is known to the precision of its noise, not of 1e12.
  for (let t = 0; t < w; t += 1) {
    const x = row[t] as number;
    if (!Number.isFinite(x)) continue;
    if (count === 0) first = x;
    else if (x !== first) varies = true;
    count += 1;
    sum += x - first;
  }
  if (count < minOverlap || !varies) {
    for (let t = 0; t < w; t += 1) z[offset + t] = 0;
    return ROW_INVALID;
  }
  // Corrected two-pass (Chan, Golub & LeVeque 1983): Σ(d − c/n)² = Σd² − c²/n with c = Σd.
  let mean = sum / count;
  let c = 0;
  let ss = 0;
  for (let t = 0; t < w; t += 1) {
    const x = row[t] as number;
    if (!Number.isFinite(x)) continue;
    const d = x - first - mean;
    c += d;
    ss += d * d;
  }
  ss -= (c * c) / count;
  mean += c / count;
  if (!(ss > 0) || !Number.isFinite(ss)) {
    for (let t = 0; t < w; t += 1) z[offset + t] = 0;
    return ROW_INVALID;
  }
  const scale = 1 / Math.sqrt(ss);
  for (let t = 0; t < w; t += 1) {
    const x = row[t] as number;
    z[offset + t] = Number.isFinite(x) ? (x - first - mean) * scale : 0;
  }
  return count < w ? ROW_GAPPED : ROW_COMPLETE;
}
