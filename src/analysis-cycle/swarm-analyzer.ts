// Runs every analysis kernel on one swarm's aligned windows, one step at a time, and produces the
// immutable SwarmAnalysis snapshot. Owns the streaming states (correlation sums, sorted windows)
// that make a step O(N²) instead of O(N²·W); pure kernels live in src/analysis/.
import { StreamingCorrelation } from '../analysis/streaming-correlation.js';
import { RobustWindowBank } from '../analysis/robust-window-bank.js';
import { KernelArena } from '../analysis/kernel-arena.js';
import { stickyTopPairs, meanAbsCorrelation } from '../analysis/top-pairs.js';
import { leadLag } from '../analysis/lead-lag.js';
import { findAnomalyClusters, type AnomalyLayer } from '../analysis/anomaly-clusters.js';
import { bottleneckScores, type LeadEdge } from '../analysis/bottleneck.js';
import { loadBalance } from '../analysis/load-balance.js';
import { linearTrend } from '../analysis/linear-trend.js';
import { metricCorrelation } from '../analysis/metric-correlation.js';
import { pairCount } from '../analysis/packed-triangle.js';
import { welchTTest } from '../analysis/welch-t-test.js';
import type { AgentTypeLoad } from '../analysis/capacity-forecast.js';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { SwarmState } from '../store/agent-registry.js';
import { SlotMap } from './slot-map.js';
import { swarmForecast } from './swarm-forecast.js';
import { finiteMean, finiteMedian, pushFinite, seriesOf } from './window-reads.js';
import type { AnomalyCluster, AnomalyEntry, BottleneckEntry, CorrelationPair, LeadLag, MetricPairCorrelation, SwarmAnalysis, VariantComparison } from './swarm-analysis.js';

export interface AnalyzerSettings {
  readonly stepMs: number;
  /** Points per window (analysis.window / analysis.step). */
  readonly windowPoints: number;
  readonly topPairs: number;
  readonly maxLag: number;
  readonly anomalyThreshold: number;
  readonly forecastHorizonsMs: readonly number[];
}

/** Custom metrics correlated per swarm, beyond the canonical ones (each costs 4·N² bytes). */
export const MAX_CORRELATED_CUSTOM_METRICS = 4;
/** Recent steps searched for simultaneous anomalies. */
export const ANOMALY_STEPS = 5;
/** |r| a pair needs to tie anomalous agents into one cluster. */
export const CLUSTER_MIN_ABS_R = 0.6;
/** |r| a lagged pair needs to count as a lead (exposed and used by the bottleneck score). */
export const LEAD_MIN_ABS_R = 0.5;
/** Hysteresis margin of the exposed top pairs, in |r|. */
export const TOP_PAIR_MARGIN = 0.05;
/** Per-agent metric×metric pairs exposed per swarm, with at least this |r|. */
export const METRIC_PAIR_MIN_ABS_R = 0.5;
/** A variant comparison needs this many agents and finite points on each side. */
export const VARIANT_MIN_AGENTS = 1;
export const VARIANT_MIN_POINTS = 10;

interface MetricState {
  readonly stream: StreamingCorrelation;
  readonly bank: RobustWindowBank;
  /** Latest robust z per slot (NaN = none). */
  readonly z: Float64Array;
  /** |z| >= threshold flags, slot-major, ring of ANOMALY_STEPS steps. */
  readonly flags: Uint8Array;
  previousTop: readonly { readonly a: number; readonly b: number }[];
}

/**
 * Common points a pair needs before its r is reported: a quarter of the window, at least 10 — enough
 * to keep chance correlations of short series out, early enough to show a fresh swarm within minutes.
 */
export function minOverlapFor(windowPoints: number): number {
  return Math.min(windowPoints, Math.max(10, Math.ceil(windowPoints / 4)));
}

/** Next power of two at least `n` and at least 16. */
function capacityFor(n: number): number {
  let c = 16;
  while (c < n) c *= 2;
  return c;
}

export class SwarmAnalyzer {
  private slots: SlotMap;
  private states = new Map<string, MetricState>();
  private arena = new KernelArena('auto');
  private steps = 0;
  private column: Float64Array;

  constructor(
    readonly swarm: string,
    private readonly settings: AnalyzerSettings,
  ) {
    this.slots = new SlotMap(16);
    this.column = new Float64Array(16);
  }

  /** Metrics analysed: the canonical ones present plus a few custom ones, first come first served. */
  private metricsOf(state: SwarmState): string[] {
    const present = new Set(state.windows.metrics());
    const chosen = CANONICAL_METRICS.filter((m) => present.has(m)) as string[];
    let custom = 0;
    for (const m of this.states.keys()) if (!chosen.includes(m) && present.has(m) && custom < MAX_CORRELATED_CUSTOM_METRICS) {
      chosen.push(m);
      custom += 1;
    }
    for (const m of present) {
      if (custom >= MAX_CORRELATED_CUSTOM_METRICS) break;
      if (!chosen.includes(m)) {
        chosen.push(m);
        custom += 1;
      }
    }
    return chosen;
  }

  /** Brings slots in line with the swarm's agents; rebuilds every state with more slots when full. */
  private syncMembership(state: SwarmState): void {
    for (const [agent, slot] of [...this.slots.entries()]) {
      if (state.agents.has(agent)) continue;
      this.slots.release(agent);
      for (const s of this.states.values()) {
        s.stream.setRow(slot, null);
        s.bank.setSeries(slot, null);
        s.z[slot] = Number.NaN;
        s.flags.fill(0, slot * ANOMALY_STEPS, (slot + 1) * ANOMALY_STEPS);
      }
    }
    for (const agent of state.agents.keys()) {
      if (this.slots.assign(agent) === undefined) {
        this.rebuild(state, capacityFor(state.agents.size * 2));
        return;
      }
    }
  }

  /** New slot map and states sized for `capacity`, seeded from the windows (history is kept). */
  private rebuild(state: SwarmState, capacity: number): void {
    const slots = new SlotMap(capacity);
    for (const agent of state.agents.keys()) slots.assign(agent);
    this.slots = slots;
    this.column = new Float64Array(capacity);
    this.arena = new KernelArena('auto');
    const metrics = [...this.states.keys()];
    this.states.clear();
    for (const metric of metrics) this.states.set(metric, this.createState(state, metric));
  }

  /**
   * A state for one metric, seeded with the window up to the previous step (the current step is
   * pushed by the caller right after).
   */
  private createState(state: SwarmState, metric: string): MetricState {
    const capacity = this.slots.capacity;
    const w = this.settings.windowPoints;
    const stream = new StreamingCorrelation({ capacity, window: w, arena: this.arena, minOverlap: minOverlapFor(w) });
    const bank = new RobustWindowBank({ series: capacity, window: w });
    const history = Math.max(0, state.windows.filled - 1);
    if (history > 0) {
      const rows: (Float64Array | null)[] = new Array<Float64Array | null>(capacity).fill(null);
      for (const [agent, slot] of this.slots.entries()) rows[slot] = seriesOf(state.windows, metric, agent).subarray(0, history);
      stream.seed(rows);
      const column = new Float64Array(capacity);
      for (let t = 0; t < history; t++) {
        column.fill(Number.NaN);
        rows.forEach((row, slot) => {
          if (row) column[slot] = row[t] ?? Number.NaN;
        });
        bank.push(column);
      }
    }
    return { stream, bank, z: new Float64Array(capacity).fill(Number.NaN), flags: new Uint8Array(capacity * ANOMALY_STEPS), previousTop: [] };
  }

  /** One step: advance every state with the latest window column and compute the snapshot. */
  analyze(state: SwarmState, now: number): SwarmAnalysis {
    this.syncMembership(state);
    const metrics = this.metricsOf(state);
    for (const metric of metrics) if (!this.states.has(metric)) this.states.set(metric, this.createState(state, metric));
    for (const metric of [...this.states.keys()]) if (!metrics.includes(metric)) this.states.delete(metric);

    const { topPairs: k, anomalyThreshold } = this.settings;
    const stepIndex = this.steps % ANOMALY_STEPS;
    const top: Record<string, CorrelationPair[]> = {};
    const meanAbs: Record<string, number> = {};
    const anomalyScores: AnomalyEntry[] = [];
    const layers: AnomalyLayer[] = [];
    const topSlots = new Map<string, readonly { a: number; b: number; r: number }[]>();

    for (const metric of metrics) {
      const s = this.states.get(metric);
      if (!s) continue;
      this.column.fill(Number.NaN);
      for (const [agent, slot] of this.slots.entries()) this.column[slot] = state.windows.latest(metric, agent);
      const r = s.stream.pushAndCorrelate(this.column);
      s.bank.push(this.column, s.z);
      const n = this.slots.capacity;
      const chosen = stickyTopPairs(r, n, k, s.previousTop, TOP_PAIR_MARGIN);
      s.previousTop = chosen.map((p) => ({ a: p.a, b: p.b }));
      topSlots.set(metric, chosen);
      top[metric] = chosen.flatMap((p) => {
        const a = this.slots.agentAt(p.a);
        const b = this.slots.agentAt(p.b);
        if (a === undefined || b === undefined || !Number.isFinite(p.r)) return [];
        return [a < b ? { agent_a: a, agent_b: b, r: p.r } : { agent_a: b, agent_b: a, r: p.r }];
      });
      const mean = meanAbsCorrelation(r).meanAbs;
      if (Number.isFinite(mean)) meanAbs[metric] = mean;
      for (const [agent, slot] of this.slots.entries()) {
        const z = Math.abs(s.z[slot] ?? Number.NaN);
        s.flags[slot * ANOMALY_STEPS + stepIndex] = z >= anomalyThreshold ? 1 : 0;
        if (Number.isFinite(z)) anomalyScores.push({ agent, metric, score: z });
      }
      layers.push(this.anomalyLayer(metric, s, stepIndex));
    }
    this.steps += 1;

    const leadLags = this.leadLags(state, topSlots);
    const agents = [...state.agents.values()];
    const bottlenecks = this.bottlenecks(state, agents, leadLags);
    const utilization = agents.map((a) => ({ agent: a.id, score: utilisationOf(a) }));
    const balance = loadBalance(Float64Array.from(utilization, (u) => u.score));
    const clusters = this.clusters(layers, metrics);

    return {
      swarm: this.swarm,
      computed_at: now,
      step_seconds: this.settings.stepMs / 1000,
      window_points: this.settings.windowPoints,
      filled_points: state.windows.filled,
      agents: state.agents.size,
      bottlenecks,
      anomalies: anomalyScores.filter((a) => a.score >= anomalyThreshold).sort((x, y) => y.score - x.score),
      anomaly_scores: anomalyScores,
      clusters,
      top_pairs: top,
      correlation_mean_abs: meanAbs,
      lead_lag: leadLags,
      metric_correlations: this.metricPairs(state, agents),
      load_balance: {
        index: balance.count > 0 ? balance.index : null,
        mean_utilization: balance.count > 0 ? balance.mean : null,
        agents: utilization.flatMap((u, i) => {
          const d = balance.deviations[i] ?? Number.NaN;
          return Number.isFinite(u.score) && Number.isFinite(d) ? [{ agent: u.agent, utilization: u.score, deviation: d }] : [];
        }),
      },
      utilization: utilization.filter((u) => Number.isFinite(u.score)),
      forecast: this.forecast(state, agents),
      variants: this.variants(state, agents),
    };
  }

  /** Anomaly flags reordered oldest→newest for the cluster kernel, with the metric's correlations. */
  private anomalyLayer(metric: string, s: MetricState, stepIndex: number): AnomalyLayer {
    const n = this.slots.capacity;
    const anomalous = new Uint8Array(n * ANOMALY_STEPS);
    for (let slot = 0; slot < n; slot++) {
      for (let t = 0; t < ANOMALY_STEPS; t++) {
        // t = 0 oldest of the recent steps, ANOMALY_STEPS - 1 the current one.
        const ring = (stepIndex + 1 + t) % ANOMALY_STEPS;
        anomalous[slot * ANOMALY_STEPS + t] = s.flags[slot * ANOMALY_STEPS + ring] ?? 0;
      }
    }
    return { metric, anomalous, correlation: (i, j) => s.stream.pair(i, j) };
  }

  private clusters(layers: readonly AnomalyLayer[], metrics: readonly string[]): AnomalyCluster[] {
    if (this.steps < 2 || metrics.length === 0) return [];
    const found = findAnomalyClusters({ agents: this.slots.capacity, steps: ANOMALY_STEPS, layers, minAbsR: CLUSTER_MIN_ABS_R });
    return found.flatMap((c) => {
      const agents = c.members.map((m) => this.slots.agentAt(m)).filter((a): a is string => a !== undefined);
      if (agents.length < 2) return [];
      const clusterMetrics = [...new Set(c.links.map((l) => l.metric))];
      const steps = [...new Set(c.links.flatMap((l) => l.steps.map((s) => ANOMALY_STEPS - 1 - s)))].sort((a, b) => a - b);
      const evidence = c.links
        .flatMap((l) => {
          const a = this.slots.agentAt(l.a);
          const b = this.slots.agentAt(l.b);
          return a === undefined || b === undefined || !Number.isFinite(l.r) ? [] : [{ agent_a: a < b ? a : b, agent_b: a < b ? b : a, metric: l.metric, r: l.r }];
        })
        .sort((x, y) => Math.abs(y.r) - Math.abs(x.r))
        .slice(0, 10);
      return [{ agents: agents.sort(), metrics: clusterMetrics, steps, evidence }];
    });
  }

  /** Lead/lag of the exposed top pairs (first differences: when changes happen, not levels). */
  private leadLags(state: SwarmState, topSlots: ReadonlyMap<string, readonly { a: number; b: number; r: number }[]>): LeadLag[] {
    const out: LeadLag[] = [];
    const stepSeconds = this.settings.stepMs / 1000;
    for (const [metric, pairs] of topSlots) {
      for (const p of pairs) {
        const a = this.slots.agentAt(p.a);
        const b = this.slots.agentAt(p.b);
        if (a === undefined || b === undefined) continue;
        const found = leadLag(seriesOf(state.windows, metric, a), seriesOf(state.windows, metric, b), this.settings.maxLag, { difference: true });
        if (found === null || found.lag === 0 || !(Math.abs(found.r) >= LEAD_MIN_ABS_R)) continue;
        const [leader, follower] = found.lag > 0 ? [a, b] : [b, a];
        const steps = Math.abs(found.lag);
        out.push({ metric, leader, follower, lag_steps: steps, lag_seconds: steps * stepSeconds, r: found.r });
      }
    }
    return out;
  }

  private bottlenecks(state: SwarmState, agents: readonly AgentRecord[], leads: readonly LeadLag[]): BottleneckEntry[] {
    const index = new Map(agents.map((a, i) => [a.id, i]));
    const n = agents.length;
    const queueSlope = new Float64Array(n);
    const throughput = new Float64Array(n);
    const queueDepth = new Float64Array(n);
    const latency = new Float64Array(n);
    const stepSeconds = this.settings.stepMs / 1000;
    agents.forEach((agent, i) => {
      const queue = seriesOf(state.windows, 'queue_depth', agent.id);
      queueSlope[i] = linearTrend(queue).slope / stepSeconds;
      queueDepth[i] = finiteMean(queue);
      throughput[i] = finiteMean(seriesOf(state.windows, 'throughput', agent.id));
      latency[i] = finiteMedian(seriesOf(state.windows, 'response_time', agent.id));
    });
    // A leader's latency or queue preceding a follower's latency is upstream impact.
    const edges: LeadEdge[] = leads
      .filter((l) => l.metric === 'response_time' || l.metric === 'queue_depth')
      .flatMap((l) => {
        const leader = index.get(l.leader);
        const follower = index.get(l.follower);
        return leader === undefined || follower === undefined ? [] : [{ leader, follower, lagSteps: l.lag_steps, r: l.r }];
      });
    const scores = bottleneckScores({
      utilisation: Float64Array.from(agents, utilisationOf),
      queueSlope,
      throughput,
      queueDepth,
      windowSeconds: state.windows.filled * stepSeconds,
      latency,
      leads: edges,
      minLeadR: LEAD_MIN_ABS_R,
    });
    const entries: BottleneckEntry[] = [];
    agents.forEach((agent, i) => {
      const score = scores.score[i] ?? Number.NaN;
      if (!Number.isFinite(score)) return;
      const components: Record<string, number> = {};
      const named: [string, Float64Array][] = [
        ['utilization', scores.utilisation],
        ['queue_growth', scores.queueGrowth],
        ['latency_inflation', scores.latencyInflation],
        ['upstream_impact', scores.upstreamImpact],
      ];
      for (const [name, values] of named) {
        const v = values[i] ?? Number.NaN;
        if (Number.isFinite(v)) components[name] = v;
      }
      entries.push({ agent: agent.id, type: agent.type, score, components });
    });
    return entries.sort((a, b) => b.score - a.score || (a.agent < b.agent ? -1 : 1));
  }

  private forecast(state: SwarmState, agents: readonly AgentRecord[]): SwarmAnalysis['forecast'] {
    const filled = state.windows.filled;
    const load = new Float64Array(filled).fill(Number.NaN);
    for (const agent of agents) {
      const series = seriesOf(state.windows, 'active_tasks', agent.id);
      for (let t = 0; t < filled; t++) {
        const v = series[t] ?? Number.NaN;
        if (Number.isFinite(v)) load[t] = (Number.isNaN(load[t] ?? Number.NaN) ? 0 : (load[t] ?? 0)) + v;
      }
    }
    const byType = new Map<string, { agents: number; capacity: number; load: number }>();
    for (const agent of agents) {
      if (!agent.up) continue;
      const t = byType.get(agent.type) ?? { agents: 0, capacity: 0, load: 0 };
      t.agents += 1;
      t.capacity += agent.capacity ?? 0;
      const active = agent.value('active_tasks');
      t.load += Number.isFinite(active) ? active : 0;
      byType.set(agent.type, t);
    }
    const types: AgentTypeLoad[] = [...byType].map(([type, t]) => ({ type, ...t }));
    return swarmForecast({ load, stepMs: this.settings.stepMs, horizonsMs: this.settings.forecastHorizonsMs, types });
  }

  /** Each variant against the most common one (ties: the smallest name), per canonical metric. */
  private variants(state: SwarmState, agents: readonly AgentRecord[]): VariantComparison[] {
    const groups = new Map<string, AgentRecord[]>();
    for (const agent of agents) {
      if (agent.variant === '') continue;
      const list = groups.get(agent.variant) ?? [];
      list.push(agent);
      groups.set(agent.variant, list);
    }
    if (groups.size < 2) return [];
    const [baseline] = [...groups].sort((x, y) => y[1].length - x[1].length || (x[0] < y[0] ? -1 : 1))[0] ?? [];
    if (baseline === undefined) return [];
    const out: VariantComparison[] = [];
    for (const metric of CANONICAL_METRICS) {
      const pooled = (members: readonly AgentRecord[]): number[] => {
        const values: number[] = [];
        for (const a of members) pushFinite(seriesOf(state.windows, metric, a.id), values);
        return values;
      };
      const base = pooled(groups.get(baseline) ?? []);
      if (base.length < VARIANT_MIN_POINTS) continue;
      for (const [variant, members] of groups) {
        if (variant === baseline || members.length < VARIANT_MIN_AGENTS) continue;
        const values = pooled(members);
        const result = welchTTest(base, values, VARIANT_MIN_POINTS);
        if (!result.valid || !Number.isFinite(result.effectRatio) || !Number.isFinite(result.pValue)) continue;
        out.push({ metric, variant, baseline, effect_ratio: result.effectRatio, p_value: result.pValue, n_variant: result.nVariant, n_baseline: result.nBaseline });
      }
    }
    return out;
  }

  /** The strongest per-agent metric×metric correlations of the swarm (bounded: top_pairs). */
  private metricPairs(state: SwarmState, agents: readonly AgentRecord[]): MetricPairCorrelation[] {
    const metrics = CANONICAL_METRICS.filter((m) => state.windows.seriesOf(m).size > 0);
    if (metrics.length < 2) return [];
    const all: MetricPairCorrelation[] = [];
    const out = new Float64Array(pairCount(metrics.length));
    for (const agent of agents) {
      metricCorrelation(metrics.map((m) => seriesOf(state.windows, m, agent.id)), { out });
      let k = 0;
      for (let i = 0; i < metrics.length; i++) {
        for (let j = i + 1; j < metrics.length; j++, k++) {
          const r = out[k] ?? Number.NaN;
          const a = metrics[i];
          const b = metrics[j];
          if (a !== undefined && b !== undefined && Number.isFinite(r) && Math.abs(r) >= METRIC_PAIR_MIN_ABS_R) all.push({ agent: agent.id, metric_a: a, metric_b: b, r });
        }
      }
    }
    return all.sort((x, y) => Math.abs(y.r) - Math.abs(x.r)).slice(0, this.settings.topPairs);
  }
}

/** active_tasks / capacity when the agent declared a capacity, else cpu_usage; NaN when unknown. */
export function utilisationOf(agent: AgentRecord): number {
  const active = agent.value('active_tasks');
  if (agent.capacity !== undefined && agent.capacity > 0 && Number.isFinite(active)) return Math.min(1, Math.max(0, active / agent.capacity));
  return agent.value('cpu_usage');
}
