import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COORDINATION_TYPES } from '../../src/model/coordination-vocabulary.js';
import type { HealthStatus } from '../../src/model/health-status.js';
import { EMPTY_PLAN_CONTEXT, type PlanAgent, type PlanAnalysis, type PlanContext } from '../../src/coordination/plan-context.js';
import { jainIndex } from '../../src/analysis/load-balance.js';
import { buildPlan, type ResourceBalancingPlan } from '../../src/coordination/plans.js';

const NOW = Date.UTC(2026, 0, 1, 12);

function agent(id: string, status: HealthStatus, values: Record<string, number>, extra: Partial<PlanAgent> = {}): PlanAgent {
  return {
    id,
    type: 'worker',
    variant: '',
    status,
    healthScore: status === 'failed' ? 0 : 0.9,
    lastSeen: NOW - 10_000,
    capacity: 4,
    values,
    ...extra,
  };
}

function context(agents: PlanAgent[], analysis?: PlanAnalysis): PlanContext {
  return {
    swarms: () => ['s'],
    agents: (swarm) => (swarm === 's' ? agents : []),
    analysis: (swarm) => (swarm === 's' ? analysis : undefined),
  };
}

const swarm = [
  agent('alpha', 'optimal', { active_tasks: 4, queue_depth: 4, cpu_usage: 0.9 }, { healthScore: 0.95, variant: 'v1' }),
  agent('beta', 'degraded', { active_tasks: 1, queue_depth: 0 }, { healthScore: 0.6, variant: 'v2' }),
  agent('gamma', 'failed', { active_tasks: 2 }, { lastSeen: NOW - 90_000, variant: 'v1' }),
  agent('delta', 'good', { active_tasks: 0, queue_depth: 0 }, { healthScore: 0.8, capacity: undefined, type: 'planner' }),
];

describe('buildPlan', () => {
  it.each(COORDINATION_TYPES)('gives %s its shape even with no data at all', (type) => {
    const plan = buildPlan({ type, swarm: 'empty', agents: [] }, EMPTY_PLAN_CONTEXT, NOW);
    expect(plan).toMatchObject({ kind: type, swarm: 'empty', computed_at: '2026-01-01T12:00:00.000Z', source: 'registry' });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('performance_sync: a snapshot of the swarm with a status summary', () => {
    const plan = buildPlan({ type: 'performance_sync', swarm: 's', agents: [] }, context(swarm), NOW);
    expect(plan).toMatchObject({
      summary: { agents: 4, by_status: { optimal: 1, good: 1, degraded: 1, critical: 0, failed: 1 }, mean_health: 0.5875 },
      bottlenecks: [],
    });
    if (plan.kind !== 'performance_sync') throw new Error('kind');
    expect(plan.agents.map((a) => a.id)).toEqual(['alpha', 'beta', 'gamma', 'delta']);
    expect(plan.agents[0]).toMatchObject({ last_seen: '2026-01-01T11:59:50.000Z', values: { active_tasks: 4 } });
  });

  it('cross_system_healing: failed and critical agents with their last state, restart for failed', () => {
    const plan = buildPlan({ type: 'cross_system_healing', swarm: 's', agents: [] }, context(swarm), NOW);
    expect(plan).toMatchObject({
      agents: [{ id: 'gamma', status: 'failed', seconds_since_seen: 90, values: { active_tasks: 2 } }],
      actions: [{ agent: 'gamma', action: 'restart' }],
    });
    const named = buildPlan({ type: 'cross_system_healing', swarm: 's', agents: ['beta', 'nobody'] }, context(swarm), NOW);
    expect(named).toMatchObject({ agents: [{ id: 'beta' }], actions: [{ agent: 'beta', action: 'investigate' }] });
  });

  it('resource_balancing: current loads and moves that even them by capacity, failed agents emptied', () => {
    const plan = buildPlan({ type: 'resource_balancing', swarm: 's', agents: [] }, context(swarm), NOW) as ResourceBalancingPlan;
    // Loads 8, 1, 2 (failed), 0 = 11 over live capacity 4 + 4 + 1 = 9.
    expect(plan.total_load).toBe(11);
    expect(plan.target_utilization).toBeCloseTo(11 / 9, 4);
    expect(plan.agents.find((a) => a.id === 'gamma')).toMatchObject({ target_load: 0, delta: -2 });
    expect(plan.balance_index_after).toBe(1);
    expect(plan.balance_index_now).toBeLessThan(1);
    const after = applyMoves(plan);
    for (const a of plan.agents) expect(after.get(a.id)).toBeCloseTo(a.target_load, 3);
  });

  it('resource_balancing: applying the moves always reaches the targets with at most n-1 moves', () => {
    const arb = fc.array(
      fc.record({
        load: fc.integer({ min: 0, max: 50 }),
        capacity: fc.option(fc.integer({ min: 1, max: 8 }), { nil: undefined }),
        failed: fc.boolean(),
      }),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(arb, (rows) => {
        const agents = rows.map((r, i) => agent(`a${i}`, r.failed ? 'failed' : 'good', { active_tasks: r.load }, { capacity: r.capacity }));
        const plan = buildPlan({ type: 'resource_balancing', swarm: 's', agents: [] }, context(agents), NOW) as ResourceBalancingPlan;
        expect(plan.moves.length).toBeLessThanOrEqual(Math.max(0, agents.length - 1));
        const after = applyMoves(plan);
        const live = plan.agents.filter((a) => a.status !== 'failed');
        if (live.length > 0) for (const a of plan.agents) expect(Math.abs((after.get(a.id) ?? 0) - a.target_load)).toBeLessThan(0.01);
      }),
    );
  });

  it('anomaly_correlation: the cluster holding the alerted agents, with its evidence', () => {
    const analysis: PlanAnalysis = {
      takenAt: NOW,
      clusters: [
        {
          agents: ['alpha', 'beta', 'delta'],
          metrics: ['response_time'],
          evidence: [{ agent: 'alpha', metric: 'response_time', score: 5.123456 }],
        },
        { agents: ['gamma', 'beta'], metrics: ['error_rate'], evidence: [] },
      ],
    };
    const plan = buildPlan({ type: 'anomaly_correlation', swarm: 's', agents: ['gamma'] }, context(swarm, analysis), NOW);
    expect(plan).toMatchObject({ source: 'analysis', cluster: { agents: ['gamma', 'beta'], size: 2, metrics: ['error_rate'] } });
    const largest = buildPlan({ type: 'anomaly_correlation', swarm: 's', agents: [] }, context(swarm, analysis), NOW);
    expect(largest).toMatchObject({ cluster: { size: 3 }, evidence: [{ agent: 'alpha', metric: 'response_time', score: 5.1235 }] });
    const fallback = buildPlan({ type: 'anomaly_correlation', swarm: 's', agents: [] }, context(swarm), NOW);
    expect(fallback).toMatchObject({ source: 'registry', cluster: { agents: ['beta', 'gamma'] } });
  });

  it('optimization_sharing: the best significant variant, else the healthiest agent', () => {
    const analysis: PlanAnalysis = {
      takenAt: NOW,
      variants: [
        { metric: 'throughput', variant: 'v2', effectRatio: 0.3, pValue: 0.01, higherIsBetter: true },
        { metric: 'error_rate', variant: 'v3', effectRatio: -0.5, pValue: 0.001, higherIsBetter: false },
        { metric: 'throughput', variant: 'v4', effectRatio: 0.9, pValue: 0.2, higherIsBetter: true },
      ],
    };
    const plan = buildPlan({ type: 'optimization_sharing', swarm: 's', agents: [] }, context(swarm, analysis), NOW);
    expect(plan).toMatchObject({
      source: 'analysis',
      best: { variant: 'v3', metric: 'error_rate', advantage: 0.5, p_value: 0.001 },
      adopt_by: ['alpha', 'beta', 'delta'],
    });
    const fallback = buildPlan({ type: 'optimization_sharing', swarm: 's', agents: [] }, context(swarm), NOW);
    expect(fallback).toMatchObject({ best: { agent: 'alpha', variant: 'v1', value: 0.95, metric: 'health_score' }, adopt_by: ['beta'] });
  });

  it('predictive_scaling: recommended agents per type, horizon and confidence; no change without a valid forecast', () => {
    const forecast = {
      valid: true,
      horizons: [
        { horizonSeconds: 300, load: 12 },
        { horizonSeconds: 3600, load: 20.123456 },
      ],
      saturationSeconds: 900,
      recommendedAgents: { worker: 4.2, planner: 1 },
      confidence: 0.8,
    };
    const plan = buildPlan({ type: 'predictive_scaling', swarm: 's', agents: [] }, context(swarm, { takenAt: NOW, forecast }), NOW);
    expect(plan).toMatchObject({
      valid: true,
      horizon_seconds: 3600,
      confidence: 0.8,
      saturation_seconds: 900,
      load_forecast: [
        { horizon_seconds: 300, load: 12 },
        { horizon_seconds: 3600, load: 20.1235 },
      ],
      current: { worker: 2, planner: 1 },
      recommended: { worker: 5, planner: 1 },
      change: { worker: 3, planner: 0 },
    });
    const invalid = buildPlan(
      { type: 'predictive_scaling', swarm: 's', agents: [] },
      context(swarm, { takenAt: NOW, forecast: { ...forecast, valid: false } }),
      NOW,
    );
    expect(invalid).toMatchObject({
      valid: false,
      confidence: 0,
      recommended: { worker: 2, planner: 1 },
      change: { worker: 0, planner: 0 },
    });
  });
});

describe('jainIndex', () => {
  it.each([
    [[1, 1, 1, 1], 1],
    [[1, 0, 0, 0], 0.25],
    [[0, 0], 1],
    [[2, 1], 0.9],
  ])('of %j is %d', (xs, expected) => {
    expect(jainIndex(xs)).toBeCloseTo(expected, 10);
  });
  it('stays in [1/n, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), (xs) => {
        const j = jainIndex(xs) ?? Number.NaN;
        expect(j).toBeGreaterThanOrEqual(1 / xs.length - 1e-9);
        expect(j).toBeLessThanOrEqual(1 + 1e-9);
      }),
    );
  });
});

function applyMoves(plan: ResourceBalancingPlan): Map<string, number> {
  const loads = new Map(plan.agents.map((a) => [a.id, a.load]));
  for (const m of plan.moves) {
    loads.set(m.from, (loads.get(m.from) ?? 0) - m.load);
    loads.set(m.to, (loads.get(m.to) ?? 0) + m.load);
  }
  return loads;
}
