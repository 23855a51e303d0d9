// Load forecast of one swarm: Holt's linear smoothing of total active tasks, saturation against total
// capacity, and agents needed per type (kernels in analysis/holt.ts and analysis/capacity-forecast.ts).
import { fitHolt, holtForecast } from '../analysis/holt.js';
import { recommendAgents, saturationSteps, type AgentTypeLoad } from '../analysis/capacity-forecast.js';
import { formatDuration } from '../config/duration.js';
import type { Forecast } from './swarm-analysis.js';

export interface ForecastInputs {
  /** Swarm load per step (sum of active tasks), chronological; NaN where no agent reported. */
  readonly load: ArrayLike<number>;
  readonly stepMs: number;
  readonly horizonsMs: readonly number[];
  /** Per type: agents up now, their capacity and load. */
  readonly types: readonly AgentTypeLoad[];
}

/** A forecast needs this many finite points (and at least a quarter of the window). */
export const MIN_FORECAST_POINTS = 10;

export function swarmForecast(inputs: ForecastInputs): Forecast {
  const capacity = inputs.types.reduce((sum, t) => sum + t.capacity, 0);
  const loadNow = inputs.types.reduce((sum, t) => sum + t.load, 0);
  const hasCapacity = capacity > 0;
  const fit = fitHolt(inputs.load, { minPoints: Math.max(MIN_FORECAST_POINTS, Math.ceil(inputs.load.length / 4)) });
  if (!fit.valid) {
    return { valid: false, load_now: Number.isFinite(loadNow) ? loadNow : null, capacity: hasCapacity ? capacity : null, horizons: [], saturation_seconds: null, scaling: [] };
  }
  const stepSeconds = inputs.stepMs / 1000;
  const horizons = inputs.horizonsMs.map((ms) => {
    const f = holtForecast(fit, ms / inputs.stepMs);
    return { horizon_seconds: ms / 1000, horizon: formatDuration(ms), load: Math.max(0, f.mean), lower: Math.max(0, f.lower), upper: Math.max(0, f.upper) };
  });
  const saturation = hasCapacity ? saturationSteps(fit, capacity) : undefined;
  const longest = Math.max(...inputs.horizonsMs);
  const scaling = hasCapacity ? recommendAgents(inputs.types, holtForecast(fit, longest / inputs.stepMs)) : [];
  return {
    valid: true,
    load_now: loadNow,
    capacity: hasCapacity ? capacity : null,
    horizons,
    saturation_seconds: saturation === undefined || !Number.isFinite(saturation) ? null : saturation * stepSeconds,
    scaling: scaling.map((s) => ({ type: s.type, current: s.current, recommended: s.recommended, confidence: s.confidence })),
  };
}
