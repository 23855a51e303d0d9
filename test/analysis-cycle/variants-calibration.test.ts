import { describe, expect, it } from 'vitest';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { seeded, type Rng } from '../analysis/support/random.js';
import { engineHarness } from '../support/engine-harness.js';

const RUNS = 200;
const STEPS = 70;
const LATENCY = 2;
const THROUGHPUT = 5;

interface Agent {
  readonly id: string;
  readonly variant: string;
  /** Agent-level offset: agents differ for reasons that have nothing to do with the variant. */
  readonly offset: number;
  /** Steps before it joins (a late joiner), iid per agent. */
  readonly joinAt: number;
  ar: number;
}

/**
 * `RUNS` swarms in one engine through the registry's ingest: per agent a level offset (5 %), AR(0.7)
 * noise (10 % stationary sd), a shared load wave (±20 %, every agent), a random join time in the
 * first 40 steps, and about one missed step in twenty. Two metrics per agent (response_time,
 * throughput), so Holm's adjustment has a family of two per variant. `effect` multiplies the
 * variant's response_time.
 */
async function runAll(perSide: number, effect: number, seedBase: number): Promise<SwarmAnalysis[]> {
  const h = engineHarness({ windowPoints: 60, forecastHorizonsMs: [30_000] });
  const swarms: { name: string; rng: Rng; agents: Agent[] }[] = [];
  for (let k = 0; k < RUNS; k += 1) {
    const rng = seeded(seedBase + k);
    const agents: Agent[] = [];
    for (const variant of ['base', 'cand']) {
      for (let i = 0; i < perSide; i += 1)
        agents.push({ id: `${variant}-${i}`, variant, offset: 0.05 * rng.gauss(), joinAt: Math.floor(rng.next() * 40), ar: 0 });
    }
    swarms.push({ name: `ab-${k}`, rng, agents });
  }
  // The baseline must be the most common variant: add one idle planner of variant "base" (another type, never compared).
  for (let t = 0; t < STEPS; t += 1) {
    const samples: { swarm: string; agent: string; metric: string; value: number }[] = [];
    const wave = 1 + 0.2 * Math.sin((2 * Math.PI * t) / 80);
    for (const s of swarms) {
      for (const a of s.agents) {
        a.ar = 0.7 * a.ar + Math.sqrt(1 - 0.49) * 0.1 * s.rng.gauss();
        if (t < a.joinAt) continue;
        if (t === a.joinAt) h.registry.heartbeat(s.name, a.id, { type: 'worker', variant: a.variant });
        if (s.rng.next() < 0.05) continue;
        const factor = (1 + a.offset) * (1 + a.ar) * wave;
        samples.push({
          swarm: s.name,
          agent: a.id,
          metric: 'response_time',
          value: Math.max(0.01, LATENCY * factor * (a.variant === 'cand' ? effect : 1)),
        });
        samples.push({ swarm: s.name, agent: a.id, metric: 'throughput', value: Math.max(0, THROUGHPUT * factor) });
      }
      if (t === 0) h.registry.heartbeat(s.name, 'planner', { type: 'planner', variant: 'base' });
    }
    const outcome = h.registry.ingest(samples, 'push');
    expect(outcome.rejected).toBe(0);
    await h.engine.cycle();
    h.clock.advance(1000);
  }
  return swarms.map((s) => h.engine.latest().get(s.name)).filter((a): a is SwarmAnalysis => a !== undefined);
}

describe('A/B calibration with the agent as the unit', () => {
  it('keeps an identical variant at the test level with 3 vs 3 agents (agent offsets, AR(0.7) noise): 2–8 % of runs at p < 0.05', async () => {
    const results = await runAll(3, 1, 5000);
    expect(results).toHaveLength(RUNS);
    let raw = 0;
    let adjusted = 0;
    let familyWise = 0;
    for (const a of results) {
      const rt = a.variants.find((v) => v.metric === 'response_time' && v.variant === 'cand');
      expect(rt?.baseline).toBe('base');
      expect(rt?.n_variant).toBe(3);
      expect(rt?.n_baseline).toBe(3);
      if ((rt?.p_value_unadjusted ?? 1) < 0.05) raw += 1;
      if ((rt?.p_value ?? 1) < 0.05) adjusted += 1;
      if (a.variants.some((v) => (v.p_value ?? 1) < 0.05)) familyWise += 1;
    }
    expect(raw / RUNS).toBeGreaterThanOrEqual(0.02);
    expect(raw / RUNS).toBeLessThanOrEqual(0.08);
    // What /metrics exports (Holm over both metrics) is at most as often below the bar, and so is "any metric".
    expect(adjusted).toBeLessThanOrEqual(raw);
    expect(familyWise / RUNS).toBeLessThanOrEqual(0.08);
  }, 120_000);

  it('finds a 30 % lower response time with 6 vs 6 agents at p < 0.01 (Holm-adjusted) in at least 90 % of runs', async () => {
    const results = await runAll(6, 0.7, 9000);
    let found = 0;
    for (const a of results) {
      const rt = a.variants.find((v) => v.metric === 'response_time' && v.variant === 'cand');
      if ((rt?.p_value ?? 1) < 0.01 && (rt?.effect_ratio ?? 0) < -0.2) found += 1;
    }
    expect(found / RUNS).toBeGreaterThanOrEqual(0.9);
  }, 120_000);
});
