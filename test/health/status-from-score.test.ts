import { describe, expect, it } from 'vitest';
import { nextStatus, statusForScore } from '../../src/health/status-from-score.js';
import { healthScore } from '../../src/health/health-score.js';
import type { HealthStatus } from '../../src/model/health-status.js';

const nominal = {
  errorRate: 0,
  responseTime: 0.2,
  baselineResponseTime: 0.2,
  cpuUsage: 0.3,
  memoryUsage: 0.4,
  ageMs: 1000,
  heartbeatTimeoutMs: 45_000,
};

describe('health score', () => {
  it('is 1 and optimal for an agent with all-nominal values', () => {
    const { score, components } = healthScore(nominal);
    expect(score).toBe(1);
    expect(components).toEqual({ errors: 1, latency: 1, resources: 1, liveness: 1 });
    expect(statusForScore(score)).toBe('optimal');
  });

  it('is critical for an agent with error_rate 0.5', () => {
    const { score, components } = healthScore({ ...nominal, errorRate: 0.5 });
    expect(components.errors).toBe(0);
    expect(score).toBeCloseTo(0.3, 10);
    expect(statusForScore(score)).toBe('critical');
  });

  it.each([
    // [inputs, expected component values]
    [{ errorRate: 0.05 }, { errors: 0.8 }],
    [{ responseTime: 0.3 }, { latency: 1 }], // 1.5x the baseline: still nominal
    [{ responseTime: 0.65 }, { latency: 0.5 }], // 3.25x: halfway between 1.5x and 5x
    [{ responseTime: 1.0 }, { latency: 0 }], // 5x
    [{ cpuUsage: 0.9 }, { resources: 0.5 }],
    [{ memoryUsage: 1 }, { resources: 0 }],
    [{ ageMs: 15_000 }, { liveness: 1 }],
    [{ ageMs: 30_000 }, { liveness: 0.5 }],
    [{ ageMs: 45_000 }, { liveness: 0 }],
  ])('computes components from %j', (change, expected) => {
    const { components } = healthScore({ ...nominal, ...change });
    for (const [name, value] of Object.entries(expected)) expect(components[name as keyof typeof components]).toBeCloseTo(value, 10);
  });

  it('treats unknown inputs as nominal, not as trouble', () => {
    const { score } = healthScore({
      ...nominal,
      errorRate: Number.NaN,
      responseTime: Number.NaN,
      baselineResponseTime: Number.NaN,
      cpuUsage: Number.NaN,
      memoryUsage: Number.NaN,
    });
    expect(score).toBe(1);
  });

  it('matches the documented formula on a mixed case', () => {
    const { score } = healthScore({ ...nominal, errorRate: 0.1, cpuUsage: 0.9 });
    // errors 0.6, latency 1, resources 0.5, liveness 1
    const mean = 0.4 * 0.6 + 0.25 * 1 + 0.2 * 0.5 + 0.15 * 1;
    expect(score).toBeCloseTo(mean * ((1 + 0.5) / 2), 12);
  });
});

describe('health status thresholds', () => {
  it.each([
    [1, 'optimal'],
    [0.9, 'optimal'],
    [0.8999, 'good'],
    [0.75, 'good'],
    [0.7499, 'degraded'],
    [0.5, 'degraded'],
    [0.4999, 'critical'],
    [0, 'critical'],
  ])('maps score %d to %s', (score, status) => {
    expect(statusForScore(score)).toBe(status);
  });
});

describe('health status hysteresis', () => {
  const walk = (start: HealthStatus | undefined, scores: number[]): HealthStatus[] => {
    const out: HealthStatus[] = [];
    let status = start;
    for (const s of scores) {
      status = nextStatus(status, s);
      out.push(status);
    }
    return out;
  };

  it('downgrades as soon as the score drops below a bar', () => {
    expect(walk('optimal', [0.89])).toEqual(['good']);
    expect(walk('good', [0.3])).toEqual(['critical']);
  });

  it('does not flap while the score hovers around a threshold', () => {
    expect(walk(undefined, [0.49, 0.51, 0.49, 0.52, 0.5, 0.49])).toEqual([
      'critical',
      'critical',
      'critical',
      'critical',
      'critical',
      'critical',
    ]);
  });

  it('upgrades once the score is clearly above the bar', () => {
    expect(walk('critical', [0.52, 0.53])).toEqual(['critical', 'degraded']);
    expect(walk('good', [0.92, 0.93])).toEqual(['good', 'optimal']);
  });

  it('upgrades several levels at once when the score clears them all', () => {
    expect(walk('critical', [0.99])).toEqual(['optimal']);
  });

  it('leaves failed for the plain status when the agent returns', () => {
    expect(walk('failed', [0.91])).toEqual(['optimal']);
  });
});
