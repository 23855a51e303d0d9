import { describe, expect, it } from 'vitest';
import {
  forecastPointsNeeded,
  historySteps,
  MIN_FORECAST_POINTS,
  servedHorizonsMs,
  swarmForecast,
} from '../../src/analysis-cycle/swarm-forecast.js';

const line = (n: number): Float64Array => Float64Array.from({ length: n }, (_, t) => 10 + 0.5 * t + (t % 2 === 0 ? 0.1 : -0.1));
const types = [{ type: 'worker', agents: 4, capacity: 40, load: 20 }];

describe('swarmForecast', () => {
  it.each([
    { windowPoints: 20, needed: MIN_FORECAST_POINTS },
    { windowPoints: 120, needed: 30 },
    { windowPoints: 1800, needed: 450 },
  ])('needs max(10, ⌈W/4⌉) finite points: $needed for W = $windowPoints', ({ windowPoints, needed }) => {
    expect(forecastPointsNeeded(windowPoints)).toBe(needed);
    const base = { stepMs: 1000, windowPoints, horizonsMs: [10_000], types };
    expect(swarmForecast({ ...base, load: line(needed - 1) }).valid).toBe(false);
    expect(swarmForecast({ ...base, load: line(needed) }).valid).toBe(true);
  });

  it('gives one horizon per distinct duration (60m and 1h are one series), shortest first', () => {
    const f = swarmForecast({ load: line(60), stepMs: 60_000, windowPoints: 60, horizonsMs: [3_600_000, 300_000, 3_600_000], types });
    expect(f.horizons.map((h) => h.horizon)).toEqual(['5m', '1h']);
  });

  it('serves no horizon beyond the window: absent, not extrapolated; none served is not valid', () => {
    const f = swarmForecast({ load: line(40), stepMs: 1000, windowPoints: 40, horizonsMs: [20_000, 40_000, 41_000, 300_000], types });
    expect(f.valid).toBe(true);
    expect(f.horizons.map((h) => h.horizon_seconds)).toEqual([20, 40]);
    expect(servedHorizonsMs([20_000, 40_000, 41_000], 40, 1000)).toEqual([20_000, 40_000]);
    const none = swarmForecast({ load: line(40), stepMs: 1000, windowPoints: 40, horizonsMs: [300_000], types });
    expect(none.valid).toBe(false);
    expect(none.horizons).toEqual([]);
  });

  it('serves no horizon beyond the load history a filling window holds yet', () => {
    const horizonsMs = [20_000, 30_000, 60_000, 120_000];
    // 30 points of a 120-point window: 20 s and 30 s are served, 1 m and 2 m are absent.
    const filling = swarmForecast({ load: line(30), stepMs: 1000, windowPoints: 120, horizonsMs, types });
    expect(filling.valid).toBe(true);
    expect(filling.horizons.map((h) => h.horizon_seconds)).toEqual([20, 30]);
    // Leading steps where no agent reported are not history.
    const late = Float64Array.from([...Array.from({ length: 50 }, () => Number.NaN), ...line(40)]);
    expect(historySteps(late)).toBe(40);
    expect(historySteps(new Float64Array(5).fill(Number.NaN))).toBe(0);
    expect(
      swarmForecast({ load: late, stepMs: 1000, windowPoints: 120, horizonsMs, types }).horizons.map((h) => h.horizon_seconds),
    ).toEqual([20, 30]);
    // A gap inside the history does not shorten it.
    const gap = line(60);
    gap[30] = Number.NaN;
    expect(historySteps(gap)).toBe(60);
    // Nothing servable yet: not valid.
    expect(swarmForecast({ load: line(30), stepMs: 1000, windowPoints: 120, horizonsMs: [60_000], types }).valid).toBe(false);
    // Saturation is searched within the history too: capacity 60 is reached ~71 steps out on this line (beyond 30, within 120).
    const far = swarmForecast({
      load: line(30),
      stepMs: 1000,
      windowPoints: 120,
      horizonsMs,
      types: [{ type: 'worker', agents: 4, capacity: 60, load: 20 }],
    });
    expect(far.saturation_seconds).toBeNull();
  });

  it('reports no saturation and no scaling without declared capacity', () => {
    const f = swarmForecast({
      load: line(40),
      stepMs: 1000,
      windowPoints: 40,
      horizonsMs: [30_000],
      types: [{ type: 'worker', agents: 4, capacity: 0, load: 20 }],
    });
    expect(f.valid).toBe(true);
    expect(f.capacity).toBeNull();
    expect(f.saturation_seconds).toBeNull();
    expect(f.scaling).toEqual([]);
  });

  it('puts saturation where the trend meets capacity', () => {
    // Level ≈ 10 + 0.5·39 = 29.5 at the last step, capacity 40: (40 − 29.5)/0.5 = 21 steps of 1 s.
    const f = swarmForecast({ load: line(40), stepMs: 1000, windowPoints: 40, horizonsMs: [30_000], types });
    expect(f.saturation_seconds).toBeGreaterThan(21 * 0.9);
    expect(f.saturation_seconds).toBeLessThan(21 * 1.1);
  });
});
