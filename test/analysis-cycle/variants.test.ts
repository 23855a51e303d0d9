import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisEngine } from '../../src/analysis-cycle/analysis-engine.js';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { AgentRegistry } from '../../src/store/agent-registry.js';
import { seeded, type Rng } from '../analysis/support/random.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { SwarmDriver, type StepValues } from '../support/swarm-driver.js';

/** Agents per variant: the baseline is the most common one. */
const GROUPS = { base: 6, fast: 5, same: 5 } as const;
const LATENCY = 2;
const STEPS = 60;

/**
 * response_time per agent and step: each agent has its own level (3 % spread around its variant's
 * mean, as real agents differ) and 20 % noise per step; "fast" is 30 % faster, "same" is identical
 * to the baseline.
 */
function swarm(rng: Rng): { agents: Map<string, string>; steps: StepValues[] } {
  const agents = new Map<string, string>();
  const level = new Map<string, number>();
  for (const [variant, count] of Object.entries(GROUPS)) {
    for (let i = 0; i < count; i += 1) {
      const id = `${variant}-${i}`;
      agents.set(id, variant);
      level.set(id, LATENCY * (variant === 'fast' ? 0.7 : 1) * (1 + 0.03 * rng.gauss()));
    }
  }
  const steps: StepValues[] = [];
  for (let t = 0; t < STEPS; t += 1) {
    steps.push(
      Object.fromEntries(
        [...agents.keys()].map((id) => [id, { response_time: Math.max(0.01, (level.get(id) ?? 0) * (1 + 0.2 * rng.gauss())) }]),
      ),
    );
  }
  return { agents, steps };
}

describe('variants (A/B) through the real ingest path', () => {
  let exporter: TestExporter;
  let driver: SwarmDriver;
  let analysis: SwarmAnalysis;
  beforeAll(async () => {
    exporter = await startTestExporter();
    driver = new SwarmDriver(exporter);
    const { agents, steps } = swarm(seeded(1));
    await driver.heartbeat(Object.fromEntries([...agents].map(([id, variant]) => [id, { type: 'worker', variant }])));
    for (const step of steps) await driver.step(step);
    analysis = await driver.analysis();
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('finds a variant 30 % faster significant (p < 0.01) with its effect ratio', async () => {
    const p = (await driver.series('agentswarm_variant_p_value')).find(
      (s) => s.labels.metric === 'response_time' && s.labels.variant === 'fast',
    );
    const effect = (await driver.series('agentswarm_variant_effect_ratio')).find(
      (s) => s.labels.metric === 'response_time' && s.labels.variant === 'fast',
    );
    expect(p?.value).toBeLessThan(0.01);
    expect(effect?.value).toBeCloseTo(-0.3, 1);
    const fast = analysis.variants.find((v) => v.variant === 'fast' && v.metric === 'response_time');
    expect(fast?.baseline).toBe('base');
  });

  it('finds an identical variant not significant (p > 0.05)', async () => {
    const p = (await driver.series('agentswarm_variant_p_value')).find(
      (s) => s.labels.metric === 'response_time' && s.labels.variant === 'same',
    );
    expect(p?.value).toBeGreaterThan(0.05);
  });

  it('never compares the baseline with itself', () => {
    expect(analysis.variants.some((v) => v.variant === 'base')).toBe(false);
  });
});

describe('variants over 100 seeded swarms through the analysis cycle', () => {
  /** Runs one seeded swarm through a registry and engine (no HTTP: 100 runs must stay quick). */
  async function run(seed: number): Promise<SwarmAnalysis | undefined> {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const registry = new AgentRegistry(
      { heartbeatTimeoutMs: 45_000, expireAfterMs: 600_000, maxAgents: 100, maxCustomMetrics: 4, stepMs: 1000, windowMs: 120_000 },
      clock,
    );
    const engine = new AnalysisEngine(
      registry,
      { stepMs: 1000, windowPoints: registry.windowPoints, topPairs: 20, maxLag: 10, anomalyThreshold: 3.5, forecastHorizonsMs: [300_000] },
      clock,
      undefined,
      async () => {},
    );
    const { agents, steps } = swarm(seeded(seed));
    for (const [id, variant] of agents) registry.heartbeat('default', id, { type: 'worker', variant });
    for (const step of steps) {
      registry.ingest(
        Object.entries(step).flatMap(([agent, metrics]) => Object.entries(metrics).map(([metric, value]) => ({ agent, metric, value }))),
        'push',
      );
      await engine.cycle();
      clock.advance(1000);
    }
    return engine.latest().get('default');
  }

  // The identical variant is a true null: at α = 0.05 a calibrated test stays quiet in 95 % of runs
  // on average, so "at least 95 of 100" fails for 38 % of seed sets whatever the code (binomial,
  // n = 100, p = 0.95); seeds 1–100 give 90, seeds 201–300 give 95, 1,000 seeds 95.4 %. The bound
  // asserted, 90, fails for a calibrated test with probability 1.1 %: it catches an inflated
  // false-positive rate (pooled points give 72 of 100 with these agents), not seed luck.
  it('finds the 30 % faster variant significant (p < 0.01) in at least 95 of 100 runs and the identical one quiet (p > 0.05) as often as α allows', async () => {
    let significantFast = 0;
    let quietSame = 0;
    const units = new Set<string>();
    for (let seed = 1; seed <= 100; seed += 1) {
      const analysis = await run(seed);
      const of = (variant: string) => analysis?.variants.find((v) => v.variant === variant && v.metric === 'response_time');
      if ((of('fast')?.p_value ?? Number.NaN) < 0.01) significantFast += 1;
      if ((of('same')?.p_value ?? Number.NaN) > 0.05) quietSame += 1;
      units.add(of('same')?.unit ?? 'missing');
    }
    expect(units).toEqual(new Set(['agents']));
    expect(significantFast).toBeGreaterThanOrEqual(95);
    expect(quietSame).toBeGreaterThanOrEqual(90);
  });
});
