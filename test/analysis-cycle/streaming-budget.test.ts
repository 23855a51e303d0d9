import { describe, expect, it } from 'vitest';
import { planTiers, stateBytes, StreamingBudget } from '../../src/analysis-cycle/streaming-budget.js';
import { capacityFor } from '../../src/analysis-cycle/swarm-analyzer.js';

describe('planTiers', () => {
  const metrics = ['response_time', 'queue_depth', 'active_tasks', 'cpu_usage'];
  const each = stateBytes(100);
  it.each([
    { room: 4, tiers: ['streaming', 'streaming', 'streaming', 'streaming'], held: 4 },
    { room: 5.5, tiers: ['streaming', 'streaming', 'streaming', 'streaming'], held: 4 },
    { room: 3, tiers: ['streaming', 'streaming', 'periodic', 'periodic'], held: 3 },
    { room: 2, tiers: ['streaming', 'periodic', 'periodic', 'periodic'], held: 2 },
    { room: 1, tiers: ['periodic', 'periodic', 'periodic', 'periodic'], held: 1 },
    // Nothing fits: the one shared recompute state is the least a swarm needs, even over budget.
    { room: 0, tiers: ['periodic', 'periodic', 'periodic', 'periodic'], held: 1 },
  ])('with room for $room states: $tiers, holding $held', ({ room, tiers, held }) => {
    const plan = planTiers(metrics, 100, room * each);
    expect(metrics.map((m) => plan.tiers.get(m))).toEqual(tiers);
    expect(plan.bytes).toBe(held * each);
  });

  it('counts a state as the packed cross-products of its slots, n(n−1)/2 doubles', () => {
    expect(stateBytes(5000)).toBe(99_980_000);
  });
});

describe('StreamingBudget', () => {
  it('lets each owner use what the others leave, and takes back what an owner releases', () => {
    const budget = new StreamingBudget(1000);
    const a = {};
    const b = {};
    budget.hold(a, 700);
    expect(budget.allowanceFor(a)).toBe(1000);
    expect(budget.allowanceFor(b)).toBe(300);
    budget.hold(b, 300);
    expect(budget.usedBytes).toBe(1000);
    budget.release(a);
    expect(budget.allowanceFor(b)).toBe(1000);
    expect(budget.usedBytes).toBe(300);
  });
});

describe('capacityFor', () => {
  it.each([
    { agents: 0, maxAgents: 5000, capacity: 16 },
    { agents: 16, maxAgents: 5000, capacity: 32 },
    { agents: 1000, maxAgents: 5000, capacity: 1136 },
    // Never more slots than agents.max_agents allows a swarm…
    { agents: 4500, maxAgents: 5000, capacity: 5000 },
    { agents: 5000, maxAgents: 5000, capacity: 5000 },
    { agents: 3, maxAgents: 3, capacity: 3 },
    // …nor than the kernels' 16,384 rows.
    { agents: 16_000, maxAgents: 20_000, capacity: 16_384 },
  ])('gives $agents agents (max_agents $maxAgents) $capacity slots', ({ agents, maxAgents, capacity }) => {
    expect(capacityFor(agents, maxAgents)).toBe(capacity);
  });
});
