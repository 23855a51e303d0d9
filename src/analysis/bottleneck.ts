// Bottleneck score per agent in [0, 1]: how likely the agent is the swarm's constraint, as a
// weighted mean of four explainable components, each in [0, 1].
//
// The model is operational analysis of queueing networks (Denning & Buzen, "The Operational
// Analysis of Queueing Network Models", Computing Surveys 10(3), 1978):
// - Utilisation law U = X·S: the station with the highest utilisation bounds the throughput of
//   the whole network (the bottleneck law); as U → 1 the response time R = S/(1 − U) explodes.
// - Flow balance and Little's law L = λ·R: a queue that keeps growing means arrivals λ exceed
//   completions X; dL/dt = λ − X, so (dL/dt)/X = λ/X − 1 is the relative overload.
// - Response-time inflation: a saturated station's R grows far beyond its peers'.
// - Propagation: a bottleneck's delay shows up later downstream, so its latency or queue LEADS
//   the latency of the agents it feeds (lead/lag of lead-lag.ts).

/** Component weights (sum 1). Utilisation dominates: it is the bottleneck law itself. */
export const BOTTLENECK_WEIGHTS = {
  utilisation: 0.4,
  queueGrowth: 0.25,
  latencyInflation: 0.2,
  upstreamImpact: 0.15,
} as const;

/** One "leader's signal precedes follower's latency" finding. */
export interface LeadEdge {
  readonly leader: number;
  readonly follower: number;
  /** Steps by which the leader leads (> 0 to count). */
  readonly lagSteps: number;
  /** Cross-correlation at that lag. */
  readonly r: number;
}

export interface BottleneckInputs {
  /** Per agent: utilisation in [0, 1] (active_tasks / capacity, else cpu_usage); NaN unknown. */
  readonly utilisation: ArrayLike<number>;
  /** Per agent: least-squares slope of queue_depth in tasks per second; NaN unknown. */
  readonly queueSlope: ArrayLike<number>;
  /** Per agent: completed tasks per second over the window; NaN unknown. */
  readonly throughput: ArrayLike<number>;
  /** Per agent: mean queue depth (tasks) over the window; used when throughput is unknown. */
  readonly queueDepth: ArrayLike<number>;
  /** Window length in seconds, the horizon of the queue fallback. */
  readonly windowSeconds: number;
  /** Per agent: response time in seconds (e.g. window median); NaN unknown. */
  readonly latency: ArrayLike<number>;
  /** Lead edges found among agents, or null when lead/lag was not computed (component unknown). */
  readonly leads: readonly LeadEdge[] | null;
  /** Least |r| for a lead edge to count; default 0.5. */
  readonly minLeadR?: number;
}

export interface BottleneckScores {
  /** Weighted mean of the known components, in [0, 1]; NaN when none is known. */
  readonly score: Float64Array;
  /** Utilisation itself, clamped to [0, 1]. */
  readonly utilisation: Float64Array;
  /**
   * g/(1 + g) with g = max(0, dQ/dt)/X, i.e. 1 − X/λ: the share of arriving work left waiting.
   * Without throughput: g = growth over the window / max(1, mean queue).
   */
  readonly queueGrowth: Float64Array;
  /** 1 − median/latency for latency above the swarm median (0 at or below it; 0.5 at twice it). */
  readonly latencyInflation: Float64Array;
  /** 1 − exp(−Σ|r|) over the agents whose latency it leads (0.63 for one perfectly led agent). */
  readonly upstreamImpact: Float64Array;
}

/** Scores `n` agents (the length of `utilisation`). O(n log n + edges). */
export function bottleneckScores(inputs: BottleneckInputs): BottleneckScores {
  const n = inputs.utilisation.length;
  const utilisation = new Float64Array(n);
  const queueGrowth = new Float64Array(n);
  const latencyInflation = new Float64Array(n);
  const upstreamImpact = new Float64Array(n);
  const score = new Float64Array(n);

  const latencies: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const l = inputs.latency[i] as number;
    if (Number.isFinite(l) && l >= 0) latencies.push(l);
  }
  latencies.sort((a, b) => a - b);
  const h = latencies.length >> 1;
  const medianLatency =
    latencies.length < 2
      ? NaN
      : latencies.length % 2 === 1
        ? (latencies[h] as number)
        : ((latencies[h - 1] as number) + (latencies[h] as number)) / 2;

  const led = new Float64Array(n);
  const minLeadR = inputs.minLeadR ?? 0.5;
  for (const e of inputs.leads ?? []) {
    if (e.lagSteps > 0 && Math.abs(e.r) >= minLeadR && e.leader !== e.follower && e.leader >= 0 && e.leader < n) {
      led[e.leader] = (led[e.leader] as number) + Math.abs(e.r);
    }
  }

  for (let i = 0; i < n; i += 1) {
    const u = inputs.utilisation[i] as number;
    utilisation[i] = Number.isFinite(u) ? clamp01(u) : NaN;
    queueGrowth[i] = queueComponent(
      inputs.queueSlope[i] as number,
      inputs.throughput[i] as number,
      inputs.queueDepth[i] as number,
      inputs.windowSeconds,
    );
    latencyInflation[i] = inflationComponent(inputs.latency[i] as number, medianLatency);
    upstreamImpact[i] = inputs.leads === null ? NaN : 1 - Math.exp(-(led[i] as number));

    let weighted = 0;
    let weights = 0;
    const parts: readonly [number, number][] = [
      [utilisation[i] as number, BOTTLENECK_WEIGHTS.utilisation],
      [queueGrowth[i] as number, BOTTLENECK_WEIGHTS.queueGrowth],
      [latencyInflation[i] as number, BOTTLENECK_WEIGHTS.latencyInflation],
      [upstreamImpact[i] as number, BOTTLENECK_WEIGHTS.upstreamImpact],
    ];
    for (const [value, weight] of parts) {
      if (value === value) {
        weighted += value * weight;
        weights += weight;
      }
    }
    // Unknown components drop out and the known weights are renormalised.
    score[i] = weights === 0 ? NaN : clamp01(weighted / weights);
  }
  return { score, utilisation, queueGrowth, latencyInflation, upstreamImpact };
}

function queueComponent(slope: number, throughput: number, depth: number, windowSeconds: number): number {
  if (!Number.isFinite(slope)) return NaN;
  const growth = Math.max(0, slope);
  let g: number;
  if (Number.isFinite(throughput) && throughput > 0) g = growth / throughput;
  else if (Number.isFinite(windowSeconds) && windowSeconds > 0)
    g = (growth * windowSeconds) / Math.max(1, Number.isFinite(depth) ? depth : 0);
  else return NaN;
  return g / (1 + g);
}

function inflationComponent(latency: number, median: number): number {
  if (!Number.isFinite(latency) || !Number.isFinite(median)) return NaN;
  if (latency <= median) return 0;
  if (median <= 0) return 1;
  return 1 - median / latency;
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
