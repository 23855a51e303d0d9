// Shaping of the JSON API's answers for the page: swarm groups, correlation matrix, forecast chart, task feed.
import { describe, expect, it } from 'vitest';
import type { AgentView } from '../../src/http/agents-routes.js';
import {
  correlationMatrix,
  countsSentence,
  defaultCorrelationMetric,
  forecastChart,
  groupBySwarm,
  recentTasks,
  swarmNames,
} from '../../src/web/model.js';
import { swarmAnalysis, taskFixtures } from './support/fixtures.js';

function agent(swarm: string, id: string, status: string | null): AgentView {
  return {
    swarm,
    agent: id,
    type: 'worker',
    variant: '',
    capacity: null,
    labels: {},
    up: status !== 'failed',
    status,
    health_score: null,
    health_components: {},
    first_seen: '2026-01-01T00:00:00.000Z',
    last_seen: '2026-01-01T00:00:00.000Z',
    metrics: {},
  };
}

describe('groupBySwarm', () => {
  it('groups by swarm, sorts swarms and agents by name, and counts statuses (null = pending)', () => {
    const groups = groupBySwarm([agent('s2', 'b', 'good'), agent('s1', 'z', 'failed'), agent('s2', 'a', 'good'), agent('s1', 'y', null)]);
    expect(groups.map((g) => [g.swarm, g.agents.map((a) => a.agent)])).toEqual([
      ['s1', ['y', 'z']],
      ['s2', ['a', 'b']],
    ]);
    expect(groups[0]?.counts).toMatchObject({ failed: 1, pending: 1, optimal: 0 });
    expect(groups[1]?.counts.good).toBe(2);
  });

  it('answers nothing for no agents', () => {
    expect(groupBySwarm([])).toEqual([]);
  });

  it('lists the swarms of both sources once', () => {
    expect(
      swarmNames([agent('b', 'x', null), agent('a', 'y', null)], [swarmAnalysis(0, { swarm: 'c' }), swarmAnalysis(0, { swarm: 'a' })]),
    ).toEqual(['a', 'b', 'c']);
  });

  it.each([
    [{ optimal: 3, good: 0, degraded: 1, critical: 0, failed: 1, pending: 0 }, '3 optimal, 1 degraded, 1 failed'],
    [{ optimal: 0, good: 0, degraded: 0, critical: 0, failed: 0, pending: 0 }, 'no agents'],
  ])('summarises counts %j as %j', (counts, text) => {
    expect(countsSentence(counts)).toBe(text);
  });
});

describe('correlationMatrix', () => {
  const pairs = [
    { agent_a: 'c', agent_b: 'd', r: 0.5 },
    { agent_a: 'a', agent_b: 'b', r: -0.9 },
    { agent_a: 'b', agent_b: 'c', r: 0.7 },
  ];

  it('orders agents by their strongest pair and fills a symmetric matrix with 1 on the diagonal', () => {
    const m = correlationMatrix(pairs, 10);
    expect(m.agents).toEqual(['a', 'b', 'c', 'd']);
    expect(m.cells).toEqual([
      [1, -0.9, null, null],
      [-0.9, 1, 0.7, null],
      [null, 0.7, 1, 0.5],
      [null, null, 0.5, 1],
    ]);
  });

  it('keeps at most maxAgents agents and drops pairs that reach beyond them', () => {
    const m = correlationMatrix(pairs, 3);
    expect(m.agents).toEqual(['a', 'b', 'c']);
    expect(m.cells[2]).toEqual([null, 0.7, 1]);
  });

  it('ignores non-finite r and keeps the stronger of duplicated pairs', () => {
    const m = correlationMatrix(
      [
        { agent_a: 'a', agent_b: 'b', r: Number.NaN },
        { agent_a: 'a', agent_b: 'b', r: 0.2 },
        { agent_a: 'b', agent_b: 'a', r: 0.6 },
      ],
      10,
    );
    expect(m.agents).toEqual(['b', 'a']);
    expect(m.cells).toEqual([
      [1, 0.6],
      [0.6, 1],
    ]);
  });
});

describe('defaultCorrelationMetric', () => {
  it('opens on the metric with the highest mean |r| among those with pairs', () => {
    expect(defaultCorrelationMetric(swarmAnalysis(0))).toBe('active_tasks');
    expect(defaultCorrelationMetric(swarmAnalysis(0, { correlation_mean_abs: { active_tasks: 0.1, error_rate: 0.9 } }))).toBe('error_rate');
  });

  it('answers null when no metric has pairs', () => {
    expect(defaultCorrelationMetric(swarmAnalysis(0, { top_pairs: { cpu_usage: [] } }))).toBeNull();
  });
});

describe('forecastChart', () => {
  const now = 1_000_000;

  it('joins observed loads to the forecast at now, with the band at each horizon and capacity throughout', () => {
    const chart = forecastChart(swarmAnalysis(now * 1000).forecast, now, { times: [(now - 2) * 1000, (now - 1) * 1000], values: [10, 11] });
    const [xs, observed, load, lower, upper, capacity] = chart.data;
    expect(xs).toEqual([now - 2, now - 1, now, now + 300, now + 900, now + 1800]);
    expect(observed).toEqual([10, 11, 12, null, null, null]);
    expect(load).toEqual([null, null, 12, 13.5, 16, 20]);
    expect(lower).toEqual([null, null, 12, 12.2, 13.5, 15]);
    expect(upper).toEqual([null, null, 12, 14.8, 18.6, 25]);
    expect(capacity).toEqual([20, 20, 20, 20, 20, 20]);
    expect(chart.saturationAt).toBe(now + 1800);
  });

  it('draws only what was observed while the forecast is not valid', () => {
    const forecast = { ...swarmAnalysis(0).forecast, valid: false };
    const chart = forecastChart(forecast, now, { times: [(now - 1) * 1000], values: [3] });
    expect(chart.data[0]).toEqual([now - 1]);
    expect(chart.data[2]).toEqual([null]);
    expect(chart.saturationAt).toBeNull();
  });

  it('leaves out observations after the snapshot, gaps and horizons with non-finite numbers', () => {
    const forecast = {
      ...swarmAnalysis(0).forecast,
      horizons: [{ horizon_seconds: 60, horizon: '1m', load: Number.NaN, lower: 0, upper: 1 }],
    };
    const chart = forecastChart(forecast, now, { times: [(now - 1) * 1000, (now + 5) * 1000, (now - 3) * 1000], values: [null, 4, 2] });
    expect(chart.data[0]).toEqual([now - 3, now]);
  });
});

describe('recentTasks', () => {
  it('lists the newest first and keeps the limit', () => {
    const tasks = taskFixtures(Date.UTC(2026, 0, 1));
    expect(recentTasks(tasks, 10).map((t) => t.id)).toEqual([
      't-queued',
      't-running',
      't-delivered',
      't-clustered',
      't-unbalanced',
      't-failed',
    ]);
    expect(recentTasks(tasks, 2).map((t) => t.id)).toEqual(['t-queued', 't-running']);
  });
});
