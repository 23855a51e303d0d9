import { describe, expect, it } from 'vitest';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { renderAnalysisFamilies } from '../../src/exposition/analysis-families.js';
import { parseExposition } from '../../src/ingest/text-format/parse-exposition.js';
import type { ExpositionSample } from '../../src/ingest/text-format/types.js';
import { findBinary, promtoolCheckMetrics } from '../support/promtool.js';

const promtool = findBinary('promtool');

/** A snapshot with every section populated, and a non-finite value planted in each family that has values. */
function snapshot(swarm: string, overrides: Partial<SwarmAnalysis> = {}): SwarmAnalysis {
  return {
    swarm,
    computed_at: Date.UTC(2026, 0, 1),
    step_seconds: 15,
    window_points: 120,
    filled_points: 120,
    agents: 3,
    bottlenecks: [
      { agent: 'a', type: 'worker', score: 0.8, components: { utilization: 1 } },
      { agent: 'b', type: 'worker', score: Number.NaN, components: {} },
    ],
    anomalies: [{ agent: 'a', metric: 'response_time', score: 5 }],
    anomaly_scores: [
      { agent: 'a', metric: 'response_time', score: 5 },
      { agent: 'b', metric: 'response_time', score: 0.2 },
      { agent: 'c', metric: 'response_time', score: Number.POSITIVE_INFINITY },
    ],
    clusters: [
      {
        agents: ['a', 'b'],
        metrics: ['response_time'],
        steps: [0],
        evidence: [{ agent_a: 'a', agent_b: 'b', metric: 'response_time', r: 0.9 }],
      },
    ],
    top_pairs: {
      response_time: [
        { agent_a: 'a', agent_b: 'b', r: 0.9 },
        { agent_a: 'a', agent_b: 'c', r: Number.NaN },
      ],
    },
    correlation_mean_abs: { response_time: 0.4, queue_depth: Number.NaN },
    correlation_threshold_abs: { response_time: 0.31, queue_depth: Number.NaN },
    lead_lag: [{ metric: 'response_time', leader: 'a', follower: 'b', lag_steps: 2, lag_seconds: 30, r: 0.8 }],
    metric_correlations: [{ agent: 'a', metric_a: 'queue_depth', metric_b: 'response_time', r: 0.7 }],
    load_balance: { index: 0.9, mean_utilization: 0.5, agents: [] },
    utilization: [
      { agent: 'a', score: 1 },
      { agent: 'b', score: Number.NEGATIVE_INFINITY },
    ],
    forecast: {
      valid: true,
      load_now: 10,
      capacity: 30,
      horizons: [{ horizon_seconds: 300, horizon: '5m', load: 12, lower: 11, upper: 13 }],
      saturation_seconds: 600,
      saturation: { seconds: 600, earliest_seconds: 450, latest_seconds: null },
      confidence: 0.7,
      model: { alpha: 0.1, beta: 0.05, phi: 0.98, sigma: 1 },
      scaling: [{ type: 'worker', current: 3, recommended: 4, raw: 4, confidence: 0.7 }],
    },
    variants: [
      {
        metric: 'response_time',
        variant: 'v2',
        baseline: 'v1',
        unit: 'agents',
        effect_ratio: -0.3,
        p_value: 0.001,
        p_value_unadjusted: 0.0005,
        n_variant: 6,
        n_baseline: 12,
      },
      // Too few agents: the effect is shown, no p-value.
      {
        metric: 'throughput',
        variant: 'v2',
        baseline: 'v1',
        unit: 'agents',
        effect_ratio: 0.1,
        p_value: null,
        p_value_unadjusted: null,
        n_variant: 2,
        n_baseline: 12,
      },
    ],
    ...overrides,
  };
}

function render(...snaps: SwarmAnalysis[]): string {
  return [...renderAnalysisFamilies(new Map(snaps.map((s) => [s.swarm, s])))].join('');
}

function samples(page: string): ExpositionSample[] {
  const parsed = parseExposition(page);
  if (!parsed.ok) throw new Error(`${parsed.error.message} (line ${parsed.error.line})`);
  return parsed.families.flatMap((f) => f.samples);
}

function valuesOf(page: string, name: string): Record<string, number> {
  return Object.fromEntries(
    samples(page)
      .filter((s) => s.name === name)
      .map((s) => [Object.values(s.labels).join('/'), s.value]),
  );
}

describe('analysis families on /metrics', () => {
  it('leaves out every non-finite score instead of exposing NaN or ±Inf', () => {
    const page = render(snapshot('s1'));
    expect(samples(page).filter((s) => !Number.isFinite(s.value))).toEqual([]);
    expect(valuesOf(page, 'agentswarm_agent_bottleneck_score')).toEqual({ 's1/a': 0.8 });
    expect(valuesOf(page, 'agentswarm_agent_anomaly_score')).toEqual({ 's1/a/response_time': 5, 's1/b/response_time': 0.2 });
    expect(valuesOf(page, 'agentswarm_agent_correlation')).toEqual({ 's1/response_time/a/b': 0.9 });
    expect(valuesOf(page, 'agentswarm_correlation_mean_abs')).toEqual({ 's1/response_time': 0.4 });
    expect(valuesOf(page, 'agentswarm_correlation_threshold_abs')).toEqual({ 's1/response_time': 0.31 });
    expect(valuesOf(page, 'agentswarm_agent_utilization_ratio')).toEqual({ 's1/a': 1 });
  });

  it('writes one HELP and TYPE per family whatever the number of swarms', () => {
    const page = render(snapshot('s2'), snapshot('s1'));
    const types = [...page.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(new Set(types).size).toBe(types.length);
    const swarms = samples(page)
      .filter((s) => s.name === 'agentswarm_load_balance_index')
      .map((s) => s.labels.swarm);
    expect(swarms).toEqual(['s2', 's1']);
  });

  it('gives each agent of a cluster its number of peers, 0 to the other analysed agents, and the largest cluster size', () => {
    const page = render(snapshot('s1'));
    expect(valuesOf(page, 'agentswarm_agent_anomaly_cluster_peers')).toEqual({ 's1/a': 1, 's1/b': 1, 's1/c': 0 });
    expect(valuesOf(page, 'agentswarm_anomaly_cluster_max_size')).toEqual({ s1: 2 });
    const quiet = render(snapshot('s1', { clusters: [] }));
    expect(valuesOf(quiet, 'agentswarm_agent_anomaly_cluster_peers')).toEqual({ 's1/a': 0, 's1/b': 0, 's1/c': 0 });
    expect(valuesOf(quiet, 'agentswarm_anomaly_cluster_max_size')).toEqual({ s1: 0 });
  });

  it('exposes only forecast_valid 0 while the forecast is invalid (scalers read a missing series as 0)', () => {
    const page = render(
      snapshot('s1', {
        forecast: {
          valid: false,
          load_now: 3,
          capacity: 30,
          horizons: [],
          saturation_seconds: null,
          saturation: null,
          confidence: null,
          model: null,
          scaling: [],
        },
      }),
    );
    expect(valuesOf(page, 'agentswarm_forecast_valid')).toEqual({ s1: 0 });
    for (const name of [
      'agentswarm_forecast_load',
      'agentswarm_forecast_saturation_seconds',
      'agentswarm_scaling_recommended_agents',
      'agentswarm_forecast_confidence',
    ])
      expect(valuesOf(page, name)).toEqual({});
  });

  it('exposes the forecast, saturation, scaling, lead/lag, metric pairs and variants of a valid snapshot', () => {
    const page = render(snapshot('s1'));
    expect(valuesOf(page, 'agentswarm_forecast_valid')).toEqual({ s1: 1 });
    expect(valuesOf(page, 'agentswarm_forecast_load')).toEqual({ 's1/5m': 12 });
    expect(valuesOf(page, 'agentswarm_forecast_saturation_seconds')).toEqual({ s1: 600 });
    expect(valuesOf(page, 'agentswarm_scaling_recommended_agents')).toEqual({ 's1/worker': 4 });
    expect(valuesOf(page, 'agentswarm_agent_lead_lag_seconds')).toEqual({ 's1/response_time/a/b': 30 });
    expect(valuesOf(page, 'agentswarm_metric_correlation')).toEqual({ 's1/a/queue_depth/response_time': 0.7 });
    expect(valuesOf(page, 'agentswarm_forecast_confidence')).toEqual({ s1: 0.7 });
    expect(valuesOf(page, 'agentswarm_variant_effect_ratio')).toEqual({ 's1/response_time/v2': -0.3, 's1/throughput/v2': 0.1 });
    expect(valuesOf(page, 'agentswarm_variant_p_value')).toEqual({ 's1/response_time/v2': 0.001 });
    expect(valuesOf(page, 'agentswarm_load_balance_index')).toEqual({ s1: 0.9 });
  });

  it('leaves out saturation when the load never reaches capacity, and the balance index without utilisation data', () => {
    const base = snapshot('s1');
    const page = render(
      snapshot('s1', {
        forecast: { ...base.forecast, saturation_seconds: null },
        load_balance: { index: null, mean_utilization: null, agents: [] },
      }),
    );
    expect(valuesOf(page, 'agentswarm_forecast_saturation_seconds')).toEqual({});
    expect(valuesOf(page, 'agentswarm_load_balance_index')).toEqual({});
  });

  it('escapes label values', () => {
    const page = render(
      snapshot('s1', {
        forecast: { ...snapshot('s1').forecast, scaling: [{ type: 'odd"type\\x\ny', current: 1, recommended: 2, raw: 2, confidence: 1 }] },
      }),
    );
    expect(page).toContain('type="odd\\"type\\\\x\\ny"');
    expect(samples(page).find((s) => s.name === 'agentswarm_scaling_recommended_agents')?.labels.type).toBe('odd"type\\x\ny');
  });

  it('renders nothing for no snapshot', () => {
    expect(render()).toBe('');
  });

  it.runIf(promtool !== undefined)('passes promtool check metrics for several swarms', () => {
    const check = promtoolCheckMetrics(promtool ?? 'promtool', render(snapshot('s1'), snapshot('s2')));
    expect(check.status, check.output).toBe(0);
  });
});
