import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../analysis/support/random.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { SwarmDriver } from '../support/swarm-driver.js';

const AGENTS = ['w1', 'w2', 'w3', 'w4'];
/** Slots per agent: the rising load reaches the swarm's 32 slots within the 2-minute window's reach. */
const CAPACITY = 8;
/** Swarm load (sum of active tasks) at step 0 and its growth per step. */
const START = 8;
const SLOPE = 0.1;

describe('load forecast and saturation', () => {
  let exporter: TestExporter;
  let driver: SwarmDriver;
  const rng = seeded(3);
  let t = 0;
  async function step(): Promise<void> {
    const load = START + SLOPE * t + 0.3 * rng.gauss();
    await driver.step(Object.fromEntries(AGENTS.map((a) => [a, { active_tasks: load / AGENTS.length }])));
    t += 1;
  }

  beforeAll(async () => {
    // Window 2m at 1s: the 5m horizon is beyond it and must be absent, not extrapolated.
    exporter = await startTestExporter({ analysis: { forecast_horizons: ['30s', '1m', '2m', '5m'] } });
    driver = new SwarmDriver(exporter);
    await driver.heartbeat(Object.fromEntries(AGENTS.map((a) => [a, { type: 'worker', capacity: CAPACITY }])));
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('keeps forecast_valid at 0 and exposes no forecast series until a quarter of the window is filled', async () => {
    const windowPoints = exporter.registry.windowPoints;
    const needed = Math.ceil(windowPoints / 4);
    for (let i = 0; i < needed - 1; i += 1) {
      await step();
      expect((await driver.series('agentswarm_forecast_valid'))[0]?.value, `after ${t} points`).toBe(0);
      for (const name of [
        'agentswarm_forecast_load',
        'agentswarm_forecast_saturation_seconds',
        'agentswarm_scaling_recommended_agents',
        'agentswarm_forecast_confidence',
      ]) {
        expect(await driver.series(name), `${name} after ${t} points`).toEqual([]);
      }
      expect((await driver.analysis()).forecast.valid).toBe(false);
    }
    await step();
    expect((await driver.series('agentswarm_forecast_valid'))[0]?.value).toBe(1);
    // A quarter of the 2m window is 30 s of load history: only the horizons within it are served.
    expect((await driver.series('agentswarm_forecast_load')).map((s) => s.labels.horizon).sort()).toEqual(['30s']);
    const [confidence] = await driver.series('agentswarm_forecast_confidence');
    expect(confidence?.value).toBeGreaterThanOrEqual(0);
    expect(confidence?.value).toBeLessThanOrEqual(1);
  });

  it('serves each horizon once the window holds that much load history, and never the one beyond the window', async () => {
    const served = async (): Promise<string[]> =>
      (await driver.series('agentswarm_forecast_load')).map((s) => s.labels.horizon ?? '').sort();
    while (t < 59) await step();
    expect(await served()).toEqual(['30s']);
    await step();
    expect(await served()).toEqual(['1m', '30s']);
    while (t < 120) await step();
    expect(await served()).toEqual(['1m', '2m', '30s']);
  });

  it('predicts the saturation time of a steadily rising load within 20 % of the true one', async () => {
    while (t < 130) await step();
    const capacity = AGENTS.length * CAPACITY;
    // The step about to be analysed last was t − 1; the true line reaches capacity at this many steps after it.
    const trueSeconds = ((capacity - (START + SLOPE * (t - 1))) / SLOPE) * (driver.stepMs / 1000);
    const [saturation] = await driver.series('agentswarm_forecast_saturation_seconds');
    expect(saturation).toBeDefined();
    expect(Math.abs((saturation?.value ?? 0) - trueSeconds) / trueSeconds).toBeLessThan(0.2);
    const analysis = await driver.analysis();
    expect(analysis.forecast.capacity).toBe(capacity);
    expect(analysis.forecast.saturation_seconds).toBeCloseTo(saturation?.value ?? 0, 6);
    // The interval brackets the point value and the truth.
    const interval = analysis.forecast.saturation;
    expect(interval?.seconds).toBeCloseTo(saturation?.value ?? 0, 6);
    expect(interval?.earliest_seconds).toBeLessThanOrEqual(trueSeconds);
    expect(interval?.latest_seconds ?? Number.POSITIVE_INFINITY).toBeGreaterThanOrEqual(trueSeconds);
  });

  it('forecasts the rising load at each horizon inside its band and recommends more workers for the longest served horizon', async () => {
    const analysis = await driver.analysis();
    const nowLoad = START + SLOPE * (t - 1);
    for (const h of analysis.forecast.horizons) {
      const expected = nowLoad + SLOPE * (h.horizon_seconds / (driver.stepMs / 1000));
      expect(h.lower).toBeLessThanOrEqual(h.load);
      expect(h.upper).toBeGreaterThanOrEqual(h.load);
      expect(Math.abs(h.load - expected) / expected, h.horizon).toBeLessThan(0.2);
    }
    const [workers] = await driver.series('agentswarm_scaling_recommended_agents');
    expect(workers?.labels.type).toBe('worker');
    // In 2 minutes the load (≈ 33 tasks) needs 6 agents of 8 slots at 70 % utilisation.
    expect(workers?.value).toBeGreaterThan(AGENTS.length);
    expect(analysis.forecast.horizons.map((h) => h.horizon)).toEqual(['30s', '1m', '2m']);
    const scaling = analysis.forecast.scaling[0];
    expect(scaling?.confidence).toBeGreaterThanOrEqual(0);
    expect(scaling?.confidence).toBeLessThanOrEqual(1);
  });
});
