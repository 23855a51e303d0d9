// Text formatting of the status page: units, durations, signs, and the status vocabulary matching the server's.
import { describe, expect, it } from 'vitest';
import { HEALTH_STATUSES } from '../../src/model/health-status.js';
import { TASK_STATUSES } from '../../src/model/coordination-vocabulary.js';
import {
  STATUSES,
  formatAgo,
  formatCorrelation,
  formatDuration,
  formatMetricValue,
  formatPercent,
  formatScore,
  formatSignedPercent,
  humanise,
  statusInfo,
  taskStatusInfo,
  trimNumber,
} from '../../src/web/format.js';

describe('formatDuration', () => {
  it.each([
    [0.25, '250 ms'],
    [45, '45 s'],
    [59.6, '1 min'],
    [270, '4 min 30 s'],
    [3_600, '1 h'],
    [7_500, '2 h 5 min'],
    [7_230, '2 h'],
    [90_000, '1 d 1 h'],
    [86_400 * 3 + 300, '3 d'],
  ])('shows %s s as %j (at most two units, no trailing zero unit)', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([[null], [undefined], [-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('shows a dash for %s', (value) => {
    expect(formatDuration(value)).toBe('—');
  });
});

describe('formatMetricValue', () => {
  it.each([
    ['cpu_usage', 0.4, '40 %'],
    ['error_rate', 0.052, '5.2 %'],
    ['error_rate', 0, '0 %'],
    ['coordination_load', 1, '100 %'],
    ['response_time', 0.8, '800 ms'],
    ['response_time', 2.345, '2.35 s'],
    ['throughput', 3, '3 /s'],
    ['queue_depth', 7, '7'],
    ['active_tasks', 2.5, '2.5'],
    ['tokens_used', 123_456, '123000'],
    ['tokens_used', 12_345_678, '1.23e+7'],
    ['tokens_used', 1_234, '1230'],
    ['custom_ratio', 0.000_01, '1.00e-5'],
  ])('shows %s = %s as %j', (metric, value, text) => {
    expect(formatMetricValue(metric, value)).toBe(text);
  });

  it('shows a dash for a missing or non-finite value', () => {
    expect(formatMetricValue('cpu_usage', undefined)).toBe('—');
    expect(formatMetricValue('cpu_usage', Number.NaN)).toBe('—');
  });
});

describe('numbers', () => {
  it.each([
    [0.123, '12 %'],
    [0.0123, '1.2 %'],
    [-0.05, '-5.0 %'],
  ])('formatPercent(%s) is %j', (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });

  it.each([
    [0.12, '+12 %'],
    [-0.05, '−5.0 %'],
    [0, '0 %'],
    [null, '—'],
  ])('formatSignedPercent(%s) is %j with a true minus sign', (ratio, text) => {
    expect(formatSignedPercent(ratio)).toBe(text);
  });

  it.each([
    [0.934, '+0.93'],
    [-0.41, '−0.41'],
    [0, '+0.00'],
    [null, '—'],
  ])('formatCorrelation(%s) is %j', (r, text) => {
    expect(formatCorrelation(r)).toBe(text);
  });

  it.each([
    [0.9749, '0.97'],
    [1, '1.00'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('formatScore(%s) is %j', (score, text) => {
    expect(formatScore(score)).toBe(text);
  });

  it.each([
    [1.5, 3, '1.5'],
    [100, 3, '100'],
    [0.1234, 2, '0.12'],
    [0, 3, '0'],
    [2_500_000, 3, '2.50e+6'],
    [null, 3, '—'],
    [Number.NaN, 3, '—'],
  ])('trimNumber(%s, %s) is %j', (value, digits, text) => {
    expect(trimNumber(value, digits)).toBe(text);
  });

  it('turns snake_case into words', () => {
    expect(humanise('queue_growth')).toBe('queue growth');
  });
});

describe('formatAgo', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it.each([
    [new Date(now - 12_000).toISOString(), '12 s ago'],
    [new Date(now - 185_000).toISOString(), '3 min 5 s ago'],
    // The browser clock may run a little behind the exporter's.
    [new Date(now + 2_000).toISOString(), 'just now'],
    ['not a time', '—'],
    [null, '—'],
  ])('shows %j as %j', (iso, text) => {
    expect(formatAgo(iso, now)).toBe(text);
  });
});

describe('status vocabulary', () => {
  it('knows every health status of the server, each with its own icon and label', () => {
    for (const status of HEALTH_STATUSES) expect(statusInfo(status).key).toBe(status);
    const icons = STATUSES.map((s) => s.icon);
    const labels = STATUSES.map((s) => s.label);
    expect(new Set(icons).size).toBe(icons.length);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('shows an agent not scored yet (null status) or an unknown status as pending', () => {
    expect(statusInfo(null).key).toBe('pending');
    expect(statusInfo('exploded').key).toBe('pending');
  });

  it('ranks statuses best first', () => {
    expect(HEALTH_STATUSES.map((s) => statusInfo(s).rank)).toEqual([0, 1, 2, 3, 4]);
  });

  it('has a label and an icon for every task status of the server, "succeeded" read as delivered', () => {
    for (const status of TASK_STATUSES) expect(taskStatusInfo(status).icon).not.toBe('?');
    expect(taskStatusInfo('succeeded').label).toBe('Delivered');
    expect(taskStatusInfo('paused')).toEqual({ label: 'paused', icon: '?' });
  });
});
