// Correlated-anomaly clusters of one swarm: the kernel's slot-indexed clusters (analysis/
// anomaly-clusters.ts) turned into agent names, metrics, recent steps and the strongest evidence.
import { findAnomalyClusters, type AnomalyLayer } from '../analysis/anomaly-clusters.js';
import { ANOMALY_STEPS } from './anomaly-track.js';
import type { AnomalyCluster } from './swarm-analysis.js';

/** |r| a pair needs to tie two anomalous agents into one cluster. */
export const CLUSTER_MIN_ABS_R = 0.6;
/** Evidence pairs kept per cluster, strongest first. */
export const CLUSTER_EVIDENCE = 10;

/** Clusters of ≥ 2 agents, largest first; `slots` is the capacity of the layers' slot space. */
export function swarmClusters(layers: readonly AnomalyLayer[], slots: number, agentAt: (slot: number) => string | undefined): AnomalyCluster[] {
  if (layers.length === 0) return [];
  const found = findAnomalyClusters({ agents: slots, steps: ANOMALY_STEPS, layers, minAbsR: CLUSTER_MIN_ABS_R });
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
        return a === undefined || b === undefined || !Number.isFinite(l.r) ? [] : [{ agent_a: a < b ? a : b, agent_b: a < b ? b : a, metric: l.metric, r: l.r }];
      })
      .sort((x, y) => Math.abs(y.r) - Math.abs(x.r))
      .slice(0, CLUSTER_EVIDENCE);
    return [{ agents: agents.sort(), metrics, steps, evidence }];
  });
}
