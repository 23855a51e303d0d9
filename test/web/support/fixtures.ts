// Typed fixtures of the analysis and task APIs (the compiler keeps them in step with the contract types).
import type { AnalysisResponse, SwarmAnalysis } from '../../../src/analysis-cycle/swarm-analysis.js';
import type { TaskJson } from '../../../src/coordination/task-json.js';

export const SWARM = 'demo';
export const AGENTS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'] as const;

/** One swarm's snapshot with every section populated: pairs, bottlenecks, a cluster, a saturating forecast. */
export function swarmAnalysis(nowMs: number, overrides: Partial<SwarmAnalysis> = {}): SwarmAnalysis {
  return {
    swarm: SWARM,
    computed_at: nowMs,
    step_seconds: 1,
    window_points: 120,
    filled_points: 120,
    agents: 5,
    bottlenecks: [
      {
        agent: 'gamma',
        type: 'worker',
        score: 0.81,
        components: { utilization: 0.95, queue_growth: 0.7, latency_inflation: 0.64, upstream_impact: 0.5 },
      },
      {
        agent: 'beta',
        type: 'worker',
        score: 0.42,
        components: { utilization: 0.6, queue_growth: 0.2, latency_inflation: 0.3, upstream_impact: 0.4 },
      },
      {
        agent: 'delta',
        type: 'reviewer',
        score: 0.2,
        components: { utilization: 0.3, queue_growth: 0.1, latency_inflation: 0.1, upstream_impact: 0.2 },
      },
      {
        agent: 'alpha',
        type: 'planner',
        score: 0.1,
        components: { utilization: 0.2, queue_growth: 0, latency_inflation: 0.05, upstream_impact: 0.1 },
      },
    ],
    anomalies: [
      { agent: 'delta', metric: 'error_rate', score: 7.2 },
      { agent: 'epsilon', metric: 'error_rate', score: 5.1 },
    ],
    anomaly_scores: [
      { agent: 'delta', metric: 'error_rate', score: 7.2 },
      { agent: 'epsilon', metric: 'error_rate', score: 5.1 },
      { agent: 'alpha', metric: 'error_rate', score: 0.3 },
    ],
    clusters: [
      {
        agents: ['delta', 'epsilon'],
        metrics: ['error_rate', 'response_time'],
        steps: [0, 1, 2],
        evidence: [{ agent_a: 'delta', agent_b: 'epsilon', metric: 'error_rate', r: 0.91 }],
      },
    ],
    top_pairs: {
      active_tasks: [
        { agent_a: 'alpha', agent_b: 'beta', r: 0.93 },
        { agent_a: 'beta', agent_b: 'gamma', r: 0.88 },
        { agent_a: 'alpha', agent_b: 'gamma', r: 0.8 },
        { agent_a: 'delta', agent_b: 'epsilon', r: -0.61 },
        { agent_a: 'gamma', agent_b: 'delta', r: 0.35 },
      ],
      error_rate: [{ agent_a: 'delta', agent_b: 'epsilon', r: 0.91 }],
    },
    correlation_mean_abs: { active_tasks: 0.52, error_rate: 0.31 },
    correlation_threshold_abs: { active_tasks: 0.33, error_rate: 0.33 },
    lead_lag: [{ metric: 'active_tasks', leader: 'alpha', follower: 'beta', lag_steps: 10, lag_seconds: 10, r: 0.95 }],
    metric_correlations: [],
    load_balance: { index: 0.82, mean_utilization: 0.55, agents: [] },
    utilization: [],
    forecast: {
      valid: true,
      load_now: 12,
      capacity: 20,
      horizons: [
        { horizon_seconds: 300, horizon: '5m', load: 13.5, lower: 12.2, upper: 14.8 },
        { horizon_seconds: 900, horizon: '15m', load: 16, lower: 13.5, upper: 18.6 },
        { horizon_seconds: 1800, horizon: '30m', load: 20, lower: 15, upper: 25 },
      ],
      saturation_seconds: 1800,
      saturation: { seconds: 1800, earliest_seconds: 1200, latest_seconds: null },
      confidence: 0.75,
      model: { alpha: 0.2, beta: 0.1, phi: 0.98, sigma: 1.2 },
      scaling: [{ type: 'worker', current: 2, recommended: 3, raw: 3, confidence: 0.75 }],
    },
    variants: [
      {
        metric: 'response_time',
        variant: 'v2',
        baseline: 'v1',
        unit: 'agents',
        effect_ratio: -0.31,
        p_value: 0.004,
        p_value_unadjusted: 0.001,
        n_variant: 6,
        n_baseline: 6,
      },
      {
        metric: 'throughput',
        variant: 'v2',
        baseline: 'v1',
        unit: 'agents',
        effect_ratio: 0.04,
        p_value: 0.62,
        p_value_unadjusted: 0.31,
        n_variant: 6,
        n_baseline: 6,
      },
      {
        metric: 'response_time',
        variant: 'canary',
        baseline: 'v1',
        unit: 'agents',
        effect_ratio: -0.5,
        p_value: null,
        p_value_unadjusted: null,
        n_variant: 1,
        n_baseline: 6,
      },
    ],
    ...overrides,
  };
}

export function analysisResponse(nowMs: number, overrides: Partial<SwarmAnalysis> = {}): AnalysisResponse {
  return { generated_at: new Date(nowMs).toISOString(), swarms: [swarmAnalysis(nowMs, overrides)] };
}

function task(id: string, nowMs: number, agoSeconds: number, fields: Partial<TaskJson>): TaskJson {
  const created = new Date(nowMs - agoSeconds * 1000).toISOString();
  return {
    id,
    type: 'resource_balancing',
    priority: 'medium',
    status: 'queued',
    source: 'alert',
    swarm: SWARM,
    agents: [],
    reason: 'AgentSwarmLoadImbalanced',
    alerts: [],
    plan: null,
    attempt_count: 0,
    created_at: created,
    updated_at: created,
    next_attempt_at: null,
    started_at: null,
    finished_at: null,
    last_error: null,
    impact: null,
    receiver: null,
    fingerprint: null,
    ...fields,
  };
}

/**
 * Six tasks, one per interesting state: delivered with impacts (a higher-is-better score that rose,
 * a lower-is-better one that fell, and one that got worse), running, dead-lettered, queued.
 */
export function taskFixtures(nowMs: number): TaskJson[] {
  return [
    task('t-delivered', nowMs, 300, {
      type: 'cross_system_healing',
      priority: 'high',
      status: 'succeeded',
      agents: ['epsilon'],
      reason: 'AgentSwarmAgentDown',
      attempt_count: 1,
      impact: { score: 'health', before: 0.3, after: 0.9, ratio: 2, measured_at: new Date(nowMs - 10_000).toISOString() },
    }),
    // Lower is better: the ratio is +0.5 (an improvement) while the cluster halved.
    task('t-clustered', nowMs, 400, {
      type: 'anomaly_correlation',
      status: 'succeeded',
      agents: ['delta', 'epsilon'],
      reason: 'AgentSwarmCorrelatedAnomaly',
      attempt_count: 1,
      impact: { score: 'anomaly_cluster_size', before: 4, after: 2, ratio: 0.5, measured_at: new Date(nowMs - 20_000).toISOString() },
    }),
    task('t-unbalanced', nowMs, 500, {
      status: 'succeeded',
      attempt_count: 1,
      impact: { score: 'balance_index', before: 0.8, after: 0.6, ratio: -0.25, measured_at: new Date(nowMs - 30_000).toISOString() },
    }),
    task('t-running', nowMs, 60, { status: 'running', agents: ['gamma', 'beta'], attempt_count: 1 }),
    task('t-failed', nowMs, 600, {
      type: 'predictive_scaling',
      priority: 'low',
      status: 'failed',
      attempt_count: 4,
      last_error: 'HTTP 503 from orchestrator',
    }),
    task('t-queued', nowMs, 5, { type: 'performance_sync', priority: 'maintenance', source: 'schedule', reason: 'schedule */5 * * * *' }),
  ];
}
