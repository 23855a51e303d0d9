// Correlated-anomaly clusters: agents whose metric jumped at the same recent step AND whose
// step-to-step changes move together outside the anomalous steps; grouped by complete linkage
// (every member linked to every other), so one spike-driven link cannot chain two groups together.
// Simultaneity alone is coincidence, co-movement alone is normal coupling; both together point at
// one shared cause (the "anomaly_correlation" coordination task acts on such a cluster).
// See docs/analysis-scores.md for the rules and their limits.
import { robustStats, robustZFromStats } from './robust-z.js';
import { complete, type Sliced } from './sliced.js';

/** One metric's anomaly flags, as the anomaly track records them. */
export interface AnomalyLayer {
  /** Metric name, carried into the evidence. */
  readonly metric: string;
  /**
   * anomalous[i·steps + s] ≠ 0 when agent i was anomalous (|z| ≥ threshold) at recent step s
   * (s = 0 the oldest of the `steps` recent steps, steps − 1 the current one).
   */
  readonly anomalous: Uint8Array;
}

export interface AnomalyClusterOptions {
  /** Number of agents (slots). */
  readonly agents: number;
  /** Recent steps per agent in each layer's `anomalous`. */
  readonly steps: number;
  readonly layers: readonly AnomalyLayer[];
  /**
   * Chronological window of agent `slot` for layer `layer` (latest point last, the current step);
   * undefined when it has none. Read only for the flagged agents.
   */
  readonly series: (layer: number, slot: number) => ArrayLike<number> | undefined;
  /** Robust |z| that makes a point anomalous, e.g. 3.5; also the bar for an abrupt change. */
  readonly threshold: number;
  /** Least |r| of the changes for a link, in (0, 1]; e.g. 0.6. */
  readonly minAbsR: number;
  /** Least common clean changes for a link; e.g. max(10, W/4). */
  readonly minOverlap: number;
  /** Most agents taken into the linkage (the most linked first); default 256. */
  readonly maxAgents?: number;
}

/** Why two agents were linked. */
export interface ClusterLink {
  readonly a: number;
  readonly b: number;
  readonly metric: string;
  /** Recent-step indexes (0 = oldest) where both had an abrupt anomaly. */
  readonly steps: readonly number[];
  /** Pearson r of their first differences without the anomalous steps. */
  readonly r: number;
}

export interface AnomalyCluster {
  /** Agent indexes, ascending; at least 2. */
  readonly members: readonly number[];
  /** The links between members (every pair of members has at least one). */
  readonly links: readonly ClusterLink[];
}

/** Default cap on the agents entering the linkage. */
export const MAX_LINKAGE_AGENTS = 256;

/** What the kernel derives from one flagged agent's window. */
interface Prepared {
  /** First differences d[t] = x[t] − x[t−1] (NaN where either is missing or either point is anomalous). */
  readonly clean: Float64Array;
  /** Bit s set when recent step s is anomalous AND an abrupt change happened at or before it within the recent steps. */
  readonly confirmed: number;
}

/**
 * Prepares one agent's window: anomalous points (robust |z| against the window's median and MAD ≥
 * threshold), first differences without them, and which flagged recent steps had an abrupt onset
 * (a change whose robust |z| among the window's changes ≥ threshold, at that step or an earlier
 * recent one). A load wave moves levels far from the median, but one small change at a time: it
 * has no onset, so it confirms nothing.
 */
function prepare(values: ArrayLike<number>, flags: number, steps: number, threshold: number): Prepared | null {
  const n = values.length;
  if (n < 3) return null;
  const level = robustStats(values);
  const anomalous = new Uint8Array(n);
  for (let t = 0; t < n; t += 1) {
    const x = values[t] as number;
    if (Number.isFinite(x) && Math.abs(robustZFromStats(x, level.median, level.mad, level.meanAbsDev)) >= threshold) anomalous[t] = 1;
  }
  const raw = new Float64Array(n).fill(Number.NaN);
  const clean = new Float64Array(n).fill(Number.NaN);
  for (let t = 1; t < n; t += 1) {
    const d = (values[t] as number) - (values[t - 1] as number);
    if (!Number.isFinite(d)) continue;
    raw[t] = d;
    if (anomalous[t] === 0 && anomalous[t - 1] === 0) clean[t] = d;
  }
  const changes = robustStats(raw);
  let confirmed = 0;
  let onset = false;
  for (let s = 0; s < steps; s += 1) {
    const t = n - steps + s;
    if (t < 1) continue;
    const d = raw[t] as number;
    if (Number.isFinite(d) && Math.abs(robustZFromStats(d, changes.median, changes.mad, changes.meanAbsDev)) >= threshold) onset = true;
    if (onset && (flags & (1 << s)) !== 0) confirmed |= 1 << s;
  }
  return { clean, confirmed };
}

/** Pearson r over the indexes where both are finite; NaN with fewer than `minOverlap` or a constant side. */
function cleanPearson(x: Float64Array, y: Float64Array, minOverlap: number): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let t = 0; t < x.length; t += 1) {
    const a = x[t] as number;
    const b = y[t] as number;
    if (a !== a || b !== b) continue;
    n += 1;
    sx += a;
    sy += b;
  }
  if (n < Math.max(3, minOverlap)) return Number.NaN;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let t = 0; t < x.length; t += 1) {
    const a = x[t] as number;
    const b = y[t] as number;
    if (a !== a || b !== b) continue;
    sxx += (a - mx) * (a - mx);
    syy += (b - my) * (b - my);
    sxy += (a - mx) * (b - my);
  }
  if (!(sxx > 0 && syy > 0)) return Number.NaN;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Clusters of ≥ 2 agents, largest first (ties by smallest member). Cost per layer: O(k·W log W) to
 * prepare the k flagged agents, O(W) per pair that shares a confirmed step; the linkage is O(m³)
 * for the m ≤ maxAgents linked agents (only in a swarm-wide event is m large).
 */
export function findAnomalyClusters(options: AnomalyClusterOptions): AnomalyCluster[] {
  return complete(findAnomalyClustersSliced(options));
}

/** Slots scanned, or candidate pairs compared, between two safe points of the sliced search. */
const WORK_PER_SLICE = 512;

/** `findAnomalyClusters` in slices (sliced.ts): the scan and the pair links stop every so often. */
export function* findAnomalyClustersSliced(options: AnomalyClusterOptions): Sliced<AnomalyCluster[]> {
  const { agents: n, steps, layers, minAbsR, threshold } = options;
  const links: ClusterLink[] = [];
  let work = 0;
  for (let li = 0; li < layers.length; li += 1) {
    const layer = layers[li] as AnomalyLayer;
    const prepared = new Map<number, Prepared>();
    for (let i = 0; i < n; i += 1) {
      if (++work % WORK_PER_SLICE === 0) yield;
      let flags = 0;
      for (let s = 0; s < steps; s += 1) if ((layer.anomalous[i * steps + s] ?? 0) !== 0) flags |= 1 << s;
      if (flags === 0) continue;
      const values = options.series(li, i);
      if (values === undefined) continue;
      const p = prepare(values, flags, steps, threshold);
      if (p !== null && p.confirmed !== 0) prepared.set(i, p);
    }
    const ids = [...prepared.keys()];
    for (let x = 0; x < ids.length; x += 1) {
      const a = ids[x] as number;
      const pa = prepared.get(a) as Prepared;
      for (let y = x + 1; y < ids.length; y += 1) {
        const b = ids[y] as number;
        const pb = prepared.get(b) as Prepared;
        const shared = pa.confirmed & pb.confirmed;
        if (shared === 0) continue;
        if (++work % WORK_PER_SLICE === 0) yield;
        const r = cleanPearson(pa.clean, pb.clean, options.minOverlap);
        if (!(Math.abs(r) >= minAbsR)) continue;
        const stepList: number[] = [];
        for (let s = 0; s < steps; s += 1) if ((shared & (1 << s)) !== 0) stepList.push(s);
        links.push({ a, b, metric: layer.metric, steps: stepList, r });
      }
    }
  }
  return completeLinkage(links, minAbsR, options.maxAgents ?? MAX_LINKAGE_AGENTS);
}

/**
 * Agglomerative complete linkage on the link strengths S(a, b) = the largest |r| of their links (0
 * without one): merge the two groups whose weakest cross pair is strongest, while that pair is ≥ bar.
 * Every pair of a resulting cluster is linked.
 */
function completeLinkage(links: readonly ClusterLink[], bar: number, maxAgents: number): AnomalyCluster[] {
  if (links.length === 0) return [];
  const degree = new Map<number, number>();
  for (const l of links) {
    degree.set(l.a, (degree.get(l.a) ?? 0) + 1);
    degree.set(l.b, (degree.get(l.b) ?? 0) + 1);
  }
  // A swarm-wide event: the most linked agents first (ties: the smallest index).
  const members = [...degree.keys()].sort((x, y) => (degree.get(y) ?? 0) - (degree.get(x) ?? 0) || x - y).slice(0, Math.max(2, maxAgents));
  const index = new Map(members.map((a, k) => [a, k]));
  const m = members.length;
  const sim = new Float64Array(m * m);
  for (const l of links) {
    const i = index.get(l.a);
    const j = index.get(l.b);
    if (i === undefined || j === undefined) continue;
    const v = Math.max(sim[i * m + j] ?? 0, Math.abs(l.r));
    sim[i * m + j] = v;
    sim[j * m + i] = v;
  }
  const groups: (number[] | null)[] = members.map((_, k) => [k]);
  for (;;) {
    let best = -1;
    let bi = -1;
    let bj = -1;
    for (let i = 0; i < m; i += 1) {
      if (groups[i] === null) continue;
      for (let j = i + 1; j < m; j += 1) {
        if (groups[j] === null) continue;
        const v = sim[i * m + j] ?? 0;
        if (v > best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi < 0 || !(best >= bar)) break;
    // Lance–Williams for complete linkage: the merged group's similarity is the smaller one.
    for (let k = 0; k < m; k += 1) {
      if (k === bi || k === bj || groups[k] === null) continue;
      const v = Math.min(sim[bi * m + k] ?? 0, sim[bj * m + k] ?? 0);
      sim[bi * m + k] = v;
      sim[k * m + bi] = v;
    }
    groups[bi] = [...(groups[bi] ?? []), ...(groups[bj] ?? [])];
    groups[bj] = null;
  }
  const clusters: AnomalyCluster[] = [];
  for (const g of groups) {
    if (g === null || g.length < 2) continue;
    const set = new Set(g.map((k) => members[k] as number));
    clusters.push({ members: [...set].sort((x, y) => x - y), links: links.filter((l) => set.has(l.a) && set.has(l.b)) });
  }
  return clusters.sort((x, y) => y.members.length - x.members.length || (x.members[0] as number) - (y.members[0] as number));
}
