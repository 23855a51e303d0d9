import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { seeded } from '../analysis/support/random.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { SwarmDriver, type StepValues } from '../support/swarm-driver.js';

/** Steps by which the saturated middle stage's latency reaches the downstream stage. */
const LAG = 4;
const CAPACITY = 10;

/**
 * A 3-stage pipeline ingest → transform → publish. Transform saturates: every slot busy, its queue
 * grows (arrivals exceed completions), its latency is inflated and swings with the arriving load;
 * publish only starts a task when transform hands it over, so its latency follows transform's
 * LAG steps later. Ingest is lightly loaded.
 */
function pipeline(steps: number, seed: number): StepValues[] {
  const rng = seeded(seed);
  const transformLatency: number[] = [];
  let load = 0;
  let queue = 5;
  const out: StepValues[] = [];
  for (let t = 0; t < steps; t += 1) {
    load = 0.8 * load + rng.gauss();
    queue += 0.6 + 0.3 * rng.gauss();
    const rt = 2 + 0.3 * load + 0.02 * queue;
    transformLatency.push(rt);
    const upstream = transformLatency[t - LAG] ?? 2;
    out.push({
      ingest: {
        active_tasks: 3 + 0.3 * rng.gauss(),
        queue_depth: Math.max(0, 1 + 0.5 * rng.gauss()),
        response_time: 0.2 + 0.01 * rng.gauss(),
        throughput: 5 + 0.2 * rng.gauss(),
      },
      transform: {
        active_tasks: CAPACITY - Math.abs(0.2 * rng.gauss()),
        queue_depth: Math.max(0, queue),
        response_time: rt,
        throughput: 4 + 0.1 * rng.gauss(),
      },
      publish: {
        active_tasks: 4 + 0.3 * rng.gauss(),
        queue_depth: Math.max(0, 1 + 0.5 * rng.gauss()),
        response_time: 0.6 + 0.3 * (upstream - 2) + 0.01 * rng.gauss(),
        throughput: 4 + 0.1 * rng.gauss(),
      },
    });
  }
  return out;
}

describe('a 3-stage pipeline whose middle stage saturates', () => {
  let exporter: TestExporter;
  let driver: SwarmDriver;
  let analysis: SwarmAnalysis;
  beforeAll(async () => {
    exporter = await startTestExporter();
    driver = new SwarmDriver(exporter);
    await driver.heartbeat({
      ingest: { type: 'ingest', capacity: CAPACITY },
      transform: { type: 'transform', capacity: CAPACITY },
      publish: { type: 'publish', capacity: CAPACITY },
    });
    for (const step of pipeline(130, 5)) await driver.step(step);
    analysis = await driver.analysis();
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('ranks the saturated stage first by bottleneck score, on /metrics and in the JSON', async () => {
    expect(analysis.bottlenecks[0]?.agent).toBe('transform');
    const scores = new Map((await driver.series('agentswarm_agent_bottleneck_score')).map((s) => [s.labels.agent, s.value]));
    expect(scores.get('transform')).toBeGreaterThan(scores.get('ingest') ?? 1);
    expect(scores.get('transform')).toBeGreaterThan(scores.get('publish') ?? 1);
  });

  it('explains the rank by its components: full utilisation, a growing queue, inflated latency, upstream impact', () => {
    const transform = analysis.bottlenecks.find((b) => b.agent === 'transform');
    expect(transform?.components.utilization).toBeGreaterThan(0.95);
    expect(transform?.components.queue_growth).toBeGreaterThan(0.05);
    expect(transform?.components.latency_inflation).toBeGreaterThan(0.5);
    expect(transform?.components.upstream_impact).toBeGreaterThan(0.3);
  });

  it('shows the saturated stage leading the downstream stage by the injected lag (±1 step)', async () => {
    const leads = (await driver.series('agentswarm_agent_lead_lag_seconds')).filter(
      (s) => s.labels.metric === 'response_time' && s.labels.leader === 'transform' && s.labels.follower === 'publish',
    );
    expect(leads).toHaveLength(1);
    const stepSeconds = driver.stepMs / 1000;
    expect(Math.abs((leads[0]?.value ?? 0) - LAG * stepSeconds)).toBeLessThanOrEqual(stepSeconds);
  });
});
