// The immutable per-swarm analysis snapshot produced once per step: what /metrics, the JSON API, the
// status page and coordination plans read. Field names are the JSON contract of GET /api/v1/analysis.

export interface AgentScore {
  readonly agent: string;
  readonly score: number;
}

export interface BottleneckEntry {
  readonly agent: string;
  readonly type: string;
  /** In [0, 1], higher = more likely the constraint. */
  readonly score: number;
  /** Each in [0, 1]: utilization, queue_growth, latency_inflation, upstream_impact. */
  readonly components: Readonly<Record<string, number>>;
}

export interface AnomalyEntry {
  readonly agent: string;
  readonly metric: string;
  /** Robust |z| of the latest value. */
  readonly score: number;
}

export interface AnomalyCluster {
  readonly agents: readonly string[];
  readonly metrics: readonly string[];
  /** Steps ago (0 = latest) in which the members were anomalous together. */
  readonly steps: readonly number[];
  /** Strongest correlations that tie the members together. */
  readonly evidence: readonly { readonly agent_a: string; readonly agent_b: string; readonly metric: string; readonly r: number }[];
}

export interface CorrelationPair {
  readonly agent_a: string;
  readonly agent_b: string;
  readonly r: number;
}

export interface LeadLag {
  readonly metric: string;
  readonly leader: string;
  readonly follower: string;
  readonly lag_steps: number;
  readonly lag_seconds: number;
  readonly r: number;
}

export interface MetricPairCorrelation {
  readonly agent: string;
  readonly metric_a: string;
  readonly metric_b: string;
  readonly r: number;
}

export interface LoadBalance {
  /** Jain's fairness index in [1/n, 1], 1 = even. Null with no utilisation data. */
  readonly index: number | null;
  readonly mean_utilization: number | null;
  readonly agents: readonly { readonly agent: string; readonly utilization: number; readonly deviation: number }[];
}

export interface ForecastHorizon {
  readonly horizon_seconds: number;
  /** Label value used on /metrics, e.g. "5m". */
  readonly horizon: string;
  readonly load: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ScalingRecommendation {
  readonly type: string;
  readonly current: number;
  /** Stabilised (highest raw value of the last 5 minutes, bounded steps, bottleneck floor): what /metrics exports. */
  readonly recommended: number;
  /** This step's need before stabilisation. */
  readonly raw: number;
  /** In [0, 1]. */
  readonly confidence: number;
}

export interface SaturationInterval {
  /** Point forecast reaches capacity. */
  readonly seconds: number;
  /** The band's upper edge reaches it (earliest plausible). */
  readonly earliest_seconds: number;
  /** The band's lower edge reaches it within the window; null when it does not (maybe never). */
  readonly latest_seconds: number | null;
}

export interface ForecastModel {
  readonly alpha: number;
  readonly beta: number;
  /** Damping factor; 1 = undamped. */
  readonly phi: number;
  /** Residual standard deviation of the one-step errors (load units). */
  readonly sigma: number;
}

export interface Forecast {
  /** False until the window holds enough points (and some horizon is within the window); scalers must check it. */
  readonly valid: boolean;
  /** Swarm load now: sum of active tasks. */
  readonly load_now: number | null;
  /** Sum of declared capacities; null when no agent declared one. */
  readonly capacity: number | null;
  readonly horizons: readonly ForecastHorizon[];
  /** Seconds until load reaches capacity; null if not within the window's reach. */
  readonly saturation_seconds: number | null;
  /** saturation_seconds with its 95 % band; null when saturation_seconds is. */
  readonly saturation: SaturationInterval | null;
  /** forecastConfidence at the longest served horizon, in [0, 1]; null when not valid. */
  readonly confidence: number | null;
  /** The fitted damped-trend Holt parameters; null when not valid. */
  readonly model: ForecastModel | null;
  readonly scaling: readonly ScalingRecommendation[];
}

export interface VariantComparison {
  readonly metric: string;
  readonly variant: string;
  /** The most common variant; only its agents of the types the variant has are compared. */
  readonly baseline: string;
  /**
   * What was compared: always "agents" (per-agent window means). "points" (pooled steps) is no longer
   * produced: with too few agents there is no p-value instead.
   */
  readonly unit: 'agents' | 'points';
  /** mean of the variant's agent means / mean of the baseline's − 1. */
  readonly effect_ratio: number;
  /**
   * Two-sided p-value of Welch's t-test on per-agent means, Holm-adjusted over every comparison of
   * the swarm (what /metrics exports); null with fewer than 3 agents on a side.
   */
  readonly p_value: number | null;
  /** The same test before the adjustment; null likewise. */
  readonly p_value_unadjusted: number | null;
  /** Agents on each side. */
  readonly n_variant: number;
  readonly n_baseline: number;
}

export interface SwarmAnalysis {
  readonly swarm: string;
  /** When this snapshot was computed, ms since the epoch. */
  readonly computed_at: number;
  readonly step_seconds: number;
  readonly window_points: number;
  readonly filled_points: number;
  readonly agents: number;
  readonly bottlenecks: readonly BottleneckEntry[];
  readonly anomalies: readonly AnomalyEntry[];
  /** Full anomaly score table (agent, metric) for /metrics; anomalies above is the above-threshold subset. */
  readonly anomaly_scores: readonly AnomalyEntry[];
  readonly clusters: readonly AnomalyCluster[];
  /** Per metric: the exposed top pairs (with hysteresis), strongest |r| first. */
  readonly top_pairs: Readonly<Record<string, readonly CorrelationPair[]>>;
  readonly correlation_mean_abs: Readonly<Record<string, number>>;
  /**
   * Per metric: the |r| bar in force for the exposed pairs (the least |r| of changes a pair with the
   * window's full overlap and uncorrelated changes needs to be significant at analysis.correlation_fdr).
   */
  readonly correlation_threshold_abs: Readonly<Record<string, number>>;
  readonly lead_lag: readonly LeadLag[];
  readonly metric_correlations: readonly MetricPairCorrelation[];
  readonly load_balance: LoadBalance;
  readonly utilization: readonly AgentScore[];
  readonly forecast: Forecast;
  readonly variants: readonly VariantComparison[];
}

/** GET /api/v1/analysis */
export interface AnalysisResponse {
  readonly generated_at: string;
  readonly swarms: readonly SwarmAnalysis[];
}

/** GET /api/v1/analysis/correlations?swarm=&metric= — null where r is undefined (constant series, gaps). */
/**
 * What a correlation matrix is computed on: `changes` (first differences, pairwise-complete steps;
 * what agentswarm_agent_correlation exposes) or `levels` (the raw values; spurious on trending series).
 */
export type CorrelationBasis = 'changes' | 'levels';

export interface CorrelationMatrixResponse {
  readonly swarm: string;
  readonly metric: string;
  readonly basis: CorrelationBasis;
  readonly agents: readonly string[];
  readonly matrix: readonly (readonly (number | null)[])[];
}
