import { beforeAll, describe, expect, it } from 'vitest';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { seeded, type Rng } from '../analysis/support/random.js';
import { engineHarness } from '../support/engine-harness.js';

const RUNS = 200;
const STEPS = 130;
/** Window 120 points at 1 s: 30 s, 1 m and 2 m are served, 3 m is beyond the window. */
const HORIZONS_S = [30, 60, 120, 180];
const START = 20;
const SLOPE = 0.2;
const NOISE = 1;
const truth = (t: number): number => START + SLOPE * t;

interface Run {
  readonly rng: Rng;
  /** Step at which agent a3 joins (late joiner): from then on it takes a third of the work. */
  readonly joinAt: number;
}

/**
 * One seeded run per swarm, all through the registry's ingest and one engine: a noisy linear ramp of
 * total active tasks, split over two agents and then three (a late joiner), each agent missing about
 * one step in twenty (carried forward), each with its own noise.
 */
describe('forecast of a noisy linear ramp over 200 seeded runs', () => {
  const results = new Map<number, SwarmAnalysis>();
  /** Realised load (ramp + the agents' noise) at each future step, per run. */
  const realised = new Map<number, Map<number, number>>();
  beforeAll(async () => {
    const h = engineHarness({ windowPoints: 120, forecastHorizonsMs: HORIZONS_S.map((s) => s * 1000) });
    const runs: Run[] = Array.from({ length: RUNS }, (_, k) => {
      const rng = seeded(1000 + k);
      return { rng, joinAt: 20 + Math.floor(rng.next() * 40) };
    });
    for (let t = 0; t < STEPS; t += 1) {
      const samples: { swarm: string; agent: string; metric: string; value: number }[] = [];
      runs.forEach((run, k) => {
        const agents = t >= run.joinAt ? ['a1', 'a2', 'a3'] : ['a1', 'a2'];
        for (const agent of agents) {
          const value = Math.max(0, truth(t) / agents.length + NOISE * run.rng.gauss());
          if (run.rng.next() < 0.05 && t > 0) continue; // a missed step: the window carries the last value
          samples.push({ swarm: `run-${k}`, agent, metric: 'active_tasks', value });
        }
      });
      const outcome = h.registry.ingest(samples, 'push');
      expect(outcome.rejected).toBe(0);
      await h.engine.cycle();
      h.clock.advance(1000);
    }
    runs.forEach((run, k) => {
      const analysis = h.engine.latest().get(`run-${k}`);
      if (analysis !== undefined) results.set(k, analysis);
      const future = new Map<number, number>();
      for (const s of HORIZONS_S) {
        let y = truth(STEPS - 1 + s);
        for (let i = 0; i < 3; i += 1) y += NOISE * run.rng.gauss();
        future.set(s, y);
      }
      realised.set(k, future);
    });
  }, 120_000);

  it('serves the horizons within the window and leaves the one beyond it absent', () => {
    expect(results.size).toBe(RUNS);
    for (const analysis of results.values()) {
      expect(analysis.forecast.valid).toBe(true);
      expect(analysis.forecast.horizons.map((x) => x.horizon_seconds)).toEqual([30, 60, 120]);
    }
  });

  it('forecasts every served horizon within 20 % of the true ramp', () => {
    for (const [k, analysis] of results) {
      for (const f of analysis.forecast.horizons) {
        const expected = truth(STEPS - 1 + f.horizon_seconds);
        expect(Math.abs(f.load - expected) / expected, `run ${k} at ${f.horizon}`).toBeLessThan(0.2);
      }
    }
  });

  it('covers the realised load with its 95 % band in 90–99 % of runs at each served horizon', () => {
    for (const s of [30, 60, 120]) {
      let covered = 0;
      for (const [k, analysis] of results) {
        const f = analysis.forecast.horizons.find((x) => x.horizon_seconds === s);
        const y = realised.get(k)?.get(s) ?? Number.NaN;
        if (f !== undefined && f.lower <= y && y <= f.upper) covered += 1;
      }
      const share = covered / RUNS;
      expect(share, `coverage at ${s}s`).toBeGreaterThanOrEqual(0.9);
      expect(share, `coverage at ${s}s`).toBeLessThanOrEqual(0.99);
    }
  });

  it('reports a confidence in [0, 1] and the fitted model', () => {
    for (const analysis of results.values()) {
      expect(analysis.forecast.confidence).toBeGreaterThan(0);
      expect(analysis.forecast.confidence).toBeLessThanOrEqual(1);
      expect(analysis.forecast.model?.phi).toBeGreaterThan(0);
    }
  });
});
