// Renders the analysis families of docs/design.md#metrics from the latest immutable snapshots, as a
// stream of chunks (family-chunks.ts). Computed scores that are not finite are left out, never exposed
// as NaN or ±Inf.
import type { SwarmAnalysis } from '../analysis-cycle/swarm-analysis.js';
import { METRICS } from '../model/metric-catalogue.js';
import { familyChunks, sampleLine as line } from './family-chunks.js';

/**
 * Every analysis family of every swarm, in order, in chunks of about 64 KiB. The snapshots are
 * immutable, so a caller may let the event loop turn between chunks and still write one consistent page.
 */
export function* renderAnalysisFamilies(latest: ReadonlyMap<string, SwarmAnalysis>): Generator<string> {
  const snaps = [...latest.values()];
  const M = METRICS;
  yield* familyChunks(M.agentAnomalyScore, snaps, function* (s) {
    for (const a of s.anomaly_scores)
      yield line(
        M.agentAnomalyScore.name,
        [
          ['swarm', s.swarm],
          ['agent', a.agent],
          ['metric', a.metric],
        ],
        a.score,
      );
  });
  yield* familyChunks(M.agentBottleneckScore, snaps, function* (s) {
    for (const b of s.bottlenecks)
      yield line(
        M.agentBottleneckScore.name,
        [
          ['swarm', s.swarm],
          ['agent', b.agent],
        ],
        b.score,
      );
  });
  yield* familyChunks(M.agentUtilisation, snaps, function* (s) {
    for (const u of s.utilization)
      yield line(
        M.agentUtilisation.name,
        [
          ['swarm', s.swarm],
          ['agent', u.agent],
        ],
        u.score,
      );
  });
  yield* familyChunks(M.agentCorrelation, snaps, function* (s) {
    for (const [metric, pairs] of Object.entries(s.top_pairs))
      for (const p of pairs)
        yield line(
          M.agentCorrelation.name,
          [
            ['swarm', s.swarm],
            ['metric', metric],
            ['agent_a', p.agent_a],
            ['agent_b', p.agent_b],
          ],
          p.r,
        );
  });
  yield* familyChunks(M.agentLeadLag, snaps, function* (s) {
    for (const l of s.lead_lag)
      yield line(
        M.agentLeadLag.name,
        [
          ['swarm', s.swarm],
          ['metric', l.metric],
          ['leader', l.leader],
          ['follower', l.follower],
        ],
        l.lag_seconds,
      );
  });
  yield* familyChunks(M.metricCorrelation, snaps, function* (s) {
    for (const c of s.metric_correlations)
      yield line(
        M.metricCorrelation.name,
        [
          ['swarm', s.swarm],
          ['agent', c.agent],
          ['metric_a', c.metric_a],
          ['metric_b', c.metric_b],
        ],
        c.r,
      );
  });
  yield* familyChunks(M.correlationMeanAbs, snaps, function* (s) {
    for (const [metric, v] of Object.entries(s.correlation_mean_abs))
      yield line(
        M.correlationMeanAbs.name,
        [
          ['swarm', s.swarm],
          ['metric', metric],
        ],
        v,
      );
  });
  yield* familyChunks(M.correlationThresholdAbs, snaps, function* (s) {
    for (const [metric, v] of Object.entries(s.correlation_threshold_abs))
      yield line(
        M.correlationThresholdAbs.name,
        [
          ['swarm', s.swarm],
          ['metric', metric],
        ],
        v,
      );
  });
  yield* familyChunks(M.anomalyClusterMaxSize, snaps, (s) => [
    line(
      M.anomalyClusterMaxSize.name,
      [['swarm', s.swarm]],
      s.clusters.reduce((max, c) => Math.max(max, c.agents.length), 0),
    ),
  ]);
  // Every analysed agent (it has anomaly scores) gets a value, 0 outside any cluster, so the series
  // does not appear and vanish with each cluster.
  yield* familyChunks(M.agentAnomalyClusterPeers, snaps, function* (s) {
    const peers = new Map<string, number>();
    for (const a of s.anomaly_scores) peers.set(a.agent, 0);
    for (const c of s.clusters) for (const a of c.agents) peers.set(a, Math.max(peers.get(a) ?? 0, c.agents.length - 1));
    for (const [agent, n] of peers)
      yield line(
        M.agentAnomalyClusterPeers.name,
        [
          ['swarm', s.swarm],
          ['agent', agent],
        ],
        n,
      );
  });
  yield* familyChunks(M.loadBalanceIndex, snaps, (s) =>
    s.load_balance.index === null ? [] : [line(M.loadBalanceIndex.name, [['swarm', s.swarm]], s.load_balance.index)],
  );
  yield* familyChunks(M.forecastLoad, snaps, function* (s) {
    if (!s.forecast.valid) return;
    for (const h of s.forecast.horizons)
      yield line(
        M.forecastLoad.name,
        [
          ['swarm', s.swarm],
          ['horizon', h.horizon],
        ],
        h.load,
      );
  });
  yield* familyChunks(M.forecastValid, snaps, (s) => [line(M.forecastValid.name, [['swarm', s.swarm]], s.forecast.valid ? 1 : 0)]);
  yield* familyChunks(M.forecastSaturation, snaps, (s) =>
    s.forecast.valid && s.forecast.saturation_seconds !== null
      ? [line(M.forecastSaturation.name, [['swarm', s.swarm]], s.forecast.saturation_seconds)]
      : [],
  );
  yield* familyChunks(M.forecastConfidence, snaps, (s) =>
    s.forecast.valid && s.forecast.confidence !== null
      ? [line(M.forecastConfidence.name, [['swarm', s.swarm]], s.forecast.confidence)]
      : [],
  );
  yield* familyChunks(M.scalingRecommended, snaps, function* (s) {
    if (!s.forecast.valid) return;
    for (const r of s.forecast.scaling)
      yield line(
        M.scalingRecommended.name,
        [
          ['swarm', s.swarm],
          ['type', r.type],
        ],
        r.recommended,
      );
  });
  yield* familyChunks(M.variantEffect, snaps, function* (s) {
    for (const v of s.variants)
      yield line(
        M.variantEffect.name,
        [
          ['swarm', s.swarm],
          ['metric', v.metric],
          ['variant', v.variant],
        ],
        v.effect_ratio,
      );
  });
  yield* familyChunks(M.variantPValue, snaps, function* (s) {
    for (const v of s.variants)
      if (v.p_value !== null)
        yield line(
          M.variantPValue.name,
          [
            ['swarm', s.swarm],
            ['metric', v.metric],
            ['variant', v.variant],
          ],
          v.p_value,
        );
  });
}
