// Renders the analysis families of docs/design.md#metrics from the latest immutable snapshots. Computed scores that
// are not finite are left out, never exposed as NaN or ±Inf.
import type { SwarmAnalysis } from '../analysis-cycle/swarm-analysis.js';
import { METRICS, type MetricSpec } from '../model/metric-catalogue.js';
import { familyHeader, labelPairs } from './text-writer.js';

type Labels = readonly (readonly [string, string])[];

function line(name: string, labels: Labels, value: number): string {
  if (!Number.isFinite(value)) return '';
  return `${name}{${labelPairs(labels)}} ${value}\n`;
}

function family(spec: MetricSpec, snapshots: readonly SwarmAnalysis[], lines: (s: SwarmAnalysis) => string): string {
  let body = '';
  for (const s of snapshots) body += lines(s);
  return body === '' ? '' : familyHeader(spec) + body;
}

export function renderAnalysisFamilies(latest: ReadonlyMap<string, SwarmAnalysis>): string[] {
  const snaps = [...latest.values()];
  const M = METRICS;
  return [
    family(M.agentAnomalyScore, snaps, (s) =>
      s.anomaly_scores
        .map((a) =>
          line(
            M.agentAnomalyScore.name,
            [
              ['swarm', s.swarm],
              ['agent', a.agent],
              ['metric', a.metric],
            ],
            a.score,
          ),
        )
        .join(''),
    ),
    family(M.agentBottleneckScore, snaps, (s) =>
      s.bottlenecks
        .map((b) =>
          line(
            M.agentBottleneckScore.name,
            [
              ['swarm', s.swarm],
              ['agent', b.agent],
            ],
            b.score,
          ),
        )
        .join(''),
    ),
    family(M.agentUtilisation, snaps, (s) =>
      s.utilization
        .map((u) =>
          line(
            M.agentUtilisation.name,
            [
              ['swarm', s.swarm],
              ['agent', u.agent],
            ],
            u.score,
          ),
        )
        .join(''),
    ),
    family(M.agentCorrelation, snaps, (s) =>
      Object.entries(s.top_pairs)
        .flatMap(([metric, pairs]) =>
          pairs.map((p) =>
            line(
              M.agentCorrelation.name,
              [
                ['swarm', s.swarm],
                ['metric', metric],
                ['agent_a', p.agent_a],
                ['agent_b', p.agent_b],
              ],
              p.r,
            ),
          ),
        )
        .join(''),
    ),
    family(M.agentLeadLag, snaps, (s) =>
      s.lead_lag
        .map((l) =>
          line(
            M.agentLeadLag.name,
            [
              ['swarm', s.swarm],
              ['metric', l.metric],
              ['leader', l.leader],
              ['follower', l.follower],
            ],
            l.lag_seconds,
          ),
        )
        .join(''),
    ),
    family(M.metricCorrelation, snaps, (s) =>
      s.metric_correlations
        .map((c) =>
          line(
            M.metricCorrelation.name,
            [
              ['swarm', s.swarm],
              ['agent', c.agent],
              ['metric_a', c.metric_a],
              ['metric_b', c.metric_b],
            ],
            c.r,
          ),
        )
        .join(''),
    ),
    family(M.correlationMeanAbs, snaps, (s) =>
      Object.entries(s.correlation_mean_abs)
        .map(([metric, v]) =>
          line(
            M.correlationMeanAbs.name,
            [
              ['swarm', s.swarm],
              ['metric', metric],
            ],
            v,
          ),
        )
        .join(''),
    ),
    family(M.correlationThresholdAbs, snaps, (s) =>
      Object.entries(s.correlation_threshold_abs)
        .map(([metric, v]) =>
          line(
            M.correlationThresholdAbs.name,
            [
              ['swarm', s.swarm],
              ['metric', metric],
            ],
            v,
          ),
        )
        .join(''),
    ),
    family(M.anomalyClusterMaxSize, snaps, (s) =>
      line(
        M.anomalyClusterMaxSize.name,
        [['swarm', s.swarm]],
        s.clusters.reduce((max, c) => Math.max(max, c.agents.length), 0),
      ),
    ),
    // Every analysed agent (it has anomaly scores) gets a value, 0 outside any cluster, so the series
    // does not appear and vanish with each cluster.
    family(M.agentAnomalyClusterPeers, snaps, (s) => {
      const peers = new Map<string, number>();
      for (const a of s.anomaly_scores) peers.set(a.agent, 0);
      for (const c of s.clusters) for (const a of c.agents) peers.set(a, Math.max(peers.get(a) ?? 0, c.agents.length - 1));
      return [...peers]
        .map(([agent, n]) =>
          line(
            M.agentAnomalyClusterPeers.name,
            [
              ['swarm', s.swarm],
              ['agent', agent],
            ],
            n,
          ),
        )
        .join('');
    }),
    family(M.loadBalanceIndex, snaps, (s) =>
      s.load_balance.index === null ? '' : line(M.loadBalanceIndex.name, [['swarm', s.swarm]], s.load_balance.index),
    ),
    family(M.forecastLoad, snaps, (s) =>
      s.forecast.valid
        ? s.forecast.horizons
            .map((h) =>
              line(
                M.forecastLoad.name,
                [
                  ['swarm', s.swarm],
                  ['horizon', h.horizon],
                ],
                h.load,
              ),
            )
            .join('')
        : '',
    ),
    family(M.forecastValid, snaps, (s) => line(M.forecastValid.name, [['swarm', s.swarm]], s.forecast.valid ? 1 : 0)),
    family(M.forecastSaturation, snaps, (s) =>
      s.forecast.valid && s.forecast.saturation_seconds !== null
        ? line(M.forecastSaturation.name, [['swarm', s.swarm]], s.forecast.saturation_seconds)
        : '',
    ),
    family(M.forecastConfidence, snaps, (s) =>
      s.forecast.valid && s.forecast.confidence !== null
        ? line(M.forecastConfidence.name, [['swarm', s.swarm]], s.forecast.confidence)
        : '',
    ),
    family(M.scalingRecommended, snaps, (s) =>
      s.forecast.valid
        ? s.forecast.scaling
            .map((r) =>
              line(
                M.scalingRecommended.name,
                [
                  ['swarm', s.swarm],
                  ['type', r.type],
                ],
                r.recommended,
              ),
            )
            .join('')
        : '',
    ),
    family(M.variantEffect, snaps, (s) =>
      s.variants
        .map((v) =>
          line(
            M.variantEffect.name,
            [
              ['swarm', s.swarm],
              ['metric', v.metric],
              ['variant', v.variant],
            ],
            v.effect_ratio,
          ),
        )
        .join(''),
    ),
    family(M.variantPValue, snaps, (s) =>
      s.variants
        .map((v) =>
          v.p_value === null
            ? ''
            : line(
                M.variantPValue.name,
                [
                  ['swarm', s.swarm],
                  ['metric', v.metric],
                  ['variant', v.variant],
                ],
                v.p_value,
              ),
        )
        .join(''),
    ),
  ].filter((part) => part !== '');
}
