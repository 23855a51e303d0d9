import { describe, expect, it } from 'vitest';
import { impactRatio, planContextProbe, type ScoreReading } from '../../src/coordination/impact.js';
import type { PlanAgent, PlanAnalysis, PlanContext } from '../../src/coordination/plan-context.js';

const up = (value: number): ScoreReading => ({ score: 's', value, higherIsBetter: true });
const down = (value: number): ScoreReading => ({ score: 's', value, higherIsBetter: false });

describe('impactRatio', () => {
  it.each([
    ['higher is better, improved', up(0.5), up(0.75), 0.5],
    ['higher is better, worse', up(0.8), up(0.4), -0.5],
    ['lower is better, improved', down(4), down(1), 0.75],
    ['unchanged', up(0.7), up(0.7), 0],
    ['from a zero baseline: the change itself', up(0), up(0.6), 0.6],
  ])('%s', (_name, before, after, expected) => {
    expect(impactRatio(before, after)).toBeCloseTo(expected, 10);
  });
});

describe('planContextProbe', () => {
  const agents: PlanAgent[] = [
    { id: 'a', type: 't', variant: '', status: 'good', healthScore: 0.8, lastSeen: 0, capacity: 2, values: { active_tasks: 2 } },
    { id: 'b', type: 't', variant: '', status: 'failed', healthScore: undefined, lastSeen: 0, capacity: 2, values: { active_tasks: 0 } },
    { id: 'c', type: 't', variant: '', status: 'critical', healthScore: 0.4, lastSeen: 0, capacity: 2, values: { active_tasks: 0 } },
  ];
  const ctx = (analysis?: PlanAnalysis): PlanContext => ({ swarms: () => ['s'], agents: () => agents, analysis: () => analysis });

  it('scores healing by the mean health of the targeted agents, failed counting 0', () => {
    expect(planContextProbe(ctx()).read({ type: 'cross_system_healing', swarm: 's', agents: ['b', 'c'] })).toEqual({
      score: 'health',
      value: 0.2,
      higherIsBetter: true,
    });
    expect(planContextProbe(ctx()).read({ type: 'performance_sync', swarm: 's', agents: [] })?.value).toBeCloseTo(0.4, 10);
  });

  it('scores balancing by the balance index, from analysis when present', () => {
    // Utilisations 2/2, 0/2 (failed, still registered: counted as agentswarm_load_balance_index counts it), 0/2.
    expect(planContextProbe(ctx()).read({ type: 'resource_balancing', swarm: 's', agents: [] })).toEqual({
      score: 'balance_index',
      value: 1 / 3,
      higherIsBetter: true,
    });
    expect(
      planContextProbe(ctx({ takenAt: 0, balanceIndex: 0.9 })).read({ type: 'resource_balancing', swarm: 's', agents: [] })?.value,
    ).toBe(0.9);
  });

  it('scores anomalies lower-is-better and scaling by time to saturation', () => {
    expect(planContextProbe(ctx()).read({ type: 'anomaly_correlation', swarm: 's', agents: [] })).toEqual({
      score: 'unhealthy_agents',
      value: 2,
      higherIsBetter: false,
    });
    const forecast = { valid: true, horizons: [], saturationSeconds: undefined, recommendedAgents: {}, confidence: 1 };
    expect(planContextProbe(ctx({ takenAt: 0, forecast })).read({ type: 'predictive_scaling', swarm: 's', agents: [] })?.value).toBe(
      86_400,
    );
    expect(planContextProbe(ctx()).read({ type: 'predictive_scaling', swarm: 's', agents: [] })).toBeUndefined();
  });

  it('reads nothing for an empty swarm', () => {
    const empty: PlanContext = { swarms: () => [], agents: () => [], analysis: () => undefined };
    expect(planContextProbe(empty).read({ type: 'cross_system_healing', swarm: 'x', agents: [] })).toBeUndefined();
  });
});
