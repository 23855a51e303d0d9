import { describe, expect, it } from 'vitest';
import { forecastChart } from '../../src/web/model.js';
import { chartBounds } from '../../src/web/render-forecast.js';
import { variantVerdict } from '../../src/web/render-variants.js';
import { swarmAnalysis } from './support/fixtures.js';

describe('forecast chart bounds', () => {
  const nowMs = 1_000_000_000;
  const nowSec = nowMs / 1000;

  it('spans the analysis window and the served horizons on x', () => {
    const analysis = swarmAnalysis(nowMs);
    const shaped = forecastChart(analysis.forecast, nowSec, { times: [nowMs - 30_000], values: [10] });
    const b = chartBounds(analysis, shaped);
    expect(b.xMin).toBe(nowSec - 120); // 120 points of 1 s
    expect(b.xMax).toBe(nowSec + 1800); // longest served horizon
  });

  it('fits y to the observed load and the forecasts, not to a band edge far above them', () => {
    const base = swarmAnalysis(nowMs);
    const analysis = swarmAnalysis(nowMs, {
      forecast: { ...base.forecast, capacity: 500, horizons: [{ horizon_seconds: 300, horizon: '5m', load: 30, lower: 0, upper: 24_600 }] },
    });
    const shaped = forecastChart(analysis.forecast, nowSec, { times: [nowMs - 10_000, nowMs - 5_000], values: [15, 50] });
    const b = chartBounds(analysis, shaped);
    expect(b.yMax).toBeCloseTo(55, 9); // 1.1 × the largest of observed 50 and forecast 30; capacity 500 is far above
  });

  it('includes a capacity near the load, so saturation is visible', () => {
    const analysis = swarmAnalysis(nowMs);
    const shaped = forecastChart(analysis.forecast, nowSec, { times: [], values: [] });
    expect(chartBounds(analysis, shaped).yMax).toBeCloseTo(22, 9); // capacity 20 ≥ forecast 20
  });
});

describe('variant verdicts', () => {
  const [faster, same, canary] = swarmAnalysis(0).variants;
  it.each([
    ['a significant 31 % faster variant', faster, 'better'],
    ['no significant difference', same, 'no clear difference'],
    ['a canary without a p-value', canary, 'too few agents'],
  ] as const)('%s', (_name, v, expected) => {
    expect(v === undefined ? 'missing' : variantVerdict(v)).toBe(expected);
  });
});
