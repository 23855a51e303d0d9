import { describe, expect, it } from 'vitest';
import { ScalingStabiliser, SCALE_DOWN_STABILISATION_MS } from '../../src/analysis/scaling-stabiliser.js';
import { swarmForecast } from '../../src/analysis-cycle/swarm-forecast.js';
import { seeded } from '../analysis/support/random.js';
import { engineHarness } from '../support/engine-harness.js';

const WORKERS = ['w1', 'w2', 'w3', 'w4'];
const SLOTS = 10;
const TARGET = 0.7;
/** Window 120 points at 1 s; the longest served horizon is 60 s. */
const LONGEST_S = 60;

interface Observed {
  readonly t: number;
  readonly load: number;
  readonly recommended: number;
}

/** Drives 4 workers of 10 slots through ingest with the given total load per step; returns the recommendation per valid step. */
async function drive(loadAt: (t: number) => number, steps: number, seed: number): Promise<Observed[]> {
  const h = engineHarness({ windowPoints: 120, forecastHorizonsMs: [30_000, LONGEST_S * 1000] });
  for (const w of WORKERS) h.registry.heartbeat('default', w, { type: 'worker', capacity: SLOTS });
  const rng = seeded(seed);
  const out: Observed[] = [];
  for (let t = 0; t < steps; t += 1) {
    const total = loadAt(t);
    const values: Record<string, Record<string, number>> = {};
    for (const w of WORKERS) {
      if (t > 0 && rng.next() < 0.03) continue; // a missed step
      values[w] = { active_tasks: Math.max(0, total / WORKERS.length + 0.5 * rng.gauss()) };
    }
    for (const w of WORKERS) h.registry.heartbeat('default', w, { type: 'worker', capacity: SLOTS });
    const analysis = await h.step(values);
    const rec = analysis?.forecast.scaling.find((s) => s.type === 'worker');
    if (analysis?.forecast.valid === true && rec !== undefined)
      out.push({ t, load: analysis.forecast.load_now ?? Number.NaN, recommended: rec.recommended });
  }
  return out;
}

describe('scaling recommendations a scaler can follow', () => {
  it('on a ramp: never fewer than running while utilisation > 0.8, never more than the need at the served horizon + 1', async () => {
    for (const seed of [1, 2, 3]) {
      const ramp = (t: number): number => 8 + 0.22 * t;
      const seen = await drive(ramp, 160, seed);
      expect(seen.length).toBeGreaterThan(100);
      let saturatedSteps = 0;
      for (const o of seen) {
        const utilisation = o.load / (WORKERS.length * SLOTS);
        if (utilisation > 0.8) {
          saturatedSteps += 1;
          expect(o.recommended, `seed ${seed} step ${o.t}`).toBeGreaterThanOrEqual(WORKERS.length);
        }
        const need = Math.ceil(ramp(o.t + LONGEST_S) / (SLOTS * TARGET));
        expect(o.recommended, `seed ${seed} step ${o.t}`).toBeLessThanOrEqual(need + 1);
      }
      expect(saturatedSteps).toBeGreaterThan(10);
    }
  }, 60_000);

  it('on stationary load: never moves by more than one agent per step', async () => {
    for (const seed of [4, 5, 6]) {
      const seen = await drive(() => 18, 260, seed);
      for (let k = 1; k < seen.length; k += 1) {
        expect(
          Math.abs((seen[k]?.recommended ?? 0) - (seen[k - 1]?.recommended ?? 0)),
          `seed ${seed} step ${seen[k]?.t}`,
        ).toBeLessThanOrEqual(1);
      }
      // 18 tasks on 10-slot agents at 70 %: 3 agents, one more at most for noise.
      for (const o of seen) expect(o.recommended).toBeGreaterThanOrEqual(3);
      for (const o of seen) expect(o.recommended).toBeLessThanOrEqual(4);
    }
  }, 60_000);
});

describe('ScalingStabiliser', () => {
  const at = (s: number): number => s * 1000;

  it('scales down only after the highest recommendation of the last 5 minutes has left the window, one bounded step at a time', () => {
    const st = new ScalingStabiliser();
    expect(st.step(at(0), [{ type: 'w', current: 4, raw: 10, bottleneck: false }])).toEqual([10]);
    for (let s = 15; s < SCALE_DOWN_STABILISATION_MS / 1000; s += 15)
      expect(st.step(at(s), [{ type: 'w', current: 10, raw: 3, bottleneck: false }])).toEqual([10]);
    // The 10 has left the window: down by at most max(1, 10 %) per step.
    expect(st.step(at(300), [{ type: 'w', current: 10, raw: 3, bottleneck: false }])).toEqual([9]);
    expect(st.step(at(315), [{ type: 'w', current: 10, raw: 3, bottleneck: false }])).toEqual([8]);
  });

  it('scales up at once, by at most max(4, 100 %) per step', () => {
    const st = new ScalingStabiliser();
    expect(st.step(0, [{ type: 'w', current: 2, raw: 2, bottleneck: false }])).toEqual([2]);
    expect(st.step(15_000, [{ type: 'w', current: 2, raw: 30, bottleneck: false }])).toEqual([6]);
    expect(st.step(30_000, [{ type: 'w', current: 6, raw: 30, bottleneck: false }])).toEqual([12]);
  });

  it('never recommends fewer agents than running while the type has a bottleneck', () => {
    const st = new ScalingStabiliser(0);
    expect(st.step(0, [{ type: 'w', current: 3, raw: 1, bottleneck: true }])).toEqual([3]);
    expect(st.step(1, [{ type: 'w', current: 3, raw: 1, bottleneck: true }])).toEqual([3]);
    expect(st.step(2, [{ type: 'w', current: 3, raw: 1, bottleneck: false }])).toEqual([2]);
  });

  it('applies the bottleneck floor in swarmForecast too, without a stabiliser', () => {
    const load = Float64Array.from({ length: 60 }, (_, t) => 20 - 0.2 * t);
    const types = [{ type: 'worker', agents: 3, capacity: 30, load: 8 }];
    const base = { load, stepMs: 1000, windowPoints: 60, horizonsMs: [60_000], types };
    expect(swarmForecast(base).scaling[0]?.recommended).toBeLessThan(3);
    expect(swarmForecast({ ...base, bottleneckTypes: new Set(['worker']) }).scaling[0]?.recommended).toBe(3);
  });
});
