import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { CANONICAL_METRICS } from '../../src/model/canonical-metrics.js';
import { parseExposition } from '../../src/ingest/text-format/parse-exposition.js';
import { seeded } from '../analysis/support/random.js';
import { findBinary, promtoolCheckMetrics } from '../support/promtool.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { clamp, SwarmDriver, type StepValues } from '../support/swarm-driver.js';

const promtool = findBinary('promtool');

const AGENTS = 1000;
const GROUPS = 10;
const TOP_PAIRS = 20;
/** Window 1m at 1s: 60 points. */
const WINDOW_POINTS = 60;
const MEASURED_STEPS = 100;

/**
 * A stationary swarm: for each metric, ten groups of agents follow their group's load factor (an
 * AR(1) process, φ = 0.5, unit variance) with their own loading and noise; response time also
 * follows the agent's own queue, so per-agent metric pairs exist too. Nothing drifts.
 */
function stationarySwarm(seed: number): () => StepValues {
  const rng = seeded(seed);
  const phi = 0.5;
  const factors = CANONICAL_METRICS.map(() => new Float64Array(GROUPS));
  const loading = Float64Array.from({ length: AGENTS }, () => 0.2 + 0.8 * rng.next());
  const ids = Array.from({ length: AGENTS }, (_, i) => `agent-${String(i).padStart(4, '0')}`);
  return () => {
    for (const f of factors) for (let g = 0; g < GROUPS; g += 1) f[g] = phi * (f[g] ?? 0) + Math.sqrt(1 - phi * phi) * rng.gauss();
    const step: Record<string, Record<string, number>> = {};
    ids.forEach((id, i) => {
      const x = (m: number): number => (loading[i] ?? 0) * (factors[m]?.[i % GROUPS] ?? 0) + 0.5 * rng.gauss();
      const queue = Math.max(0, 5 + 1.5 * x(5));
      step[id] = {
        cpu_usage: clamp(0.5 + 0.08 * x(0)),
        memory_usage: clamp(0.5 + 0.08 * x(1)),
        response_time: 0.5 + 0.1 * queue + 0.05 * x(2),
        throughput: Math.max(0, 5 + x(3)),
        error_rate: clamp(0.05 + 0.01 * x(4)),
        queue_depth: queue,
        active_tasks: Math.max(0, 4 + x(6)),
        coordination_load: clamp(0.3 + 0.05 * x(7)),
        messages_per_second: Math.max(0, 10 + 2 * x(8)),
      };
    });
    return step;
  };
}

/** Share of the pairs exposed now that were not exposed the step before. */
function churn(before: ReadonlySet<string>, now: ReadonlySet<string>): number {
  let fresh = 0;
  for (const key of now) if (!before.has(key)) fresh += 1;
  return now.size === 0 ? 0 : fresh / now.size;
}

function exposedKeys(s: SwarmAnalysis): Map<string, Set<string>> {
  const keys = new Map<string, Set<string>>();
  for (const [metric, pairs] of Object.entries(s.top_pairs)) keys.set(metric, new Set(pairs.map((p) => `${p.agent_a}|${p.agent_b}`)));
  keys.set('(metric pairs)', new Set(s.metric_correlations.map((p) => `${p.agent}|${p.metric_a}|${p.metric_b}`)));
  return keys;
}

describe('/metrics with 1,000 agents', () => {
  let exporter: TestExporter;
  let page: string;
  /** Mean churn per step over the measured steps, per metric (and the per-agent metric pairs). */
  const meanChurn = new Map<string, number>();
  beforeAll(async () => {
    exporter = await startTestExporter({ analysis: { window: `${WINDOW_POINTS}s`, top_pairs: TOP_PAIRS } });
    const driver = new SwarmDriver(exporter);
    const next = stationarySwarm(42);
    for (let t = 0; t < WINDOW_POINTS; t += 1) await driver.step(next());
    let before = exposedKeys(exporter.engine.latest().get('default') as SwarmAnalysis);
    for (let t = 0; t < MEASURED_STEPS; t += 1) {
      await driver.step(next());
      const now = exposedKeys(exporter.engine.latest().get('default') as SwarmAnalysis);
      for (const [metric, keys] of now)
        meanChurn.set(metric, (meanChurn.get(metric) ?? 0) + churn(before.get(metric) ?? new Set(), keys) / MEASURED_STEPS);
      before = now;
    }
    page = await exporter.metricsText();
  }, 180_000);
  afterAll(async () => {
    await exporter.stop();
  });

  it('exposes at most top_pairs correlation series per swarm and metric, for every metric', () => {
    const parsed = parseExposition(page);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const samples = parsed.families.flatMap((f) => f.samples);
    const perMetric = new Map<string, number>();
    for (const s of samples.filter((x) => x.name === 'agentswarm_agent_correlation'))
      perMetric.set(`${s.labels.swarm}/${s.labels.metric}`, (perMetric.get(`${s.labels.swarm}/${s.labels.metric}`) ?? 0) + 1);
    expect([...perMetric.keys()].sort()).toEqual(CANONICAL_METRICS.map((m) => `default/${m}`).sort());
    for (const [key, count] of perMetric) expect(count, key).toBeLessThanOrEqual(TOP_PAIRS);
    expect(samples.filter((x) => x.name === 'agentswarm_metric_correlation').length).toBeLessThanOrEqual(TOP_PAIRS);
    expect(samples.filter((x) => x.name === 'agentswarm_agent_anomaly_score').length).toBeLessThanOrEqual(
      AGENTS * CANONICAL_METRICS.length,
    );
  });

  it('never exposes NaN or ±Inf', () => {
    const parsed = parseExposition(page);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const bad = parsed.families.flatMap((f) => f.samples).filter((s) => !Number.isFinite(s.value));
    expect(bad.map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`)).toEqual([]);
  });

  it.runIf(promtool !== undefined)('passes promtool check metrics', () => {
    const check = promtoolCheckMetrics(promtool ?? 'promtool', page);
    expect(check.status, check.output.slice(0, 2000)).toBe(0);
  });

  it('keeps pair churn on stationary data below 5 % of the exposed pairs per step', () => {
    expect(meanChurn.size).toBe(CANONICAL_METRICS.length + 1);
    for (const [metric, c] of meanChurn) expect(c, metric).toBeLessThan(0.05);
  });
});
