// Load forecast of one swarm: damped-trend Holt of total active tasks at the horizons the window can
// serve, saturation against total capacity (with an interval), and agents needed per type, stabilised
// across steps (kernels in analysis/holt.ts, analysis/capacity-forecast.ts,
// analysis/scaling-stabiliser.ts). See docs/analysis-scores.md.
import { fitHolt, holtForecast } from '../analysis/holt.js';
import { forecastConfidence, recommendAgents, saturationEstimate, type AgentTypeLoad } from '../analysis/capacity-forecast.js';
import type { ScalingStabiliser } from '../analysis/scaling-stabiliser.js';
import { WINDOWS_PER_SLICE, type Sliced } from '../analysis/sliced.js';
import { formatDuration } from '../config/duration.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import type { Forecast } from './swarm-analysis.js';

export interface ForecastInputs {
  /** Swarm load per step (sum of active tasks), chronological; NaN where no agent reported. */
  readonly load: ArrayLike<number>;
  readonly stepMs: number;
  /** Points of a full window (analysis.window / analysis.step). */
  readonly windowPoints: number;
  readonly horizonsMs: readonly number[];
  /** Per type: agents up now, their capacity and load. */
  readonly types: readonly AgentTypeLoad[];
  /** analysis.scaling_target_utilization; default 0.7. */
  readonly targetUtilisation?: number;
  /** Types with an agent above the bottleneck alert bar: their recommendation never drops below the agents running. */
  readonly bottleneckTypes?: ReadonlySet<string>;
  /** Scale-down stabilisation across steps (one per swarm); none = the raw recommendation. */
  readonly stabiliser?: ScalingStabiliser;
  /** Time of this step (ms), for the stabilisation window. */
  readonly now?: number;
}

/** A forecast needs at least this many finite points, and at least a quarter of the window. */
export const MIN_FORECAST_POINTS = 10;

/** Bottleneck score above which a type counts as constrained (the AgentSwarmBottleneck alert bar). */
export const BOTTLENECK_ALERT_BAR = 0.5;

/**
 * Finite load points a valid forecast needs: a quarter of the window (so a horizon is never
 * extrapolated from a couple of minutes of a 30 m window), at least MIN_FORECAST_POINTS.
 */
export function forecastPointsNeeded(windowPoints: number): number {
  return Math.max(MIN_FORECAST_POINTS, Math.ceil(windowPoints / 4));
}

/** The configured horizons the window serves: at most the window's length (longer ones are absent, not extrapolated). */
export function servedHorizonsMs(horizonsMs: readonly number[], windowPoints: number, stepMs: number): number[] {
  const limit = windowPoints * stepMs;
  return [...new Set(horizonsMs)].filter((ms) => ms > 0 && ms <= limit).sort((a, b) => a - b);
}

/**
 * Steps of load history the series holds: from its first finite point to its end (0 when none).
 * While the window fills, this is shorter than the window: a horizon longer than the history is not
 * served, as a horizon longer than the window is not (the demo's 3m horizon from 48 s of load,
 * 24 points at the start of its load wave, had a band 8.5x the load's range: the trend model's
 * honest interval, statsmodels' own fit of the same points gives a wider one, for a question the
 * data cannot answer).
 */
export function historySteps(load: ArrayLike<number>): number {
  for (let t = 0; t < load.length; t += 1) if (Number.isFinite(load[t])) return load.length - t;
  return 0;
}

export function swarmForecast(inputs: ForecastInputs): Forecast {
  const capacity = inputs.types.reduce((sum, t) => sum + t.capacity, 0);
  const loadNow = inputs.types.reduce((sum, t) => sum + t.load, 0);
  const hasCapacity = capacity > 0;
  // Served: at most the window, and at most the load history it holds yet.
  const servable = Math.min(inputs.windowPoints, historySteps(inputs.load));
  const served = servedHorizonsMs(inputs.horizonsMs, servable, inputs.stepMs);
  const fit = fitHolt(inputs.load, { minPoints: forecastPointsNeeded(inputs.windowPoints) });
  const longest = served[served.length - 1];
  if (!fit.valid || longest === undefined) {
    return {
      valid: false,
      load_now: Number.isFinite(loadNow) ? loadNow : null,
      capacity: hasCapacity ? capacity : null,
      horizons: [],
      saturation_seconds: null,
      saturation: null,
      confidence: null,
      model: null,
      scaling: [],
    };
  }
  const stepSeconds = inputs.stepMs / 1000;
  // One entry per distinct horizon: "60m" and "1h" are one series on /metrics.
  const horizons = served.map((ms) => {
    const f = holtForecast(fit, ms / inputs.stepMs);
    return {
      horizon_seconds: ms / 1000,
      horizon: formatDuration(ms),
      load: Math.max(0, f.mean),
      lower: Math.max(0, f.lower),
      upper: Math.max(0, f.upper),
    };
  });
  const saturation = hasCapacity ? saturationEstimate(fit, capacity, servable) : undefined;
  const atLongest = holtForecast(fit, longest / inputs.stepMs);
  const raw = hasCapacity
    ? recommendAgents(
        inputs.types,
        atLongest,
        inputs.targetUtilisation === undefined ? {} : { targetUtilisation: inputs.targetUtilisation },
      )
    : [];
  const bottlenecks = inputs.bottleneckTypes ?? new Set<string>();
  const withFloor = raw.map((r) => ({ ...r, recommended: bottlenecks.has(r.type) ? Math.max(r.recommended, r.current) : r.recommended }));
  const stabilised =
    inputs.stabiliser === undefined || withFloor.length === 0
      ? withFloor.map((r) => r.recommended)
      : inputs.stabiliser.step(
          inputs.now ?? 0,
          withFloor.map((r) => ({ type: r.type, current: r.current, raw: r.recommended, bottleneck: bottlenecks.has(r.type) })),
        );
  return {
    valid: true,
    load_now: loadNow,
    capacity: hasCapacity ? capacity : null,
    horizons,
    saturation_seconds: saturation === undefined ? null : saturation.steps * stepSeconds,
    saturation:
      saturation === undefined
        ? null
        : {
            seconds: saturation.steps * stepSeconds,
            earliest_seconds: saturation.earliest * stepSeconds,
            latest_seconds: saturation.latest === undefined ? null : saturation.latest * stepSeconds,
          },
    confidence: forecastConfidence(atLongest),
    model: { alpha: fit.alpha, beta: fit.beta, phi: fit.phi, sigma: fit.sigma },
    scaling: withFloor.map((s, i) => ({
      type: s.type,
      current: s.current,
      recommended: stabilised[i] ?? s.recommended,
      raw: s.recommended,
      confidence: s.confidence,
    })),
  };
}

/**
 * Swarm load per step, chronological: the sum of the agents' active tasks where at least one agent
 * reported (NaN where none did, or where an agent has a gap between two of its observations). Summed in ring order (every ring shares one head), turned
 * chronological once at the end. `scratch` has at least the window's capacity. In slices
 * (analysis/sliced.ts): a safe point every WINDOWS_PER_SLICE agents of each pass.
 */
export function* swarmLoad(windows: AlignedWindows, agents: readonly AgentRecord[], scratch: Float64Array): Sliced<Float64Array> {
  const filled = windows.filled;
  const w = windows.capacity;
  const sum = scratch.subarray(0, w).fill(Number.NaN);
  const rings = windows.seriesOf('active_tasks');
  let head = 0;
  let read = 0;
  for (const agent of agents) {
    if (++read % WINDOWS_PER_SLICE === 0) yield;
    const ring = rings.get(agent.id);
    if (ring === undefined) continue;
    head = windows.view('active_tasks', agent.id)?.head ?? head;
    for (let t = 0; t < w; t++) {
      const v = ring[t] ?? Number.NaN;
      if (Number.isFinite(v)) sum[t] = (Number.isNaN(sum[t] ?? Number.NaN) ? 0 : (sum[t] ?? 0)) + v;
    }
  }
  // While the window fills, steps sit at [0, filled); once full, the oldest is at the shared head.
  const start = filled < w ? 0 : head;
  // A gap of an agent between two of its observations (a missed step beyond the hold) leaves the
  // total unknown at that step: a gap too, rather than a dip of that agent's share. Joining and
  // leaving agents (no observation before, or after) do not.
  for (const agent of agents) {
    if (++read % WINDOWS_PER_SLICE === 0) yield;
    const ring = rings.get(agent.id);
    if (ring === undefined) continue;
    let first = -1;
    let last = -1;
    for (let t = 0; t < filled; t++) {
      if (!Number.isFinite(ring[(start + t) % w] ?? Number.NaN)) continue;
      if (first < 0) first = t;
      last = t;
    }
    for (let t = first + 1; t < last; t++) {
      const i = (start + t) % w;
      if (!Number.isFinite(ring[i] ?? Number.NaN)) sum[i] = Number.NaN;
    }
  }
  const load = new Float64Array(filled);
  for (let t = 0; t < filled; t++) load[t] = sum[(start + t) % w] ?? Number.NaN;
  return load;
}

/** Per type: agents up now, their declared capacity and current load (active tasks). */
export function typeLoads(agents: readonly AgentRecord[]): AgentTypeLoad[] {
  const byType = new Map<string, { agents: number; capacity: number; load: number }>();
  for (const agent of agents) {
    if (!agent.up) continue;
    const t = byType.get(agent.type) ?? { agents: 0, capacity: 0, load: 0 };
    t.agents += 1;
    t.capacity += agent.capacity ?? 0;
    const active = agent.value('active_tasks');
    t.load += Number.isFinite(active) ? active : 0;
    byType.set(agent.type, t);
  }
  return [...byType].map(([type, t]) => ({ type, ...t }));
}
