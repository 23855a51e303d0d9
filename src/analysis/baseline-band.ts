// Each agent's learned normal for one metric: a robust band (centre ± z·spread) from its own long
// history, by hour of day when the history shows a daily pattern. Pure: points in, band out.
//
// Centre = median, spread = 1.4826·MAD (consistent for the standard deviation under normality,
// Rousseeuw & Croux 1993), band = centre ± 1.96·spread: a 95 % band for Gaussian noise. Seasonal
// (hour of day, UTC) when the history spans at least SEASONAL_MIN_DAYS days and the hour-of-day
// medians explain at least SEASONAL_MIN_EXPLAINED of the robust variance:
//   explained = 1 − (MAD of the residuals after removing each hour's median)² / (MAD of the values)².
// A seasonal centre is the hour medians interpolated linearly between the hours' midpoints (so a
// daily curve is not a staircase whose steps would widen every hour's spread), and its spread the
// MAD of that hour's residuals from it (pooled over all hours when an hour has fewer than
// MIN_POINTS_PER_HOUR points).

export interface TimedValue {
  /** Milliseconds since the epoch. */
  readonly t: number;
  readonly value: number;
}

export interface BaselineBand {
  readonly lower: number;
  readonly center: number;
  readonly upper: number;
  /** Robust standard deviation (1.4826·MAD) the band was built from; 0 for a constant history. */
  readonly spread: number;
}

export interface BaselineProfile {
  /** True when the bands follow the hour of day. */
  readonly seasonal: boolean;
  /** Share of the robust variance the hour-of-day profile explains (0 when not computed). */
  readonly explained: number;
  /** Points the profile was learned from. */
  readonly points: number;
  /** One band (not seasonal) or 24 (index = UTC hour). */
  readonly bands: readonly BaselineBand[];
}

/** Gaussian 97.5 % quantile: centre ± Z·spread holds 95 % of normal noise. */
export const BAND_Z = 1.959963984540054;
const MAD_TO_SD = 1.482602218505602;
export const SEASONAL_MIN_DAYS = 3;
export const SEASONAL_MIN_EXPLAINED = 0.3;
export const MIN_POINTS = 12;
/** An hour gets a spread of its own only with this many points: the MAD of fewer is too noisy, and
 * a noisy spread under-covers on average (coverage is concave in the spread). */
const MIN_POINTS_PER_HOUR = 100;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Learns the profile from a history; undefined with fewer than MIN_POINTS finite points. */
export function learnBaseline(history: readonly TimedValue[]): BaselineProfile | undefined {
  const points = history.filter((p) => Number.isFinite(p.value) && Number.isFinite(p.t));
  if (points.length < MIN_POINTS) return undefined;
  const values = points.map((p) => p.value);
  const center = median(values);
  const spread = MAD_TO_SD * median(values.map((v) => Math.abs(v - center)));
  const flat: BaselineProfile = { seasonal: false, explained: 0, points: points.length, bands: [band(center, spread)] };

  let first = Infinity;
  let last = -Infinity;
  for (const p of points) {
    first = Math.min(first, p.t);
    last = Math.max(last, p.t);
  }
  if (last - first < SEASONAL_MIN_DAYS * DAY_MS || !(spread > 0)) return flat;

  const byHour: number[][] = Array.from({ length: 24 }, () => []);
  for (const p of points) (byHour[hourOf(p.t)] as number[]).push(p.value);
  if (byHour.some((h) => h.length === 0)) return flat;
  const hourCenters = byHour.map((h) => median(h));
  const residualsByHour: number[][] = Array.from({ length: 24 }, () => []);
  for (const p of points) (residualsByHour[hourOf(p.t)] as number[]).push(p.value - interpolated(hourCenters, p.t));
  const pooled = residualsByHour.flat();
  const pooledCenter = median(pooled);
  const pooledSpread = MAD_TO_SD * median(pooled.map((r) => Math.abs(r - pooledCenter)));
  const explained = 1 - (pooledSpread / spread) ** 2;
  if (explained < SEASONAL_MIN_EXPLAINED) return { ...flat, explained };

  const bands = residualsByHour.map((residuals, hour) => {
    const c = hourCenters[hour] as number;
    if (residuals.length < MIN_POINTS_PER_HOUR) return band(c, pooledSpread);
    const rc = median(residuals);
    return band(c, MAD_TO_SD * median(residuals.map((r) => Math.abs(r - rc))));
  });
  return { seasonal: true, explained, points: points.length, bands };
}

/** The band in force at time `t` (ms): a seasonal centre interpolated between hour midpoints. */
export function bandAt(profile: BaselineProfile, t: number): BaselineBand {
  const flat = profile.bands[0] as BaselineBand;
  if (!profile.seasonal) return flat;
  const own = profile.bands[hourOf(t)] ?? flat;
  return band(
    interpolated(
      profile.bands.map((b) => b.center),
      t,
    ),
    own.spread,
  );
}

/** Linear interpolation of 24 hour values placed at the hours' midpoints, wrapping at midnight. */
function interpolated(hourValues: readonly number[], t: number): number {
  const hours = (((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS - 0.5;
  const lo = Math.floor(hours);
  const frac = hours - lo;
  const a = hourValues[(lo + 24) % 24] as number;
  const b = hourValues[(lo + 25) % 24] as number;
  return a + frac * (b - a);
}

/** How many spreads `value` lies from the band's centre (signed); NaN for a constant history. */
export function deviationInSpreads(b: BaselineBand, value: number): number {
  return b.spread > 0 ? (value - b.center) / b.spread : Number.NaN;
}

function band(center: number, spread: number): BaselineBand {
  return { lower: center - BAND_Z * spread, center, upper: center + BAND_Z * spread, spread };
}

function hourOf(t: number): number {
  return Math.floor((((t % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

function median(values: readonly number[]): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  const h = n >> 1;
  return n % 2 === 1 ? (s[h] as number) : ((s[h - 1] as number) + (s[h] as number)) / 2;
}
