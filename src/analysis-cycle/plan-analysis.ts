// Adapts the analysis snapshot to the small view coordination plans read (PlanAnalysis).
import type { PlanAnalysis, PlanCluster } from '../coordination/plan-context.js';
import type { SwarmAnalysis } from './swarm-analysis.js';

/** Metrics where more is better; for every other canonical metric less is better. */
const HIGHER_IS_BETTER: ReadonlySet<string> = new Set(['throughput']);

export function toPlanAnalysis(s: SwarmAnalysis): PlanAnalysis {
  const clusters: PlanCluster[] = s.clusters.map((c) => {
    const members = new Set(c.agents);
    const metrics = new Set(c.metrics);
    return {
      agents: c.agents,
      metrics: c.metrics,
      evidence: s.anomaly_scores
        .filter((a) => members.has(a.agent) && metrics.has(a.metric))
        .map((a) => ({ agent: a.agent, metric: a.metric, score: a.score })),
    };
  });
  const f = s.forecast;
  const confidence = f.confidence ?? 0;
  return {
    takenAt: s.computed_at,
    clusters,
    bottlenecks: s.bottlenecks.map((b) => ({ agent: b.agent, score: b.score })),
    ...(s.load_balance.index !== null && { balanceIndex: s.load_balance.index }),
    forecast: {
      valid: f.valid,
      horizons: f.horizons.map((h) => ({ horizonSeconds: h.horizon_seconds, load: h.load })),
      saturationSeconds: f.saturation_seconds ?? undefined,
      recommendedAgents: Object.fromEntries(f.scaling.map((x) => [x.type, x.recommended])),
      confidence,
    },
    // A comparison without a p-value (too few agents) is no evidence for a plan.
    variants: s.variants.flatMap((v) =>
      v.p_value === null
        ? []
        : [
            {
              metric: v.metric,
              variant: v.variant,
              effectRatio: v.effect_ratio,
              pValue: v.p_value,
              higherIsBetter: HIGHER_IS_BETTER.has(v.metric),
            },
          ],
    ),
  };
}
