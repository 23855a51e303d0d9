// The `plan` of each task type (docs/design.md#outgoing-task-deliveries), computed from a PlanContext (pure; the shape is the contract).
import type { CoordinationType } from '../model/coordination-vocabulary.js';
import { HEALTH_STATUSES, type HealthStatus } from '../model/health-status.js';
import { agentUtilisation } from '../analysis/agent-utilisation.js';
import { jainIndex } from '../analysis/load-balance.js';
import type { PlanAgent, PlanAnalysis, PlanContext } from './plan-context.js';

/** What a plan needs from its task. */
export interface PlanTarget {
  readonly type: CoordinationType;
  readonly swarm: string;
  /** Targeted agents; empty = the whole swarm. */
  readonly agents: readonly string[];
}

type Num = number | null;

export type AgentSnapshot = {
  id: string;
  type: string;
  variant: string;
  status: HealthStatus;
  health_score: Num;
  last_seen: string;
  values: Record<string, number>;
};

type PlanBase = {
  /** The task type this plan is for. */
  kind: CoordinationType;
  swarm: string;
  /** RFC 3339. */
  computed_at: string;
  /** "analysis" when analysis results were used, "registry" when only current agent state. */
  source: 'analysis' | 'registry';
};

export type PerformanceSyncPlan = PlanBase & {
  kind: 'performance_sync';
  summary: { agents: number; by_status: Record<HealthStatus, number>; mean_health: Num; balance_index: Num };
  bottlenecks: { agent: string; score: number }[];
  agents: AgentSnapshot[];
};

export type AnomalyCorrelationPlan = PlanBase & {
  kind: 'anomaly_correlation';
  cluster: { agents: string[]; size: number; metrics: string[] };
  evidence: { agent: string; metric: string; score: number }[];
  members: AgentSnapshot[];
};

export type ResourceBalancingPlan = PlanBase & {
  kind: 'resource_balancing';
  /** Load = active_tasks + queue_depth (work the agent holds); shares follow capacity (1 if undeclared). */
  load_metric: 'active_tasks+queue_depth';
  total_load: number;
  target_utilization: number;
  balance_index_now: Num;
  balance_index_after: Num;
  agents: { id: string; status: HealthStatus; load: number; capacity: number; utilization: number; target_load: number; delta: number }[];
  /** Transfers that turn the current loads into the target loads; amounts in tasks. */
  moves: { from: string; to: string; load: number }[];
};

export type OptimizationSharingPlan = PlanBase & {
  kind: 'optimization_sharing';
  best: { variant: string | null; agent: string | null; metric: string; value: Num; advantage: Num; p_value: Num };
  /** Agents that should adopt the best configuration. */
  adopt_by: string[];
};

export type PredictiveScalingPlan = PlanBase & {
  kind: 'predictive_scaling';
  valid: boolean;
  horizon_seconds: Num;
  confidence: number;
  saturation_seconds: Num;
  load_forecast: { horizon_seconds: number; load: number }[];
  current: Record<string, number>;
  recommended: Record<string, number>;
  /** recommended - current per agent type. */
  change: Record<string, number>;
};

export type CrossSystemHealingPlan = PlanBase & {
  kind: 'cross_system_healing';
  agents: (AgentSnapshot & { seconds_since_seen: number })[];
  /** restart: failed (no heartbeat); investigate: alive but critical or degraded; none otherwise. */
  actions: { agent: string; action: 'restart' | 'investigate' | 'none' }[];
};

export type Plan =
  | PerformanceSyncPlan
  | AnomalyCorrelationPlan
  | ResourceBalancingPlan
  | OptimizationSharingPlan
  | PredictiveScalingPlan
  | CrossSystemHealingPlan;

const round = (x: number, digits = 4): number => {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
};
const orNull = (x: number | undefined): Num => (x === undefined || !Number.isFinite(x) ? null : round(x));
const mean = (xs: readonly number[]): number | undefined => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);
const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The swarm's balance index from the registry alone: Jain's index of every agent's utilisation,
 * the very definition of agentswarm_load_balance_index, so a plan computed without an analysis
 * snapshot says what the metric would.
 */
export function registryBalanceIndex(agents: readonly PlanAgent[]): number | undefined {
  return jainIndex(agents.map(agentUtilisationOf));
}

function snapshot(agent: PlanAgent): AgentSnapshot {
  const values: Record<string, number> = {};
  for (const [k, v] of Object.entries(agent.values)) if (Number.isFinite(v)) values[k] = round(v, 6);
  return {
    id: agent.id,
    type: agent.type,
    variant: agent.variant,
    status: agent.status,
    health_score: orNull(agent.healthScore),
    last_seen: iso(agent.lastSeen),
    values,
  };
}

function targeted(all: readonly PlanAgent[], ids: readonly string[]): PlanAgent[] {
  if (ids.length === 0) return [...all];
  const wanted = new Set(ids);
  return all.filter((a) => wanted.has(a.id));
}

function performanceSync(
  base: PlanBase,
  agents: readonly PlanAgent[],
  swarmAgents: readonly PlanAgent[],
  analysis: PlanAnalysis | undefined,
): PerformanceSyncPlan {
  const byStatus = Object.fromEntries(HEALTH_STATUSES.map((s) => [s, 0])) as Record<HealthStatus, number>;
  for (const a of agents) byStatus[a.status] += 1;
  const scores = agents.map((a) => a.healthScore).filter((s): s is number => s !== undefined);
  return {
    ...base,
    kind: 'performance_sync',
    summary: {
      agents: agents.length,
      by_status: byStatus,
      mean_health: orNull(mean(scores)),
      balance_index: orNull(analysis?.balanceIndex ?? registryBalanceIndex(swarmAgents)),
    },
    bottlenecks: (analysis?.bottlenecks ?? []).slice(0, 3).map((b) => ({ agent: b.agent, score: round(b.score) })),
    agents: agents.map(snapshot),
  };
}

function anomalyCorrelation(
  base: PlanBase,
  task: PlanTarget,
  agents: readonly PlanAgent[],
  analysis: PlanAnalysis | undefined,
): AnomalyCorrelationPlan {
  const clusters = analysis?.clusters ?? [];
  const wanted = new Set(task.agents);
  // The cluster that holds most of the alert's agents; the largest one when the alert names none.
  const score = (c: (typeof clusters)[number]): number =>
    (wanted.size > 0 ? c.agents.filter((a) => wanted.has(a)).length * 1e6 : 0) + c.agents.length;
  const best = [...clusters].sort((a, b) => score(b) - score(a))[0];
  if (best !== undefined) {
    const members = new Set(best.agents);
    return {
      ...base,
      kind: 'anomaly_correlation',
      cluster: { agents: [...best.agents], size: best.agents.length, metrics: [...best.metrics] },
      evidence: best.evidence.map((e) => ({ agent: e.agent, metric: e.metric, score: round(e.score) })),
      members: agents.filter((a) => members.has(a.id)).map(snapshot),
    };
  }
  // Without clusters: the targeted agents, or every unhealthy one, with their health as evidence.
  const unhealthy = targeted(agents, task.agents).filter(
    (a) => task.agents.length > 0 || a.status === 'degraded' || a.status === 'critical' || a.status === 'failed',
  );
  return {
    ...base,
    kind: 'anomaly_correlation',
    cluster: { agents: unhealthy.map((a) => a.id), size: unhealthy.length, metrics: [] },
    evidence: unhealthy.map((a) => ({ agent: a.id, metric: 'health_score', score: round(a.healthScore ?? 0) })),
    members: unhealthy.map(snapshot),
  };
}

/** Work an agent holds: active_tasks + queue_depth (missing values count as 0). */
export function agentLoad(agent: PlanAgent): number {
  const active = agent.values.active_tasks ?? 0;
  const queued = agent.values.queue_depth ?? 0;
  return Math.max(0, active) + Math.max(0, queued);
}

/** agentUtilisation (analysis/agent-utilisation.ts) of the agent's latest values; NaN when unknown. */
export function agentUtilisationOf(agent: PlanAgent): number {
  return agentUtilisation(agent.values.active_tasks ?? Number.NaN, agent.capacity, agent.values.cpu_usage ?? Number.NaN);
}

/**
 * Evens load in proportion to capacity: target_i = total · cap_i / Σcap over live agents (failed
 * agents keep none), then a greedy largest-surplus-to-largest-deficit matching gives at most
 * n - 1 moves whose application reaches the targets exactly (up to rounding).
 */
function resourceBalancing(base: PlanBase, agents: readonly PlanAgent[], analysis: PlanAnalysis | undefined): ResourceBalancingPlan {
  const rows = agents.map((a) => ({ agent: a, load: agentLoad(a), capacity: a.capacity ?? 1, live: a.status !== 'failed' }));
  const total = rows.reduce((s, r) => s + r.load, 0);
  const liveCapacity = rows.filter((r) => r.live).reduce((s, r) => s + r.capacity, 0);
  const targetUtil = liveCapacity > 0 ? total / liveCapacity : 0;
  const planned = rows.map((r) => {
    const target = r.live ? targetUtil * r.capacity : 0;
    return { ...r, target, delta: target - r.load };
  });
  const surplus = planned
    .filter((r) => r.delta < -1e-9)
    .map((r) => ({ id: r.agent.id, amount: -r.delta }))
    .sort((a, b) => b.amount - a.amount);
  const deficit = planned
    .filter((r) => r.delta > 1e-9)
    .map((r) => ({ id: r.agent.id, amount: r.delta }))
    .sort((a, b) => b.amount - a.amount);
  const moves: ResourceBalancingPlan['moves'] = [];
  let i = 0;
  let j = 0;
  while (i < surplus.length && j < deficit.length) {
    const from = surplus[i] as { id: string; amount: number };
    const to = deficit[j] as { id: string; amount: number };
    const amount = Math.min(from.amount, to.amount);
    if (amount > 1e-9) moves.push({ from: from.id, to: to.id, load: round(amount) });
    from.amount -= amount;
    to.amount -= amount;
    if (from.amount <= 1e-9) i += 1;
    if (to.amount <= 1e-9) j += 1;
  }
  const liveRows = planned.filter((r) => r.live);
  return {
    ...base,
    kind: 'resource_balancing',
    load_metric: 'active_tasks+queue_depth',
    total_load: round(total),
    target_utilization: round(targetUtil),
    balance_index_now: orNull(analysis?.balanceIndex ?? registryBalanceIndex(agents)),
    balance_index_after: orNull(jainIndex(liveRows.map((r) => r.target / r.capacity))),
    agents: planned.map((r) => ({
      id: r.agent.id,
      status: r.agent.status,
      load: round(r.load),
      capacity: r.capacity,
      utilization: round(r.load / r.capacity),
      target_load: round(r.target),
      delta: round(r.delta),
    })),
    moves,
  };
}

function optimizationSharing(base: PlanBase, agents: readonly PlanAgent[], analysis: PlanAnalysis | undefined): OptimizationSharingPlan {
  const significant = (analysis?.variants ?? []).filter((v) => v.pValue < 0.05 && Number.isFinite(v.effectRatio));
  const gain = (v: (typeof significant)[number]): number => (v.higherIsBetter ? v.effectRatio : -v.effectRatio);
  const bestVariant = [...significant].sort((a, b) => gain(b) - gain(a))[0];
  if (bestVariant !== undefined && gain(bestVariant) > 0) {
    return {
      ...base,
      kind: 'optimization_sharing',
      best: {
        variant: bestVariant.variant,
        agent: null,
        metric: bestVariant.metric,
        value: null,
        advantage: round(gain(bestVariant)),
        p_value: round(bestVariant.pValue, 6),
      },
      adopt_by: agents.filter((a) => a.variant !== bestVariant.variant && a.status !== 'failed').map((a) => a.id),
    };
  }
  // Without variant results: the healthiest agent is the example to follow.
  const scored = agents.filter((a) => a.healthScore !== undefined && a.status !== 'failed');
  const best = [...scored].sort((a, b) => (b.healthScore ?? 0) - (a.healthScore ?? 0))[0];
  const avg = mean(scored.map((a) => a.healthScore ?? 0));
  return {
    ...base,
    kind: 'optimization_sharing',
    best: {
      variant: best && best.variant !== '' ? best.variant : null,
      agent: best?.id ?? null,
      metric: 'health_score',
      value: orNull(best?.healthScore),
      advantage: best && avg !== undefined ? round((best.healthScore ?? 0) - avg) : null,
      p_value: null,
    },
    adopt_by: best && avg !== undefined ? scored.filter((a) => (a.healthScore ?? 0) < avg).map((a) => a.id) : [],
  };
}

function predictiveScaling(base: PlanBase, agents: readonly PlanAgent[], analysis: PlanAnalysis | undefined): PredictiveScalingPlan {
  const current: Record<string, number> = {};
  for (const a of agents) if (a.status !== 'failed') current[a.type] = (current[a.type] ?? 0) + 1;
  const forecast = analysis?.forecast;
  const recommended: Record<string, number> = { ...current };
  if (forecast?.valid)
    for (const [type, n] of Object.entries(forecast.recommendedAgents))
      if (Number.isFinite(n)) recommended[type] = Math.max(0, Math.ceil(n));
  const change: Record<string, number> = {};
  for (const type of new Set([...Object.keys(current), ...Object.keys(recommended)]))
    change[type] = (recommended[type] ?? 0) - (current[type] ?? 0);
  const horizons = forecast?.horizons ?? [];
  const longest = horizons.reduce<number | undefined>(
    (m, h) => (m === undefined || h.horizonSeconds > m ? h.horizonSeconds : m),
    undefined,
  );
  return {
    ...base,
    kind: 'predictive_scaling',
    valid: forecast?.valid ?? false,
    horizon_seconds: orNull(longest),
    confidence: round(forecast?.valid ? Math.min(1, Math.max(0, forecast.confidence)) : 0),
    saturation_seconds: orNull(forecast?.saturationSeconds),
    load_forecast: horizons.filter((h) => Number.isFinite(h.load)).map((h) => ({ horizon_seconds: h.horizonSeconds, load: round(h.load) })),
    current,
    recommended,
    change,
  };
}

function crossSystemHealing(base: PlanBase, task: PlanTarget, agents: readonly PlanAgent[], nowMs: number): CrossSystemHealingPlan {
  const chosen =
    task.agents.length > 0 ? targeted(agents, task.agents) : agents.filter((a) => a.status === 'failed' || a.status === 'critical');
  return {
    ...base,
    kind: 'cross_system_healing',
    agents: chosen.map((a) => ({ ...snapshot(a), seconds_since_seen: round(Math.max(0, nowMs - a.lastSeen) / 1000, 3) })),
    actions: chosen.map((a) => ({
      agent: a.id,
      action: a.status === 'failed' ? 'restart' : a.status === 'critical' || a.status === 'degraded' ? 'investigate' : 'none',
    })),
  };
}

/**
 * Computes the plan of a task from the context now. Never throws on odd data: missing agents,
 * absent analysis and non-finite values give an emptier plan of the same shape.
 */
export function buildPlan(task: PlanTarget, context: PlanContext, nowMs: number): Plan {
  const agents = context.agents(task.swarm);
  const analysis = context.analysis(task.swarm);
  const usesAnalysis =
    analysis !== undefined &&
    ((task.type === 'anomaly_correlation' && (analysis.clusters?.length ?? 0) > 0) ||
      (task.type === 'resource_balancing' && analysis.balanceIndex !== undefined) ||
      (task.type === 'performance_sync' && (analysis.bottlenecks !== undefined || analysis.balanceIndex !== undefined)) ||
      (task.type === 'optimization_sharing' && (analysis.variants?.length ?? 0) > 0) ||
      (task.type === 'predictive_scaling' && analysis.forecast !== undefined));
  const base: PlanBase = { kind: task.type, swarm: task.swarm, computed_at: iso(nowMs), source: usesAnalysis ? 'analysis' : 'registry' };
  switch (task.type) {
    case 'performance_sync':
      return performanceSync(base, targeted(agents, task.agents), agents, analysis);
    case 'anomaly_correlation':
      return anomalyCorrelation(base, task, agents, analysis);
    case 'resource_balancing':
      return resourceBalancing(base, agents, analysis);
    case 'optimization_sharing':
      return optimizationSharing(base, agents, analysis);
    case 'predictive_scaling':
      return predictiveScaling(base, agents, analysis);
    case 'cross_system_healing':
      return crossSystemHealing(base, task, agents, nowMs);
  }
}
