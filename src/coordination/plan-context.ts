// What plans and impact probes may read about a swarm: a small typed view others implement.
import type { HealthStatus } from '../model/health-status.js';

/** One agent as the registry knows it now. */
export interface PlanAgent {
  readonly id: string;
  readonly type: string;
  /** Configuration version; '' when the agent declared none. */
  readonly variant: string;
  readonly status: HealthStatus;
  /** Health score in [0, 1], 1 = healthy; undefined before the first score. */
  readonly healthScore: number | undefined;
  /** Last heartbeat or sample, ms since the epoch. */
  readonly lastSeen: number;
  /** Concurrent task slots, when declared (> 0). */
  readonly capacity: number | undefined;
  /** Latest value per metric (canonical and custom), base units. Finite numbers only. */
  readonly values: Readonly<Record<string, number>>;
}

/** A correlated-anomaly cluster with the evidence that formed it. */
export interface PlanCluster {
  readonly agents: readonly string[];
  readonly metrics: readonly string[];
  /** Per agent and metric, the robust |z| that made it anomalous. */
  readonly evidence: readonly { readonly agent: string; readonly metric: string; readonly score: number }[];
}

export interface PlanForecast {
  /** Scalers must check it: false means too little data to trust the numbers. */
  readonly valid: boolean;
  readonly horizons: readonly { readonly horizonSeconds: number; readonly load: number }[];
  /** Seconds until load reaches capacity; undefined when it never does within the horizon. */
  readonly saturationSeconds: number | undefined;
  /** Agents needed per agent type at the longest horizon. */
  readonly recommendedAgents: Readonly<Record<string, number>>;
  /** In [0, 1]. */
  readonly confidence: number;
}

export interface PlanVariantResult {
  readonly metric: string;
  readonly variant: string;
  /** Variant mean / baseline mean - 1. */
  readonly effectRatio: number;
  readonly pValue: number;
  /** Whether a higher value of the metric is better (throughput) or worse (error_rate). */
  readonly higherIsBetter: boolean;
}

/** The latest analysis results of a swarm; every part optional until the analysis engine provides it. */
export interface PlanAnalysis {
  /** ms since the epoch. */
  readonly takenAt: number;
  readonly clusters?: readonly PlanCluster[];
  /** Most likely constraint first; score in [0, 1]. */
  readonly bottlenecks?: readonly { readonly agent: string; readonly score: number }[];
  /** Jain's fairness index of agent utilisation in [1/n, 1]. */
  readonly balanceIndex?: number;
  readonly forecast?: PlanForecast;
  readonly variants?: readonly PlanVariantResult[];
}

/**
 * Read-only view for plans and impact probes. Implemented by the composition root from the
 * agent registry and the latest analysis snapshot; calls must be cheap and side-effect free.
 */
export interface PlanContext {
  swarms(): readonly string[];
  agents(swarm: string): readonly PlanAgent[];
  analysis(swarm: string): PlanAnalysis | undefined;
}

/** A context that knows nothing: plans still have their shape, with empty contents. */
export const EMPTY_PLAN_CONTEXT: PlanContext = {
  swarms: () => [],
  agents: () => [],
  analysis: () => undefined,
};
