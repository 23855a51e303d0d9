// Correlated-anomaly clusters of one swarm: reads the flagged agents' windows from the store rings,
// runs the kernel (analysis/anomaly-clusters.ts) and turns its slot-indexed clusters into agent names,
// metrics, recent steps and the strongest evidence. See docs/analysis-scores.md.
import { findAnomalyClustersSliced, type AnomalyLayer } from '../analysis/anomaly-clusters.js';
import type { Sliced } from '../analysis/sliced.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import { ANOMALY_STEPS, MAX_CLUSTER_CANDIDATES } from './anomaly-track.js';
import type { AnomalyCluster } from './swarm-analysis.js';

/** |r| of two agents' changes (without the anomalous steps) that links them. */
export const CLUSTER_MIN_ABS_R = 0.6;
/** Evidence pairs kept per cluster, strongest first. */
export const CLUSTER_EVIDENCE = 10;

export interface ClusterReads {
  readonly windows: AlignedWindows;
  /** analysis.anomaly_threshold. */
  readonly threshold: number;
  /** Least common clean changes for a link (the correlation's least overlap). */
  readonly minOverlap: number;
}

/** Clusters of ≥ 2 agents, largest first; `slots` is the capacity of the layers' slot space. */
/** The clusters, in slices (analysis/sliced.ts). */
export function* swarmClusters(
  layers: readonly AnomalyLayer[],
  slots: number,
  agentAt: (slot: number) => string | undefined,
  reads: ClusterReads,
): Sliced<AnomalyCluster[]> {
  if (layers.length === 0) return [];
  const { windows } = reads;
  const found = yield* findAnomalyClustersSliced({
    agents: slots,
    steps: ANOMALY_STEPS,
    layers,
    threshold: reads.threshold,
    minAbsR: CLUSTER_MIN_ABS_R,
    minOverlap: reads.minOverlap,
    maxAgents: MAX_CLUSTER_CANDIDATES,
    series: (layer, slot) => {
      const metric = layers[layer]?.metric;
      const agent = agentAt(slot);
      if (metric === undefined || agent === undefined || windows.view(metric, agent) === undefined) return undefined;
      return windows.chronological(metric, agent);
    },
  });
  return found.flatMap((c) => {
    const agents = c.members.map(agentAt).filter((a): a is string => a !== undefined);
    if (agents.length < 2) return [];
    const metrics = [...new Set(c.links.map((l) => l.metric))].sort();
    // Kernel steps count from the oldest recent step; the snapshot says "steps ago".
    const steps = [...new Set(c.links.flatMap((l) => l.steps.map((s) => ANOMALY_STEPS - 1 - s)))].sort((a, b) => a - b);
    const evidence = c.links
      .flatMap((l) => {
        const a = agentAt(l.a);
        const b = agentAt(l.b);
        return a === undefined || b === undefined || !Number.isFinite(l.r)
          ? []
          : [{ agent_a: a < b ? a : b, agent_b: a < b ? b : a, metric: l.metric, r: l.r }];
      })
      .sort((x, y) => Math.abs(y.r) - Math.abs(x.r))
      .slice(0, CLUSTER_EVIDENCE);
    return [{ agents: agents.sort(), metrics, steps, evidence }];
  });
}
