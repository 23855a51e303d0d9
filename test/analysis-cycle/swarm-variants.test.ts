import { describe, expect, it } from 'vitest';
import type { VariantComparison } from '../../src/analysis-cycle/swarm-analysis.js';
import { AGENT_LEVEL_MIN_AGENTS } from '../../src/analysis-cycle/swarm-variants.js';
import { seeded } from '../analysis/support/random.js';
import { engineHarness } from '../support/engine-harness.js';

interface Member {
  readonly id: string;
  readonly type: string;
  readonly variant: string;
  readonly latency: number;
}

async function compare(members: readonly Member[], steps = 30): Promise<readonly VariantComparison[]> {
  const h = engineHarness({ windowPoints: 60 });
  const rng = seeded(6);
  for (const m of members) h.registry.heartbeat('default', m.id, { type: m.type, variant: m.variant });
  let variants: readonly VariantComparison[] = [];
  for (let t = 0; t < steps; t += 1) {
    const last = await h.step(Object.fromEntries(members.map((m) => [m.id, { response_time: m.latency * (1 + 0.1 * rng.gauss()) }])));
    variants = last?.variants ?? [];
  }
  return variants.filter((v) => v.metric === 'response_time');
}

describe('variant comparison', () => {
  // Definition changed on purpose (issue 11): with too few agents no p-value is exposed; pooled
  // points (the old fallback) called 57 % of null runs significant with 3 vs 3 agents.
  it('compares a canary worker with the baseline workers only, with no p-value when there are too few agents', async () => {
    const variants = await compare([
      { id: 'w1', type: 'worker', variant: 'v1', latency: 1 },
      { id: 'w2', type: 'worker', variant: 'v1', latency: 1 },
      { id: 'p1', type: 'planner', variant: 'v1', latency: 10 },
      { id: 'p2', type: 'planner', variant: 'v1', latency: 10 },
      { id: 'canary', type: 'worker', variant: 'v2', latency: 1 },
    ]);
    expect(variants).toHaveLength(1);
    const [v] = variants;
    expect(v?.baseline).toBe('v1');
    expect(v?.unit).toBe('agents');
    expect(v?.n_baseline).toBe(2);
    expect(v?.n_variant).toBe(1);
    expect(v?.p_value).toBeNull();
    expect(v?.p_value_unadjusted).toBeNull();
    // Against every v1 agent, planners included, the canary would look 80 % faster.
    expect(Math.abs(v?.effect_ratio ?? 1)).toBeLessThan(0.1);
  });

  it(`compares per-agent means once both sides have ${AGENT_LEVEL_MIN_AGENTS} agents`, async () => {
    const members: Member[] = [];
    for (let i = 0; i < 6; i += 1) members.push({ id: `base-${i}`, type: 'worker', variant: 'base', latency: 1 });
    for (let i = 0; i < AGENT_LEVEL_MIN_AGENTS; i += 1) members.push({ id: `slow-${i}`, type: 'worker', variant: 'slow', latency: 2 });
    const [v] = await compare(members);
    expect(v?.unit).toBe('agents');
    expect(v?.n_baseline).toBe(6);
    expect(v?.n_variant).toBe(AGENT_LEVEL_MIN_AGENTS);
    expect(v?.effect_ratio).toBeCloseTo(1, 1);
    expect(v?.p_value).toBeLessThan(1e-6);
  });

  it('does not compare a variant whose types the baseline does not have', async () => {
    const variants = await compare([
      { id: 'w1', type: 'worker', variant: 'v1', latency: 1 },
      { id: 'w2', type: 'worker', variant: 'v1', latency: 1 },
      { id: 'r1', type: 'reviewer', variant: 'v2', latency: 1 },
    ]);
    expect(variants).toEqual([]);
  });
});
