import { describe, expect, it } from 'vitest';
import { MAX_CLUSTER_CANDIDATES } from '../../src/analysis-cycle/anomaly-track.js';
import { StreamingBudget } from '../../src/analysis-cycle/streaming-budget.js';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { MAX_CORRELATED_CUSTOM_METRICS, type SwarmAnalyzer } from '../../src/analysis-cycle/swarm-analyzer.js';
import { differenceSeries } from '../../src/analysis/difference-row.js';
import { pearsonPairwise } from '../../src/analysis/pearson-pair.js';
import { seeded, type Rng } from '../analysis/support/random.js';
import { engineHarness, type EngineHarness } from '../support/engine-harness.js';
import type { StepValues } from '../support/swarm-driver.js';

/** Agents g<k>-<i>: group k follows its own signal; the "solo" agents are noise. */
function groupedStep(rng: Rng, groups: number, perGroup: number, solo: number, metrics: readonly string[]): StepValues {
  const step: Record<string, Record<string, number>> = {};
  for (const metric of metrics) {
    for (let k = 0; k < groups; k += 1) {
      const shared = rng.gauss();
      for (let i = 0; i < perGroup; i += 1) (step[`g${k}-${i}`] ??= {})[metric] = 5 + shared + 0.3 * rng.gauss();
    }
    for (let i = 0; i < solo; i += 1) (step[`solo-${i}`] ??= {})[metric] = 5 + rng.gauss();
  }
  return step;
}

function analyzerOf(h: EngineHarness, swarm = 'default'): SwarmAnalyzer {
  // The engine's analyzers are private; the harness reads them for white-box facts (tiers, capacity).
  const analyzers = (h.engine as unknown as { analyzers: Map<string, SwarmAnalyzer> }).analyzers;
  const found = analyzers.get(swarm);
  if (found === undefined) throw new Error(`no analyzer for ${swarm}`);
  return found;
}

/** Reference r of two agents' changes (first differences of the store's windows; two-pass, pairwise complete). */
function referenceR(h: EngineHarness, metric: string, a: string, b: string, minOverlap = 15): number {
  const windows = h.registry.swarm('default')?.windows;
  if (!windows) return Number.NaN;
  return pearsonPairwise(
    differenceSeries(windows.chronological(metric, a)),
    differenceSeries(windows.chronological(metric, b)),
    minOverlap,
  );
}

describe('SwarmAnalyzer correlation tiers', () => {
  const metrics = ['queue_depth', 'response_time', 'active_tasks'];

  async function run(budget: StreamingBudget): Promise<{ h: EngineHarness; last: SwarmAnalysis | undefined }> {
    const h = engineHarness({ windowPoints: 60, budget });
    const rng = seeded(17);
    let last: SwarmAnalysis | undefined;
    for (let t = 0; t < 80; t += 1) last = await h.step(groupedStep(rng, 3, 4, 6, metrics));
    return { h, last };
  }

  it('recomputes every metric periodically when the budget holds no streaming state, with the same exposed pairs and exact r', async () => {
    const streaming = await run(new StreamingBudget());
    const periodic = await run(new StreamingBudget(0));
    expect([...analyzerOf(streaming.h).tiers().values()]).toEqual(['streaming', 'streaming', 'streaming']);
    expect([...analyzerOf(periodic.h).tiers().values()]).toEqual(['periodic', 'periodic', 'periodic']);
    for (const metric of metrics) {
      const a = streaming.last?.top_pairs[metric] ?? [];
      const b = periodic.last?.top_pairs[metric] ?? [];
      // Only significant pairs are exposed (analysis.correlation_fdr): the 18 within-group pairs, and
      // at most the odd false discovery among the 1,260 null pairs.
      expect(a.length).toBeGreaterThanOrEqual(18);
      expect(a.length).toBeLessThanOrEqual(20);
      // Both selections hold the 18 within-group pairs, the strongest; their r agree with the reference.
      const strongA = a.filter((p) => Math.abs(p.r) > 0.6);
      const strongB = b.filter((p) => Math.abs(p.r) > 0.6);
      expect(strongB.map((p) => `${p.agent_a}|${p.agent_b}`).sort()).toEqual(strongA.map((p) => `${p.agent_a}|${p.agent_b}`).sort());
      expect(strongA).toHaveLength(18);
      for (const p of strongB) expect(p.r).toBeCloseTo(referenceR(periodic.h, metric, p.agent_a, p.agent_b), 9);
      for (const p of strongA) expect(p.r).toBeCloseTo(referenceR(streaming.h, metric, p.agent_a, p.agent_b), 9);
    }
    expect(periodic.h.engine.budget.usedBytes).toBeGreaterThan(0);
  });

  it('streams the highest-priority metrics and recomputes the rest when the budget holds only some states', async () => {
    // Room for three and a half 4·N² buffers at N = 32 slots: one is the swarm's matrix of r, the
    // first metric in priority streams, the two others take turns in the one shared recompute state.
    const perState = (32 * 31 * 8) / 2;
    const { h } = await run(new StreamingBudget(3.5 * perState));
    expect(analyzerOf(h).capacity).toBe(32);
    expect(Object.fromEntries(analyzerOf(h).tiers())).toEqual({
      response_time: 'streaming',
      queue_depth: 'periodic',
      active_tasks: 'periodic',
    });
    expect(h.engine.budget.usedBytes).toBe(3 * perState);
  });
});

describe('SwarmAnalyzer membership', () => {
  it('grows its slot space as agents join and keeps every exposed r exact', async () => {
    const h = engineHarness({ windowPoints: 40 });
    const rng = seeded(3);
    for (let t = 0; t < 30; t += 1) await h.step(groupedStep(rng, 1, 3, 5, ['active_tasks']));
    expect(analyzerOf(h).capacity).toBe(16);
    let last: SwarmAnalysis | undefined;
    for (let t = 0; t < 30; t += 1) last = await h.step(groupedStep(rng, 5, 6, 10, ['active_tasks']));
    expect(analyzerOf(h).capacity).toBeGreaterThanOrEqual(40);
    for (const p of last?.top_pairs.active_tasks ?? []) expect(p.r).toBeCloseTo(referenceR(h, 'active_tasks', p.agent_a, p.agent_b, 10), 9);
  });

  it('forgets a departed agent: a newcomer in its slot inherits neither its pairs nor its window', async () => {
    const h = engineHarness({ windowPoints: 40, limits: { heartbeatTimeoutMs: 2000, expireAfterMs: 4000 } });
    const rng = seeded(8);
    for (let t = 0; t < 40; t += 1) {
      const shared = rng.gauss();
      await h.step({
        leaver: { cpu_usage: 0.5 + 0.1 * shared },
        stayer: { cpu_usage: 0.5 + 0.1 * shared + 0.01 * rng.gauss() },
        other: { cpu_usage: 0.5 + 0.1 * rng.gauss() },
      });
    }
    let last: SwarmAnalysis | undefined;
    for (let t = 0; t < 30; t += 1) {
      // The newcomer moves with the stayer, so their pair is significant and exposed.
      const stayer = 0.5 + 0.1 * rng.gauss();
      last = await h.step({
        stayer: { cpu_usage: stayer },
        other: { cpu_usage: 0.5 + 0.1 * rng.gauss() },
        ...(t >= 6 ? { newcomer: { cpu_usage: stayer + 0.02 * rng.gauss() } } : {}),
      });
    }
    const pairs = last?.top_pairs.cpu_usage ?? [];
    expect(pairs.some((p) => p.agent_a === 'leaver' || p.agent_b === 'leaver')).toBe(false);
    const newcomer = pairs.find((p) => p.agent_a === 'newcomer' || p.agent_b === 'newcomer');
    expect(newcomer).toBeDefined();
    expect(newcomer?.r).toBeCloseTo(referenceR(h, 'cpu_usage', newcomer?.agent_a ?? '', newcomer?.agent_b ?? '', 10), 9);
    expect(last?.anomaly_scores.some((a) => a.agent === 'leaver')).toBe(false);
  });

  it('shrinks its slot space when most agents have left', async () => {
    const h = engineHarness({ windowPoints: 20, limits: { heartbeatTimeoutMs: 2000, expireAfterMs: 4000 } });
    const rng = seeded(9);
    for (let t = 0; t < 5; t += 1) await h.step(groupedStep(rng, 4, 10, 0, ['active_tasks']));
    expect(analyzerOf(h).capacity).toBe(48);
    for (let t = 0; t < 10; t += 1) await h.step(groupedStep(rng, 1, 3, 0, ['active_tasks']));
    expect(analyzerOf(h).capacity).toBe(16);
  });
});

describe('SwarmAnalyzer bounds', () => {
  it('caps the agents a swarm-wide spike brings into the cluster search', async () => {
    const h = engineHarness({ windowPoints: 30 });
    const rng = seeded(12);
    const n = 600;
    const step = (spike: number): StepValues => {
      const shared = rng.gauss();
      return Object.fromEntries(
        Array.from({ length: n }, (_, i) => [`a${i}`, { response_time: 2 + 0.2 * shared + 0.05 * rng.gauss() + spike }]),
      );
    };
    for (let t = 0; t < 30; t += 1) await h.step(step(0));
    const started = performance.now();
    const last = await h.step(step(10));
    const seconds = (performance.now() - started) / 1000;
    expect(last?.anomalies.length).toBe(n);
    expect(last?.clusters[0]?.agents.length).toBe(MAX_CLUSTER_CANDIDATES);
    // Generous: the uncapped search would visit 180,000 pairs per recent step.
    expect(seconds).toBeLessThan(5);
  });

  it('exposes no pair and still scores everything else with top_pairs: 0', async () => {
    const h = engineHarness({ windowPoints: 30, topPairs: 0 });
    const rng = seeded(2);
    let last: SwarmAnalysis | undefined;
    for (let t = 0; t < 20; t += 1) last = await h.step(groupedStep(rng, 1, 3, 2, ['active_tasks', 'queue_depth']));
    expect(last?.top_pairs).toEqual({ queue_depth: [], active_tasks: [] });
    expect(last?.lead_lag).toEqual([]);
    expect(last?.metric_correlations).toEqual([]);
    expect(last?.correlation_mean_abs.active_tasks).toBeGreaterThan(0);
    expect(last?.bottlenecks[0]?.components.upstream_impact).toBeUndefined();
  });

  it(`correlates at most ${MAX_CORRELATED_CUSTOM_METRICS} custom metrics per swarm, keeping the first ones`, async () => {
    const h = engineHarness({ windowPoints: 20 });
    const rng = seeded(4);
    let last: SwarmAnalysis | undefined;
    for (let t = 0; t < 3; t += 1) {
      const custom = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`custom_${i}`, rng.next()]));
      last = await h.step({ a: { cpu_usage: rng.next(), ...custom }, b: { cpu_usage: rng.next(), ...custom } });
    }
    expect(Object.keys(last?.top_pairs ?? {})).toEqual(['cpu_usage', 'custom_0', 'custom_1', 'custom_2', 'custom_3']);
  });
});
