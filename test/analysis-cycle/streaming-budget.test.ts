import { describe, expect, it } from 'vitest';
import { DEFAULT_STREAMING_BUDGET_BYTES, planTiers, stateBytes, StreamingBudget } from '../../src/analysis-cycle/streaming-budget.js';
import { capacityFor } from '../../src/analysis-cycle/swarm-analyzer.js';

describe('planTiers', () => {
  const metrics = ['response_time', 'queue_depth', 'active_tasks', 'cpu_usage'];
  const each = stateBytes(100);
  // Room counts whole buffers of stateBytes(100): one is always the swarm's matrix of r.
  it.each([
    { room: 5, tiers: ['streaming', 'streaming', 'streaming', 'streaming'], held: 5 },
    { room: 6.5, tiers: ['streaming', 'streaming', 'streaming', 'streaming'], held: 5 },
    { room: 4, tiers: ['streaming', 'streaming', 'periodic', 'periodic'], held: 4 },
    { room: 3, tiers: ['streaming', 'periodic', 'periodic', 'periodic'], held: 3 },
    { room: 2, tiers: ['periodic', 'periodic', 'periodic', 'periodic'], held: 2 },
    // Nothing fits: the matrix and the one shared recompute state are the least a swarm needs, even over budget.
    { room: 0, tiers: ['periodic', 'periodic', 'periodic', 'periodic'], held: 2 },
  ])('with room for $room buffers: $tiers, holding $held', ({ room, tiers, held }) => {
    const plan = planTiers(metrics, 100, room * each);
    expect(metrics.map((m) => plan.tiers.get(m))).toEqual(tiers);
    expect(plan.bytes).toBe(held * each);
  });

  it('streams a lone metric in the one buffer a swarm always holds beside its matrix', () => {
    const plan = planTiers(['cpu_usage'], 100, 0);
    expect(plan.tiers.get('cpu_usage')).toBe('streaming');
    expect(plan.bytes).toBe(2 * each);
  });

  it.each([
    // The default budget's promises (docs/analysis.md, "Cost and memory").
    { slots: 3547, metrics: 8, streaming: 8 },
    { slots: 5000, metrics: 8, streaming: 2 },
    { slots: 6752, metrics: 10, streaming: 0 },
    // The stretch case: one metric at 10,000 agents streams (400 MB) beside its matrix, over budget.
    { slots: 10_000, metrics: 1, streaming: 1 },
  ])('under the default budget, $slots slots × $metrics metrics: $streaming streaming', ({ slots, metrics: count, streaming }) => {
    const names = Array.from({ length: count }, (_, i) => `m${i}`);
    const plan = planTiers(names, slots, DEFAULT_STREAMING_BUDGET_BYTES);
    expect([...plan.tiers.values()].filter((t) => t === 'streaming').length).toBe(streaming);
    expect(plan.bytes).toBeLessThanOrEqual(Math.max(DEFAULT_STREAMING_BUDGET_BYTES, 2 * stateBytes(slots)));
    expect(plan.bytes).toBe(stateBytes(slots) * (streaming + (streaming < count ? 2 : 1)));
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
