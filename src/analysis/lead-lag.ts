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
  const a = options.difference === true ? differences(x) : x;
  const b = options.difference === true ? differences(y) : y;
  const w = Math.min(a.length, b.length);
  const span = Math.max(0, Math.min(Math.floor(maxLag), w - 2));
  const minOverlap = options.minOverlap ?? Math.max(3, Math.ceil((w - span) / 2));
  let best: LeadLag | null = null;
  // Visit lags by increasing |lag| (0, 1, −1, 2, −2, …) so a tie keeps the smallest shift.
  for (let step = 0; step <= 2 * span; step += 1) {
    const lag = step === 0 ? 0 : step % 2 === 1 ? (step + 1) / 2 : -step / 2;
    const r = pearsonPairwise(a, b, minOverlap, lag);
    if (r !== r) continue;
    if (best === null || Math.abs(r) > Math.abs(best.r) + TIE) best = { lag, r };
  }
  return best;
}

/** d[t] = x[t] − x[t − 1], with d[0] a gap. */
function differences(x: ArrayLike<number>): Float64Array {
  const d = new Float64Array(x.length);
  d[0] = NaN;
  for (let t = 1; t < x.length; t += 1) d[t] = (x[t] as number) - (x[t - 1] as number);
  return d;
}
