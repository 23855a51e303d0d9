import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CorrelationMatrixResponse, SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { seeded } from '../analysis/support/random.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { clamp, SwarmDriver } from '../support/swarm-driver.js';

const TRIO = ['trio-a', 'trio-b', 'trio-c'];
const INDEPENDENT = ['solo-1', 'solo-2', 'solo-3', 'solo-4', 'solo-5', 'solo-6'];

describe('a trio driven by one load signal', () => {
  let exporter: TestExporter;
  let analysis: SwarmAnalysis;
  let page: string;
  let matrix: CorrelationMatrixResponse;
  beforeAll(async () => {
    exporter = await startTestExporter();
    const driver = new SwarmDriver(exporter);
    const rng = seeded(11);
    // A full window (2m at 1s = 120 points) and a few steps of sliding.
    for (let t = 0; t < 130; t += 1) {
      const load = rng.gauss();
      const step: Record<string, Record<string, number>> = {};
      for (const agent of TRIO) step[agent] = { cpu_usage: clamp(0.5 + 0.1 * load + 0.02 * rng.gauss()) };
      for (const agent of INDEPENDENT) step[agent] = { cpu_usage: clamp(0.5 + 0.1 * rng.gauss()) };
      await driver.step(step);
    }
    analysis = await driver.analysis();
    page = await exporter.metricsText();
    const res = await fetch(`${exporter.url}/api/v1/analysis/correlations?swarm=default&metric=cpu_usage`);
    matrix = (await res.json()) as CorrelationMatrixResponse;
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('makes the trio the top correlated set, each pair above 0.9', () => {
    const top = analysis.top_pairs.cpu_usage ?? [];
    const firstThree = top
      .slice(0, 3)
      .map((p) => `${p.agent_a}|${p.agent_b}`)
      .sort();
    expect(firstThree).toEqual(['trio-a|trio-b', 'trio-a|trio-c', 'trio-b|trio-c']);
    for (const p of top.slice(0, 3)) expect(p.r).toBeGreaterThan(0.9);
  });

  it('exposes the trio pairs on /metrics with agent_a < agent_b', () => {
    for (const [a, b] of [
      ['trio-a', 'trio-b'],
      ['trio-a', 'trio-c'],
      ['trio-b', 'trio-c'],
    ]) {
      const line = new RegExp(
        `^agentswarm_agent_correlation\\{swarm="default",metric="cpu_usage",agent_a="${a}",agent_b="${b}"\\} (\\S+)$`,
        'm',
      ).exec(page);
      expect(line, `${a}/${b}`).not.toBeNull();
      expect(Number(line?.[1])).toBeGreaterThan(0.9);
    }
  });

  it('keeps every pair with an independent agent below 0.3 in the full matrix', () => {
    const index = new Map(matrix.agents.map((a, i) => [a, i]));
    for (const solo of INDEPENDENT) {
      for (const other of [...TRIO, ...INDEPENDENT]) {
        if (other === solo) continue;
        const r = matrix.matrix[index.get(solo) ?? -1]?.[index.get(other) ?? -1];
        expect(typeof r, `${solo}/${other}`).toBe('number');
        expect(Math.abs(r as number), `${solo}/${other}`).toBeLessThan(0.3);
      }
    }
  });

  it('agrees between the cycle (streaming) and the full-matrix route (exact) for every exposed pair', () => {
    const index = new Map(matrix.agents.map((a, i) => [a, i]));
    for (const p of analysis.top_pairs.cpu_usage ?? []) {
      const exact = matrix.matrix[index.get(p.agent_a) ?? -1]?.[index.get(p.agent_b) ?? -1];
      expect(exact).toBeCloseTo(p.r, 9);
    }
  });
});
