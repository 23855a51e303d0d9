import { describe, expect, it } from 'vitest';
import { ManualClock } from '../fakes/manual-clock.js';
import { registryPlanContext } from '../../src/coordination/registry-plan-context.js';
import { buildPlan } from '../../src/coordination/plans.js';
import { AgentRegistry } from '../../src/store/agent-registry.js';

function registry(clock: ManualClock): AgentRegistry {
  return new AgentRegistry(
    { heartbeatTimeoutMs: 45_000, expireAfterMs: 600_000, maxAgents: 100, maxCustomMetrics: 8, stepMs: 1000, windowMs: 60_000 },
    clock,
  );
}

describe('registryPlanContext', () => {
  it('shows the registry agents with their latest values, capacity and liveness', () => {
    const clock = new ManualClock();
    const reg = registry(clock);
    reg.heartbeat('demo', 'alpha', { type: 'worker', capacity: 4, variant: 'v2' });
    reg.heartbeat('demo', 'beta', { type: 'planner' });
    reg.ingest([{ swarm: 'demo', agent: 'alpha', metric: 'active_tasks', value: 3, timestamp: clock.now() }], 'push');
    const context = registryPlanContext(reg);
    expect(context.swarms()).toEqual(['demo']);
    expect(context.agents('demo')).toMatchObject([
      { id: 'alpha', type: 'worker', variant: 'v2', capacity: 4, values: { active_tasks: 3 }, lastSeen: clock.now() },
      { id: 'beta', type: 'planner', capacity: undefined, values: {} },
    ]);
    expect(context.agents('nope')).toEqual([]);
    expect(context.analysis('demo')).toBeUndefined();
  });

  it('reports an agent silent past the heartbeat timeout as failed, and plans its restart', () => {
    const clock = new ManualClock();
    const reg = registry(clock);
    reg.heartbeat('demo', 'alpha', {});
    clock.advance(60_000);
    reg.heartbeat('demo', 'beta', {});
    reg.step();
    const context = registryPlanContext(reg);
    expect(context.agents('demo').find((a) => a.id === 'alpha')).toMatchObject({ status: 'failed', healthScore: 0 });
    expect(buildPlan({ type: 'cross_system_healing', swarm: 'demo', agents: [] }, context, clock.now())).toMatchObject({
      actions: [{ agent: 'alpha', action: 'restart' }],
    });
  });
});
