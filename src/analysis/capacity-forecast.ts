// From a load forecast to capacity decisions: when the swarm's load reaches its capacity (with an
// interval), and agents needed per type at a horizon, with a confidence taken from the forecast band.
// The scale-down stabilisation across steps lives in scaling-stabiliser.ts. See docs/analysis-scores.md.
import { holtPath, type HoltFit, type HoltForecast } from './holt.js';

export interface SaturationEstimate {
  /** Steps until the point forecast reaches capacity (real-valued); 0 when already there. */
  readonly steps: number;
  /** Earliest plausible: the first step whose 95 % band's upper edge reaches capacity. */
  readonly earliest: number;
  /** Latest plausible: the first step whose lower edge reaches it; undefined when not within reach. */
  readonly latest: number | undefined;
}

/**
 * When the forecast ℓ + (φ + … + φ^h)·b reaches `capacity`: 0 when the level is already there,
 * undefined when the fit is invalid, the trend is flat or falling, the damped trend levels off below
 * capacity, or it is reached only beyond `maxSteps` (a forecast is not served beyond the window).
 * The bounds come from the 95 % prediction band along the path, searched up to `maxSteps`.
 */
export function saturationEstimate(fit: HoltFit, capacity: number, maxSteps = Number.POSITIVE_INFINITY): SaturationEstimate | undefined {
  if (!fit.valid || !Number.isFinite(capacity)) return undefined;
  if (fit.level >= capacity) return { steps: 0, earliest: 0, latest: 0 };
  if (!(fit.trend > 0)) return undefined;
  const gap = capacity - fit.level;
  let steps: number;
  if (fit.phi === 1) {
    steps = gap / fit.trend;
  } else {
    // φ(1 − φ^h)/(1 − φ)·b = gap  ⇔  φ^h = 1 − gap(1 − φ)/(φb); no solution when the asymptote is below capacity.
    const arg = 1 - (gap * (1 - fit.phi)) / (fit.phi * fit.trend);
    if (!(arg > 0)) return undefined;
    steps = Math.log(arg) / Math.log(fit.phi);
  }
  if (!(steps <= maxSteps)) return undefined;
  const searchTo = Number.isFinite(maxSteps) ? Math.floor(maxSteps) : Math.max(1000, Math.ceil(4 * steps));
  let earliest = Math.ceil(steps);
  let latest: number | undefined;
  let seenEarliest = false;
  for (const f of holtPath(fit, searchTo)) {
    if (!seenEarliest && f.upper >= capacity) {
      earliest = Math.min(earliest, f.steps);
      seenEarliest = true;
    }
    if (f.lower >= capacity) {
      latest = f.steps;
      break;
    }
  }
  return { steps, earliest: Math.min(earliest, steps), latest: latest === undefined ? undefined : Math.max(latest, steps) };
}

/** Steps until saturation (saturationEstimate's point value), or undefined. */
export function saturationSteps(fit: HoltFit, capacity: number, maxSteps = Number.POSITIVE_INFINITY): number | undefined {
  return saturationEstimate(fit, capacity, maxSteps)?.steps;
}

/**
 * Confidence of a forecast in [0, 1]: 1 − (half-width of the 95 % band)/|forecast|, clamped.
 * 1 = the band is negligible next to the value; 0 = it is as wide as the value itself.
 */
export function forecastConfidence(forecast: HoltForecast): number {
  const half = (forecast.upper - forecast.lower) / 2;
  if (!Number.isFinite(half) || !Number.isFinite(forecast.mean)) return 0;
  if (half <= 0) return 1;
  const c = 1 - half / Math.max(Math.abs(forecast.mean), Number.MIN_VALUE);
  return c < 0 ? 0 : c > 1 ? 1 : c;
}

/** One agent type's current state. */
export interface AgentTypeLoad {
  readonly type: string;
  /** Agents of the type now. */
  readonly agents: number;
  /** Their total capacity (task slots). */
  readonly capacity: number;
  /** Their current load (sum of active tasks). */
  readonly load: number;
}

export interface ScalingRecommendation {
  readonly type: string;
  readonly current: number;
  /** Agents needed so the type's share of the forecast load, and its load now, run at the target utilisation. */
  readonly recommended: number;
  /** forecastConfidence of the forecast used; 0 when the type has no capacity data. */
  readonly confidence: number;
}

/** Default utilisation to plan for (analysis.scaling_target_utilization). */
export const DEFAULT_TARGET_UTILISATION = 0.7;

export interface RecommendOptions {
  /** Utilisation to plan for, in (0, 1]; default 0.7 (headroom: queueing delay grows as 1/(1 − U)). */
  readonly targetUtilisation?: number;
  /** Least agents per type that has any today; default 1. */
  readonly minAgents?: number;
}

/**
 * Agents per type: each type keeps its current share of the load (or of the capacity, when there is
 * no load yet) and needs ⌈share·forecast / (slots per agent · target)⌉ agents, and never fewer than
 * its own load now needs, ⌈load / (slots per agent · target)⌉. A type without agents or capacity
 * keeps its count at confidence 0.
 */
export function recommendAgents(
  types: readonly AgentTypeLoad[],
  forecast: HoltForecast,
  options: RecommendOptions = {},
): ScalingRecommendation[] {
  const target = Math.min(1, Math.max(Number.MIN_VALUE, options.targetUtilisation ?? DEFAULT_TARGET_UTILISATION));
  const minAgents = Math.max(0, options.minAgents ?? 1);
  const confidence = forecastConfidence(forecast);
  const demand = Math.max(0, forecast.mean);
  let totalLoad = 0;
  let totalCapacity = 0;
  for (const t of types) {
    if (t.agents > 0 && t.capacity > 0) {
      totalLoad += Math.max(0, t.load);
      totalCapacity += t.capacity;
    }
  }
  return types.map((t) => {
    if (!(t.agents > 0 && t.capacity > 0) || !Number.isFinite(demand))
      return { type: t.type, current: t.agents, recommended: t.agents, confidence: 0 };
    const share = totalLoad > 0 ? Math.max(0, t.load) / totalLoad : t.capacity / totalCapacity;
    const perAgent = t.capacity / t.agents;
    // The 1e-9 keeps an exact fit (e.g. 12 / (5·0.8) = 3) from rounding up on floating-point dust.
    const ahead = Math.ceil((share * demand) / (perAgent * target) - 1e-9);
    const now = Math.ceil(Math.max(0, t.load) / (perAgent * target) - 1e-9);
    return { type: t.type, current: t.agents, recommended: Math.max(minAgents, ahead, now), confidence };
  });
}
