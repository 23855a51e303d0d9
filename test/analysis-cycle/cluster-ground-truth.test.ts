import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../analysis/support/random.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { advanceStep, SwarmDriver } from '../support/swarm-driver.js';

const TRIO = ['trio-a', 'trio-b', 'trio-c'];
const SPIKERS = ['solo-1', 'solo-2'];
const CALM = ['calm-1', 'calm-2', 'calm-3'];
/** Window 2m at 1s: a full window and some sliding before the events. */
const WARM_UP = 140;

/**
 * Two swarms through the real HTTP ingest path, fed in the same steps:
 * - "chain": a trio driven by one signal, two independent agents and three calm ones; at one step
 *   the trio and the two independent agents all spike by 12σ. A late joiner (calm-3 from step 30)
 *   and missed steps (about one in thirty per agent) as real swarms have.
 * - "wave": six agents, each its own noise, and a shared load wave that lifts every agent's latency
 *   to 2.5× and back over a minute: every agent is anomalous by its level, none is a correlated anomaly.
 */
describe('correlated-anomaly clusters on realistic swarms', () => {
  let exporter: TestExporter;
  let chain: SwarmDriver;
  let wave: SwarmDriver;
  const rng = seeded(77);
  let t = 0;
  const waveAt = (s: number): number => (s < WARM_UP ? 1 : 1 + 1.5 * Math.sin(Math.PI * Math.min(1, (s - WARM_UP) / 60)));

  async function step(spike: boolean): Promise<void> {
    const shared = rng.gauss();
    const c: Record<string, Record<string, number>> = {};
    for (const a of TRIO) c[a] = { response_time: 1 + 0.2 * shared + 0.06 * rng.gauss() + (spike ? 2.5 : 0) };
    for (const a of SPIKERS) c[a] = { response_time: 1 + 0.2 * rng.gauss() + (spike ? 2.4 : 0) };
    for (const a of CALM) if (a !== 'calm-3' || t >= 30) c[a] = { response_time: 1 + 0.2 * rng.gauss() };
    for (const a of Object.keys(c)) if (!spike && rng.next() < 1 / 30) delete c[a];
    const w: Record<string, Record<string, number>> = {};
    for (let i = 0; i < 6; i += 1)
      if (spike || rng.next() >= 1 / 30) w[`w${i}`] = { response_time: (1 + 0.1 * i) * waveAt(t) * (1 + 0.03 * rng.gauss()) };
    await chain.push(c);
    await wave.push(w);
    await advanceStep(exporter);
    t += 1;
  }

  beforeAll(async () => {
    exporter = await startTestExporter();
    chain = new SwarmDriver(exporter, 'chain');
    wave = new SwarmDriver(exporter, 'wave');
    for (let s = 0; s < WARM_UP; s += 1) await step(false);
  }, 120_000);
  afterAll(async () => {
    await exporter.stop();
  });

  it('reports a cluster of exactly the trio when two independent agents spike with it at 12σ', async () => {
    await step(true);
    const analysis = await chain.analysis();
    const spiking = analysis.anomalies
      .filter((a) => a.metric === 'response_time')
      .map((a) => a.agent)
      .sort();
    expect(spiking).toEqual([...SPIKERS, ...TRIO].sort());
    expect(analysis.clusters.map((c) => c.agents)).toEqual([TRIO]);
    expect((await chain.series('agentswarm_anomaly_cluster_max_size'))[0]?.value).toBe(3);
    const peers = Object.fromEntries(
      (await chain.series('agentswarm_agent_anomaly_cluster_peers')).map((p): [string, number] => [p.labels.agent ?? '', p.value]),
    );
    expect(peers).toMatchObject({ 'trio-a': 2, 'trio-b': 2, 'trio-c': 2, 'solo-1': 0, 'solo-2': 0 });
  });

  it('reports no cluster at any step of a shared load wave, though every agent is anomalous by its level', async () => {
    let anomalousSteps = 0;
    while (t < WARM_UP + 60) {
      await step(false);
      const analysis = await wave.analysis();
      if (analysis.anomalies.filter((a) => a.metric === 'response_time').length >= 3) anomalousSteps += 1;
      expect(analysis.clusters, `step ${t}`).toEqual([]);
      expect((await wave.series('agentswarm_anomaly_cluster_max_size'))[0]?.value, `step ${t}`).toBe(0);
    }
    expect(anomalousSteps).toBeGreaterThan(10);
  }, 120_000);
});
