// From a load forecast to capacity decisions: time until the swarm's load reaches its capacity,
// and agents needed per type at a horizon, with a confidence taken from the forecast band.
import type { HoltFit, HoltForecast } from './holt.js';

/**
 * Steps until the trend line ℓ + h·b reaches `capacity`: 0 when the level is already there,
 * undefined when the fit is invalid or the trend is flat or falling (never). Multiply by the
 * step for seconds.
 */
export function saturationSteps(fit: HoltFit, capacity: number): number | undefined {
  if (!fit.valid || !Number.isFinite(capacity)) return undefined;
  if (fit.level >= capacity) return 0;
  if (!(fit.trend > 0)) return undefined;
  return (capacity - fit.level) / fit.trend;
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
  /** Agents needed so the type's share of the forecast load runs at the target utilisation. */
  readonly recommended: number;
  /** forecastConfidence of the forecast used; 0 when the type has no capacity data. */
  readonly confidence: number;
}

export interface RecommendOptions {
  /** Utilisation to plan for, in (0, 1]; default 0.8 (headroom: queueing delay grows as 1/(1 − U)). */
  readonly targetUtilisation?: number;
  /** Least agents per type that has any today; default 1. */
  readonly minAgents?: number;
}

/**
 * Agents per type for the forecast swarm load: each type keeps its current share of the load
 * (or of the capacity, when there is no load yet) and needs ⌈share·load / (slots per agent ·
 * target)⌉ agents. A type without agents or capacity keeps its count at confidence 0.
 */
export function recommendAgents(types: readonly AgentTypeLoad[], forecast: HoltForecast, options: RecommendOptions = {}): ScalingRecommendation[] {
  const target = Math.min(1, Math.max(Number.MIN_VALUE, options.targetUtilisation ?? 0.8));
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
    if (!(t.agents > 0 && t.capacity > 0) || !Number.isFinite(demand)) return { type: t.type, current: t.agents, recommended: t.agents, confidence: 0 };
    const share = totalLoad > 0 ? Math.max(0, t.load) / totalLoad : t.capacity / totalCapacity;
    const perAgent = t.capacity / t.agents;
    const needed = Math.ceil((share * demand) / (perAgent * target) - 1e-9);
    return { type: t.type, current: t.agents, recommended: Math.max(minAgents, needed), confidence };
  });
}
