import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANOMALY_STEPS } from '../../src/analysis-cycle/anomaly-track.js';
import { seeded } from '../analysis/support/random.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { advanceStep, SwarmDriver } from '../support/swarm-driver.js';

const AGENTS = ['a1', 'a2', 'a3', 'a4'];
const WARM_UP = 60;
const SPIKE = 5;

/**
 * Two swarms fed at the same steps: in "coupled" the four agents' latency follows one shared signal
 * and all four spike at the same step; in "independent" each agent's latency is its own noise and the
 * same spikes come one agent at a time, further apart than the recent-steps window of the clusters.
 */
describe('correlated-anomaly clusters', () => {
  let exporter: TestExporter;
  let coupled: SwarmDriver;
  let independent: SwarmDriver;
  const rng = seeded(23);
  /** Independent swarm's spike step per agent (relative to the end of the warm-up). */
  const spikeAt = new Map(AGENTS.map((a, i) => [a, i * (ANOMALY_STEPS + 2)]));

  async function step(t: number): Promise<void> {
    const shared = rng.gauss();
    const c: Record<string, Record<string, number>> = {};
    const u: Record<string, Record<string, number>> = {};
    for (const agent of AGENTS) {
      const spike = t === WARM_UP ? SPIKE : 0;
      c[agent] = { response_time: 1 + 0.2 * shared + 0.05 * rng.gauss() + spike };
      u[agent] = { response_time: 1 + 0.2 * rng.gauss() + (t === WARM_UP + (spikeAt.get(agent) ?? -1) ? SPIKE : 0) };
    }
    // Both swarms in the same step: one cycle analyses every swarm.
    await coupled.push(c);
    await independent.push(u);
    await advanceStep(exporter);
  }

  beforeAll(async () => {
    exporter = await startTestExporter();
    coupled = new SwarmDriver(exporter, 'coupled');
    independent = new SwarmDriver(exporter, 'independent');
    for (let t = 0; t < WARM_UP; t += 1) await step(t);
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('reports no cluster before any spike', async () => {
    expect((await coupled.series('agentswarm_anomaly_cluster_max_size'))[0]?.value).toBe(0);
    expect((await independent.series('agentswarm_anomaly_cluster_max_size'))[0]?.value).toBe(0);
  });

  it('groups a simultaneous spike of four correlated agents into one cluster of 4', async () => {
    await step(WARM_UP);
    expect((await coupled.series('agentswarm_anomaly_cluster_max_size'))[0]?.value).toBe(4);
    const peers = await coupled.series('agentswarm_agent_anomaly_cluster_peers');
    expect(Object.fromEntries(peers.map((p) => [p.labels.agent, p.value]))).toEqual({ a1: 3, a2: 3, a3: 3, a4: 3 });
    const analysis = await coupled.analysis();
    expect(analysis.clusters).toHaveLength(1);
    expect(analysis.clusters[0]?.agents).toEqual(AGENTS);
    expect(analysis.clusters[0]?.metrics).toEqual(['response_time']);
    expect(analysis.clusters[0]?.steps).toEqual([0]);
    expect(
      analysis.anomalies
        .filter((a) => a.metric === 'response_time')
        .map((a) => a.agent)
        .sort(),
    ).toEqual(AGENTS);
  });

  it('finds no cluster when the same spikes hit four uncorrelated agents at different times', async () => {
    const last = Math.max(...spikeAt.values());
    let anomalousSteps = 0;
    for (let t = WARM_UP + 1; t <= WARM_UP + last + ANOMALY_STEPS; t += 1) {
      await step(t);
      const analysis = await independent.analysis();
      if (analysis.anomalies.some((a) => a.metric === 'response_time' && a.score >= 3.5)) anomalousSteps += 1;
      expect(analysis.clusters, `step ${t}`).toEqual([]);
      expect((await independent.series('agentswarm_anomaly_cluster_max_size'))[0]?.value, `step ${t}`).toBe(0);
    }
    // Each injected spike was seen as an anomaly (the test would be empty otherwise).
    expect(anomalousSteps).toBeGreaterThanOrEqual(AGENTS.length - 1);
  });

  it('lets the coupled cluster dissolve once the spike has left the recent steps', async () => {
    expect((await coupled.series('agentswarm_anomaly_cluster_max_size'))[0]?.value).toBe(0);
  });
});
