// Correlated-anomaly clusters: agents that were anomalous at the same recent steps AND whose
// metric moves together over the window are linked; linked agents are grouped with union-find.
// Simultaneity alone is coincidence, correlation alone is normal coupling; both together point
// at one shared cause (the "anomaly_correlation" coordination task acts on such a cluster).
import { UnionFind } from './union-find.js';

/** One metric's evidence. */
export interface AnomalyLayer {
  /** Metric name, carried into the evidence. */
  readonly metric: string;
  /**
   * anomalous[i·steps + s] ≠ 0 when agent i was anomalous (|z| ≥ threshold) at recent step s
   * (s = 0 the oldest of the `steps` recent steps, steps − 1 the current one).
   */
  readonly anomalous: Uint8Array;
  /** r of agents i and j over the window for this metric; NaN when undefined. */
  readonly correlation: (i: number, j: number) => number;
}

export interface AnomalyClusterOptions {
  /** Number of agents. */
  readonly agents: number;
  /** Recent steps per agent in each layer's `anomalous`. */
  readonly steps: number;
  readonly layers: readonly AnomalyLayer[];
  /** Least |r| for a link, in (0, 1]; e.g. 0.7. */
  readonly minAbsR: number;
  /** Least shared anomalous steps for a link; default 1. */
  readonly minSharedSteps?: number;
}

/** Why two agents were linked. */
export interface ClusterLink {
  readonly a: number;
  readonly b: number;
  readonly metric: string;
  /** Recent-step indexes (0 = oldest) where both were anomalous. */
  readonly steps: readonly number[];
  readonly r: number;
}

export interface AnomalyCluster {
  /** Agent indexes, ascending; at least 2. */
  readonly members: readonly number[];
  /** The links that formed the cluster. */
  readonly links: readonly ClusterLink[];
}

/**
 * Clusters of ≥ 2 agents, largest first (ties by smallest member). Cost: per layer and step, the
 * pairs of agents anomalous at that step — small when anomalies are rare, O(N²·steps) at worst.
 */
export function findAnomalyClusters(options: AnomalyClusterOptions): AnomalyCluster[] {
  const { agents: n, steps, layers, minAbsR } = options;
  const minShared = Math.max(1, options.minSharedSteps ?? 1);
  const sets = new UnionFind(n);
  const links: ClusterLink[] = [];
  for (const layer of layers) {
    // Shared anomalous steps per candidate pair, from per-step buckets of anomalous agents.
    const shared = new Map<number, number[]>();
    for (let s = 0; s < steps; s += 1) {
      const bucket: number[] = [];
      for (let i = 0; i < n; i += 1) {
        if ((layer.anomalous[i * steps + s] ?? 0) !== 0) bucket.push(i);
      }
      for (let x = 0; x < bucket.length; x += 1) {
        for (let y = x + 1; y < bucket.length; y += 1) {
          const key = (bucket[x] as number) * n + (bucket[y] as number);
          const list = shared.get(key);
          if (list === undefined) shared.set(key, [s]);
          else list.push(s);
        }
      }
    }
    for (const [key, stepList] of shared) {
      if (stepList.length < minShared) continue;
      const a = Math.floor(key / n);
      const b = key % n;
      const r = layer.correlation(a, b);
      if (!(Math.abs(r) >= minAbsR)) continue;
      links.push({ a, b, metric: layer.metric, steps: stepList, r });
      sets.union(a, b);
    }
  }
  const byRoot = new Map<number, { members: number[]; links: ClusterLink[] }>();
  for (const link of links) {
    const root = sets.find(link.a);
    let cluster = byRoot.get(root);
    if (cluster === undefined) {
      cluster = { members: [], links: [] };
      byRoot.set(root, cluster);
    }
    cluster.links.push(link);
  }
  for (let i = 0; i < n; i += 1) byRoot.get(sets.find(i))?.members.push(i);
  return [...byRoot.values()]
    .map((c) => ({ members: c.members, links: c.links }))
    .sort((x, y) => y.members.length - x.members.length || (x.members[0] as number) - (y.members[0] as number));
}
