// Lead/lag of a pair: the shift in [−maxLag, maxLag] steps at which their cross-correlation is
// strongest (the sample cross-correlation function, Box & Jenkins, "Time Series Analysis", §11.1).
import { pearsonPairwise } from './pearson-pair.js';

export interface LeadLag {
  /**
   * Steps by which x leads y: y[t + lag] follows x[t]. Positive: x leads; negative: y leads;
   * 0: simultaneous. Multiply by the analysis step for seconds.
   */
  readonly lag: number;
  /** Pearson r at that lag, in [−1, 1]. */
  readonly r: number;
}

export interface LeadLagOptions {
  /** Least common points at a lag; default half of (window − maxLag), at least 3. */
  readonly minOverlap?: number;
  /**
   * Correlate first differences instead of levels. Levels of smooth or trending series correlate
   * at every lag (a broad peak); differences show when changes happen. Default false.
   */
  readonly difference?: boolean;
}

/** Ties closer than this count as equal, and the smaller |lag| wins. */
const TIE = 1e-12;

/**
 * The lag maximising |r| (an inverse relation with a delay is still a lead), or null when no lag
 * has a defined r. O(W·(2·maxLag + 1)): meant for the strongest pairs, not all N² of them.
 */
export function leadLag(x: ArrayLike<number>, y: ArrayLike<number>, maxLag: number, options: LeadLagOptions = {}): LeadLag | null {
  const differenced = options.difference === true;
  // Differencing leaves the first step a gap in both: drop it, so complete series stay complete.
  const a = differenced ? differences(x).subarray(1) : x;
  const b = differenced ? differences(y).subarray(1) : y;
  const w = Math.min(a.length, b.length);
  const span = Math.max(0, Math.min(Math.floor(maxLag), w - 2));
  const minOverlap = Math.max(2, options.minOverlap ?? Math.max(3, Math.ceil((w - span) / 2)));
  const cx = centred(a, w);
  const cy = centred(b, w);
  if (cx !== null && cy !== null) return completeLeadLag(cx, cy, span, minOverlap);
  let best: LeadLag | null = null;
  // Visit lags by increasing |lag| (0, 1, −1, 2, −2, …) so a tie keeps the smallest shift.
  for (let step = 0; step <= 2 * span; step += 1) {
    const lag = lagAt(step);
    const r = pearsonPairwise(a, b, minOverlap, lag);
    if (r !== r) continue;
    if (best === null || Math.abs(r) > Math.abs(best.r) + TIE) best = { lag, r };
  }
  return best;
}

/** 0, 1, −1, 2, −2, … */
function lagAt(step: number): number {
  return step === 0 ? 0 : step % 2 === 1 ? (step + 1) / 2 : -step / 2;
}

/** Relative spread below which an overlap counts as constant (rounding noise, not data). */
const CONSTANT_TOLERANCE = 1e-12;

/**
 * Gap-free series: centred once, then each lag costs one pass for Σx·y, the other sums coming
 * from prefix sums over the overlap. O(W) per lag instead of three passes.
 */
function completeLeadLag(cx: Float64Array, cy: Float64Array, span: number, minOverlap: number): LeadLag | null {
  const w = cx.length;
  const px = prefix(cx, false);
  const qx = prefix(cx, true);
  const py = prefix(cy, false);
  const qy = prefix(cy, true);
  let best: LeadLag | null = null;
  for (let step = 0; step <= 2 * span; step += 1) {
    const lag = lagAt(step);
    const s = Math.max(0, -lag);
    const e = Math.min(w, w - lag);
    const n = e - s;
    if (n < minOverlap) continue;
    const sx = (px[e] as number) - (px[s] as number);
    const sxx = (qx[e] as number) - (qx[s] as number);
    const sy = (py[e + lag] as number) - (py[s + lag] as number);
    const syy = (qy[e + lag] as number) - (qy[s + lag] as number);
    const vx = sxx - (sx * sx) / n;
    const vy = syy - (sy * sy) / n;
    if (!(vx > CONSTANT_TOLERANCE * sxx) || !(vy > CONSTANT_TOLERANCE * syy)) continue;
    let sxy = 0;
    for (let t = s; t < e; t += 1) sxy += (cx[t] as number) * (cy[t + lag] as number);
    const r = Math.min(1, Math.max(-1, (sxy - (sx * sy) / n) / (Math.sqrt(vx) * Math.sqrt(vy))));
    if (best === null || Math.abs(r) > Math.abs(best.r) + TIE) best = { lag, r };
  }
  return best;
}

/** p[k] = Σ_{t<k} v_t (or v_t²). */
function prefix(v: Float64Array, squares: boolean): Float64Array {
  const p = new Float64Array(v.length + 1);
  for (let t = 0; t < v.length; t += 1) p[t + 1] = (p[t] as number) + (squares ? (v[t] as number) * (v[t] as number) : (v[t] as number));
  return p;
}

/** The first w values minus their mean, or null when one of them is not finite or all are equal. */
function centred(v: ArrayLike<number>, w: number): Float64Array | null {
  if (w === 0) return null;
  const first = v[0] as number;
  let sum = 0;
  let varies = false;
  for (let t = 0; t < w; t += 1) {
    const x = v[t] as number;
    if (!Number.isFinite(x)) return null;
    if (x !== first) varies = true;
    sum += x - first;
  }
  if (!varies) return null;
  const mean = sum / w;
  const out = new Float64Array(w);
  for (let t = 0; t < w; t += 1) out[t] = (v[t] as number) - first - mean;
  return out;
}

/** d[t] = x[t] − x[t − 1], with d[0] a gap. */
function differences(x: ArrayLike<number>): Float64Array {
  const d = new Float64Array(x.length);
  d[0] = NaN;
  for (let t = 1; t < x.length; t += 1) d[t] = (x[t] as number) - (x[t - 1] as number);
  return d;
}
