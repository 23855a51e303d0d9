// A/B comparison of agent variants within a swarm: each variant against the most common one, per
// canonical metric, with Welch's t-test on per-agent window means (kernel: analysis/welch-t-test.ts),
// and Holm's adjustment over every comparison of the swarm (analysis/holm.ts).
//
// The unit of comparison is the agent: agents, not steps, are what got one configuration or the
// other, and one agent's steps are not independent (carried-forward values, slow drifts, its own
// level). With fewer than AGENT_LEVEL_MIN_AGENTS agents on a side no p-value is computed at all (the
// effect ratio is still reported): pooling the steps instead treats correlated points as independent
// observations and calls agents' own differences an effect (57 % of null runs "significant" with 3 vs
// 3 agents and AR(0.7) noise). See docs/analysis-scores.md.
import { holmAdjust } from '../analysis/holm.js';
import type { Sliced } from '../analysis/sliced.js';
import { welchTTest } from '../analysis/welch-t-test.js';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import type { VariantComparison } from './swarm-analysis.js';
import { finiteMean, isMissing, ringOf } from './window-reads.js';

/**
 * Agents per side for a p-value. Welch's test on per-agent means holds its level with 3 vs 3 normal
 * means (4–5 % at α = 0.05 over 200 seeded null runs: test/analysis-cycle/variants.test.ts); with 2 a
 * side its degrees of freedom fall towards 1 and the test has next to no power.
 */
export const AGENT_LEVEL_MIN_AGENTS = 3;
/** Finite points an agent needs to count. */
export const VARIANT_MIN_POINTS = 10;

export interface VariantInputs {
  readonly windows: AlignedWindows;
  readonly agents: readonly AgentRecord[];
  /** An all-NaN ring of the window's capacity, for agents without a series. */
  readonly missing: Float64Array;
}

/** The most common variant (ties: the smallest name), or undefined with fewer than two variants. */
export function baselineVariant(groups: ReadonlyMap<string, readonly AgentRecord[]>): string | undefined {
  if (groups.size < 2) return undefined;
  return [...groups].sort((x, y) => y[1].length - x[1].length || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))[0]?.[0];
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Every variant against the baseline, per canonical metric. The baseline side keeps only agents of
 * the types the variant has, so a canary worker is compared with workers, not with planners.
 */
/** The comparisons, in slices (analysis/sliced.ts): a safe point after each variant's metric. */
export function* swarmVariants(inputs: VariantInputs): Sliced<VariantComparison[]> {
  const { windows, missing } = inputs;
  const groups = new Map<string, AgentRecord[]>();
  for (const agent of inputs.agents) {
    if (agent.variant === '') continue;
    const list = groups.get(agent.variant) ?? [];
    list.push(agent);
    groups.set(agent.variant, list);
  }
  const baseline = baselineVariant(groups);
  if (baseline === undefined) return [];
  const found: (Omit<VariantComparison, 'p_value'> & { raw: number })[] = [];
  for (const [variant, members] of groups) {
    if (variant === baseline) continue;
    const types = new Set(members.map((a) => a.type));
    const base = (groups.get(baseline) ?? []).filter((a) => types.has(a.type));
    if (base.length === 0) continue;
    for (const metric of CANONICAL_METRICS) {
      const variantMeans = agentMeans(windows, metric, members, missing);
      const baseMeans = agentMeans(windows, metric, base, missing);
      yield;
      if (variantMeans.length === 0 || baseMeans.length === 0) continue;
      const mb = mean(baseMeans);
      const effect = mb === 0 ? Number.NaN : mean(variantMeans) / mb - 1;
      if (!Number.isFinite(effect)) continue;
      const result = welchTTest(baseMeans, variantMeans, AGENT_LEVEL_MIN_AGENTS);
      const raw = result.valid && Number.isFinite(result.pValue) ? result.pValue : Number.NaN;
      found.push({
        metric,
        variant,
        baseline,
        unit: 'agents',
        effect_ratio: effect,
        p_value_unadjusted: Number.isFinite(raw) ? raw : null,
        n_variant: variantMeans.length,
        n_baseline: baseMeans.length,
        raw,
      });
    }
  }
  // One family per swarm: every (variant, metric) comparison that has a p-value.
  const adjusted = holmAdjust(found.map((f) => f.raw));
  return found.map(({ raw: _raw, ...f }, i) => {
    const p = adjusted[i] ?? Number.NaN;
    return { ...f, p_value: Number.isFinite(p) ? p : null };
  });
}

/** Window means of the agents with at least VARIANT_MIN_POINTS finite points. */
function agentMeans(windows: AlignedWindows, metric: string, agents: readonly AgentRecord[], missing: Float64Array): number[] {
  const means: number[] = [];
  for (const agent of agents) {
    const ring = ringOf(windows, metric, agent.id, missing);
    if (isMissing(ring, missing)) continue;
    const mean = finiteMean(ring, VARIANT_MIN_POINTS);
    if (Number.isFinite(mean)) means.push(mean);
  }
  return means;
}
