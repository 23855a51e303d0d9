// A/B comparison of agent variants within a swarm: each variant against the most common one, per
// canonical metric, with Welch's t-test (kernel: analysis/welch-t-test.ts).
//
// The unit of comparison is the agent: agents, not steps, are what got one configuration or the
// other, and one agent's steps are not independent (carried-forward values, slow drifts, its own
// level). Comparing per-agent window means keeps the p-value honest. With fewer than
// AGENT_LEVEL_MIN_AGENTS agents on a side there are too few means for a test, and the steps of
// all the side's agents are pooled instead — the p-value is then optimistic (it treats correlated
// steps as independent observations, and agents' own differences as the variant's effect), which
// `unit: "points"` says.
import { welchTTest } from '../analysis/welch-t-test.js';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import type { VariantComparison } from './swarm-analysis.js';
import { finiteMeanOf, isMissing, pushFinite, ringOf } from './window-reads.js';

/** Agents per side for the agent-level test. */
export const AGENT_LEVEL_MIN_AGENTS = 5;
/** Finite points an agent needs to count, and a pooled side needs at least. */
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

/**
 * Every variant against the baseline, per canonical metric. The baseline side keeps only agents of
 * the types the variant has, so a canary worker is compared with workers, not with planners.
 */
export function swarmVariants(inputs: VariantInputs): VariantComparison[] {
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
  const out: VariantComparison[] = [];
  for (const [variant, members] of groups) {
    if (variant === baseline) continue;
    const types = new Set(members.map((a) => a.type));
    const base = (groups.get(baseline) ?? []).filter((a) => types.has(a.type));
    if (base.length === 0) continue;
    for (const metric of CANONICAL_METRICS) {
      const variantMeans = agentMeans(windows, metric, members, missing);
      const baseMeans = agentMeans(windows, metric, base, missing);
      const byAgents = variantMeans.length >= AGENT_LEVEL_MIN_AGENTS && baseMeans.length >= AGENT_LEVEL_MIN_AGENTS;
      // Points are pooled only when the agents are too few for the agent-level test.
      const result = byAgents
        ? welchTTest(baseMeans, variantMeans, AGENT_LEVEL_MIN_AGENTS)
        : welchTTest(pooledPoints(windows, metric, base, missing), pooledPoints(windows, metric, members, missing), VARIANT_MIN_POINTS);
      if (!result.valid || !Number.isFinite(result.effectRatio) || !Number.isFinite(result.pValue)) continue;
      out.push({ metric, variant, baseline, unit: byAgents ? 'agents' : 'points', effect_ratio: result.effectRatio, p_value: result.pValue, n_variant: result.nVariant, n_baseline: result.nBaseline });
    }
  }
  return out;
}

/** Window means of the agents with at least VARIANT_MIN_POINTS finite points. */
function agentMeans(windows: AlignedWindows, metric: string, agents: readonly AgentRecord[], missing: Float64Array): number[] {
  const means: number[] = [];
  for (const agent of agents) {
    const ring = ringOf(windows, metric, agent.id, missing);
    if (isMissing(ring, missing)) continue;
    const mean = finiteMeanOf(ring, VARIANT_MIN_POINTS);
    if (Number.isFinite(mean)) means.push(mean);
  }
  return means;
}

/** Every finite point of every agent of the side. */
function pooledPoints(windows: AlignedWindows, metric: string, agents: readonly AgentRecord[], missing: Float64Array): number[] {
  const points: number[] = [];
  for (const agent of agents) {
    const ring = ringOf(windows, metric, agent.id, missing);
    if (!isMissing(ring, missing)) pushFinite(ring, points);
  }
  return points;
}
