// Runs every analysis kernel on one swarm's aligned windows, one step at a time, and produces the
// immutable SwarmAnalysis snapshot. Owns the per-metric states (correlation tracks, sorted windows)
// that make a step O(N²) instead of O(N²·W), their slot space and their memory; pure kernels live in
// src/analysis/, the per-concern readers next to this file.
import { KernelArena } from '../analysis/kernel-arena.js';
import { MAX_ROWS } from '../analysis/correlation-matrix.js';
import type { AnomalyLayer } from '../analysis/anomaly-clusters.js';
import { loadBalance } from '../analysis/load-balance.js';
import { ScalingStabiliser } from '../analysis/scaling-stabiliser.js';
import type { Sliced } from '../analysis/sliced.js';
import type { CorrelatedPair } from '../analysis/top-pairs.js';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { SwarmState } from '../store/agent-registry.js';
import type { RevisedCell } from '../store/window-revisions.js';
import { AnomalyTrack } from './anomaly-track.js';
import { ChangeRows } from './change-rows.js';
import { minOverlapFor, type CorrelationTrack } from './correlation-track.js';
import { MetricPairSelector } from './metric-pairs.js';
import { PeriodicTrack, RecomputeScratch } from './periodic-track.js';
import { SlotMap } from './slot-map.js';
import { planTiers, StreamingBudget, type CorrelationTier } from './streaming-budget.js';
import { StreamingTrack } from './streaming-track.js';
import type { AnomalyEntry, CorrelationPair, SwarmAnalysis } from './swarm-analysis.js';
import { swarmBottlenecks } from './swarm-bottlenecks.js';
import { swarmClusters } from './swarm-clusters.js';
import { BOTTLENECK_ALERT_BAR, swarmForecast, swarmLoad, typeLoads } from './swarm-forecast.js';
import { swarmLeadLags } from './swarm-lead-lag.js';
import { swarmVariants } from './swarm-variants.js';
import { utilisationOf } from './utilisation.js';

export interface AnalyzerSettings {
  readonly stepMs: number;
  /** Points per window (analysis.window / analysis.step). */
  readonly windowPoints: number;
  readonly topPairs: number;
  readonly maxLag: number;
  readonly anomalyThreshold: number;
  readonly forecastHorizonsMs: readonly number[];
  /** analysis.scaling_target_utilization; default 0.7. */
  readonly scalingTargetUtilisation?: number;
  /** agents.max_agents: a swarm never has more, so slot capacity never needs more. Default MAX_ROWS. */
  readonly maxAgents?: number;
  /** analysis.correlation_fdr: Benjamini–Hochberg false-discovery rate of the exposed pairs. Default 0.05. */
  readonly correlationFdr?: number;
}

/** Default analysis.correlation_fdr. */
export const DEFAULT_CORRELATION_FDR = 0.05;

/** Custom metrics correlated per swarm, beyond the canonical ones (each costs a track). */
export const MAX_CORRELATED_CUSTOM_METRICS = 4;

/**
 * Which metrics keep a streaming correlation state first when the memory budget cannot hold them
 * all: latency and queues feed the bottleneck score's upstream impact and most alerts, active tasks
 * the load picture; then the rest of the canonical metrics; custom metrics last.
 */
export const STREAMING_PRIORITY: readonly string[] = [
  'response_time',
  'queue_depth',
  'active_tasks',
  'throughput',
  'error_rate',
  'cpu_usage',
  'memory_usage',
  'coordination_load',
  'messages_per_second',
];

/**
 * Slot growth on a full slot map. Every step costs O(capacity²) whether slots are used or not, and a
 * growth copies every packed state once (O(N²) memory traffic, no re-seed: StreamingCorrelation.grown):
 * an eighth of headroom keeps the per-step waste under 27 % while a swarm ramping from 16 to 5,000
 * agents grows ~50 times.
 */
const GROWTH = 1.125;
/** Reloading more than 1/RELOAD_ALL_SHARE of the slots' rows re-seeds the whole state instead. */
const RELOAD_ALL_SHARE = 8;

/**
 * Whether a ring (`w` cells) holds a finite value before its newest step (`oldest`: the ring index
 * of its oldest filled step, `filled` steps): whether the slot has a history, read in place.
 */
function hasEarlierValue(ring: Float64Array, oldest: number, filled: number, w: number): boolean {
  // The steps before the newest: ring[oldest …] up to the end, then from 0 (two ranges, no modulo:
  // a wave of 900 joiners reads 900 empty histories per metric).
  const end = oldest + filled - 1;
  for (let t = oldest; t < Math.min(end, w); t += 1) if (Number.isFinite(ring[t])) return true;
  for (let t = 0; t < end - w; t += 1) if (Number.isFinite(ring[t])) return true;
  return false;
}

/** Slot counts are multiples of this (the kernels' row blocks) and at least this. */
const SLOT_QUANTUM = 16;

/**
 * Slot capacity for `agents` agents: an eighth of headroom, rounded up to SLOT_QUANTUM, never above
 * `maxAgents` (no swarm gets more) nor MAX_ROWS (the kernels' limit), never below the agents.
 */
export function capacityFor(agents: number, maxAgents: number = MAX_ROWS): number {
  const wanted = Math.ceil(Math.max(SLOT_QUANTUM, agents * GROWTH) / SLOT_QUANTUM) * SLOT_QUANTUM;
  const ceiling = Math.min(MAX_ROWS, Math.max(2, maxAgents));
  return Math.max(2, Math.min(MAX_ROWS, agents), Math.min(wanted, ceiling));
}

interface MetricState {
  readonly correlation: CorrelationTrack;
  readonly anomaly: AnomalyTrack;
}

export class SwarmAnalyzer {
  private slots: SlotMap;
  private readonly states = new Map<string, MetricState>();
  private arena = new KernelArena('auto');
  private scratch: RecomputeScratch | null = null;
  private steps = 0;
  /** Slots given to agents this cycle (not after a rebuild: it seeds every state from the windows). */
  private newcomers: number[] = [];
  /** Which periodic metric recomputes its exact matrix this step (round robin). */
  private periodicTurn = 0;
  private column: Float64Array;
  /** Each slot's change at this step (the input of the correlation tracks). */
  private changes: Float64Array;
  private diffs: ChangeRows;
  /** An all-NaN ring of the window's length: the row of a slot without a series. */
  private readonly missing: Float64Array;
  private readonly buffers: readonly [Float64Array, Float64Array];
  private readonly metricPairs: MetricPairSelector;
  private readonly minOverlap: number;
  /** Scale-down stabilisation of the scaling recommendations across steps. */
  private readonly scaling = new ScalingStabiliser();

  constructor(
    readonly swarm: string,
    private readonly settings: AnalyzerSettings,
    private readonly budget: StreamingBudget = new StreamingBudget(),
  ) {
    const w = settings.windowPoints;
    this.slots = new SlotMap(capacityFor(0, settings.maxAgents));
    this.column = new Float64Array(this.slots.capacity);
    this.changes = new Float64Array(this.slots.capacity);
    this.diffs = new ChangeRows(this.slots.capacity, w);
    this.missing = new Float64Array(w).fill(Number.NaN);
    this.buffers = [new Float64Array(w), new Float64Array(w)];
    this.minOverlap = minOverlapFor(w);
    this.metricPairs = new MetricPairSelector(settings.topPairs, w, this.minOverlap);
  }

  /** Slot capacity of the correlation states (rows of each N×N matrix). */
  get capacity(): number {
    return this.slots.capacity;
  }

  /** The tier of each analysed metric's correlation state. */
  tiers(): ReadonlyMap<string, CorrelationTier> {
    return new Map([...this.states].map(([m, s]) => [m, s.correlation.tier]));
  }

  /** Returns the budget and the arena blocks; the analyzer must not be used afterwards. */
  dispose(): void {
    for (const s of this.states.values()) s.correlation.dispose();
    this.states.clear();
    this.scratch?.dispose();
    this.scratch = null;
    this.budget.release(this);
  }

  /**
   * One step: repair the rows whose past cells ingest rewrote since the last step (window-revisions.ts),
   * advance every metric's states with the window column the registry just wrote, then compute the
   * snapshot. In slices (analysis/sliced.ts), so the caller can let a large swarm's analysis share
   * the event loop: at least between metrics, and every SLICE_WORK pairs of the O(N²) kernels.
   *
   * Only the cycle advances the windows, so across safe points the rings change only by late samples
   * written into past cells and by expiry (a departed agent's ring stays intact until the next step,
   * ring-slab.ts). A late sample landing mid-metric can leave that metric's statistics of the row one
   * step stale; it is logged and the row repaired at the next step, as a sample landing between two
   * metrics always was. The agent list is taken once at the start.
   */
  *analyze(state: SwarmState, now: number): Sliced<SwarmAnalysis> {
    const agents = [...state.agents.values()];
    // Rewritten past cells since the last step (window-revisions.ts). Too many, or a window extended
    // backwards (a backfill): every state starts again from the windows.
    const revisions = state.windows.drainRevisions();
    if (revisions.overflow) this.dropStates();
    this.newcomers = [];
    const rebuilt = yield* this.syncMembership(state, agents);
    const metrics = this.metricsOf(state);
    const fresh = yield* this.plan(state, metrics, rebuilt);

    const { anomalyThreshold } = this.settings;
    const top: Record<string, CorrelationPair[]> = {};
    const meanAbs: Record<string, number> = {};
    const thresholds: Record<string, number> = {};
    const anomalyScores: AnomalyEntry[] = [];
    const layers: AnomalyLayer[] = [];
    const topSlots = new Map<string, readonly CorrelatedPair[]>();
    const periodic = metrics.filter((m) => this.states.get(m)?.correlation.tier === 'periodic');
    const turn = periodic.length === 0 ? undefined : periodic[this.periodicTurn % periodic.length];
    const n = this.slots.capacity;
    const slotted = [...this.slots.entries()];
    // Every ring shares one head: the step just written sits at head − 1.
    const w = state.windows.capacity;
    // The step just written sits at head − 1 (not stepCount mod W: a backfill re-lays the rings out).
    const newest = (state.windows.head - 1 + w) % w;
    const before = (newest - 1 + w) % w;
    const filled = state.windows.filled;
    const oldest = (((state.windows.head - filled) % w) + w) % w;
    const revised = this.revisedSlots(revisions.cells);

    for (const metric of metrics) {
      const s = this.states.get(metric);
      if (!s) continue;
      const rings = state.windows.seriesOf(metric);
      const rows: Float64Array[] = new Array<Float64Array>(n).fill(this.missing);
      this.column.fill(Number.NaN);
      this.changes.fill(Number.NaN);
      for (const [agent, slot] of slotted) {
        const ring = rings.get(agent);
        if (ring === undefined) continue;
        rows[slot] = ring;
        const x = ring[newest] ?? Number.NaN;
        this.column[slot] = x;
        // A change needs both steps observed (NaN − x and x − NaN are NaN).
        if (filled >= 2) this.changes[slot] = x - (ring[before] ?? Number.NaN);
      }
      const history = (slot: number): Float64Array | null => this.historyOf(state, metric, slot);
      // Newcomers whose rings already hold earlier steps (a backfill, or steps no cycle analysed).
      // States created this cycle were seeded from the windows, newcomers included.
      // Read in the ring in place: a wave of 900 joiners would otherwise copy 900 windows per metric.
      const joined =
        fresh.correlation.has(metric) && fresh.anomaly.has(metric)
          ? []
          : this.newcomers.filter((slot) => rows[slot] !== this.missing && hasEarlierValue(rows[slot] as Float64Array, oldest, filled, w));
      const rewritten = revised.byMetric.get(metric) ?? [];
      if (!fresh.anomaly.has(metric)) {
        for (const slot of joined) s.anomaly.load(slot, history(slot));
        for (const slot of rewritten) if (!joined.includes(slot)) s.anomaly.revise(slot, history(slot));
      }
      const reload = new Set([...rewritten, ...(fresh.correlation.has(metric) ? [] : joined)]);
      // Past a few rows one exact re-seed costs less than reloading them one by one (O(N·W) each).
      if (reload.size > n / RELOAD_ALL_SHARE) yield* s.correlation.revise(null, history);
      else if (reload.size > 0) yield* s.correlation.revise([...reload], history);
      this.diffs.reset(rows, oldest, filled);
      const step = yield* s.correlation.advance({ changes: this.changes, rows, oldest, diffs: this.diffs, recompute: metric === turn });
      s.anomaly.advance(this.column);
      topSlots.set(metric, step.top);
      top[metric] = step.top.flatMap((p) => {
        const a = this.slots.agentAt(p.a);
        const b = this.slots.agentAt(p.b);
        if (a === undefined || b === undefined || !Number.isFinite(p.r)) return [];
        return [a < b ? { agent_a: a, agent_b: b, r: p.r } : { agent_a: b, agent_b: a, r: p.r }];
      });
      if (Number.isFinite(step.meanAbs)) meanAbs[metric] = step.meanAbs;
      if (Number.isFinite(step.barAbs)) thresholds[metric] = step.barAbs;
      for (const [agent, slot] of slotted) {
        const z = Math.abs(s.anomaly.z[slot] ?? Number.NaN);
        if (Number.isFinite(z)) anomalyScores.push({ agent, metric, score: z });
      }
      layers.push(s.anomaly.layer(metric, anomalyThreshold));
      yield;
    }
    this.steps += 1;
    this.periodicTurn += 1;

    const { windows } = state;
    // top_pairs: 0 turns pair outputs off, the lead search of small swarms with them.
    const leadSlots = this.settings.topPairs > 0 ? slotted.map(([, slot]) => slot) : [];
    const leadLags = swarmLeadLags({
      windows,
      topSlots,
      agentAt: (slot) => this.slots.agentAt(slot),
      maxLag: this.settings.maxLag,
      stepSeconds: this.settings.stepMs / 1000,
      slots: leadSlots,
      scratch: this.buffers,
    });
    yield;
    const latencyTrack = this.states.get('response_time')?.anomaly;
    const bottlenecks = yield* swarmBottlenecks({
      windows,
      agents,
      stepMs: this.settings.stepMs,
      leads: this.settings.topPairs > 0 ? leadLags : null,
      scratch: this.buffers,
      missing: this.missing,
      latencyMedian: (agent) => {
        const slot = this.slots.slotOf(agent);
        return latencyTrack === undefined || slot === undefined ? undefined : latencyTrack.median(slot);
      },
    });
    yield;
    const utilization = agents.map((a) => ({ agent: a.id, score: utilisationOf(a) }));
    const balance = loadBalance(Float64Array.from(utilization, (u) => u.score));
    // A cluster needs recent steps to share: none before the second step.
    const clusters =
      this.steps < 2
        ? []
        : yield* swarmClusters(layers, n, (slot) => this.slots.agentAt(slot), {
            windows,
            threshold: anomalyThreshold,
            minOverlap: this.minOverlap,
          });
    yield;
    const load = yield* swarmLoad(windows, agents, this.buffers[0]);
    const forecast = swarmForecast({
      load,
      stepMs: this.settings.stepMs,
      windowPoints: this.settings.windowPoints,
      horizonsMs: this.settings.forecastHorizonsMs,
      types: typeLoads(agents),
      ...(this.settings.scalingTargetUtilisation === undefined ? {} : { targetUtilisation: this.settings.scalingTargetUtilisation }),
      bottleneckTypes: new Set(bottlenecks.filter((b) => b.score > BOTTLENECK_ALERT_BAR).map((b) => b.type)),
      stabiliser: this.scaling,
      now,
    });
    yield;
    const variants = yield* swarmVariants({ windows, agents, missing: this.missing });
    yield;
    const metricCorrelations = yield* this.metricPairs.select(windows, agents, this.missing);

    return {
      swarm: this.swarm,
      computed_at: now,
      step_seconds: this.settings.stepMs / 1000,
      window_points: this.settings.windowPoints,
      filled_points: windows.filled,
      agents: agents.length,
      bottlenecks,
      anomalies: anomalyScores.filter((a) => a.score >= anomalyThreshold).sort((x, y) => y.score - x.score),
      anomaly_scores: anomalyScores,
      clusters,
      top_pairs: top,
      correlation_mean_abs: meanAbs,
      correlation_threshold_abs: thresholds,
      lead_lag: leadLags,
      metric_correlations: metricCorrelations,
      load_balance: {
        index: balance.count > 0 ? balance.index : null,
        mean_utilization: balance.count > 0 ? balance.mean : null,
        agents: utilization.flatMap((u, i) => {
          const d = balance.deviations[i] ?? Number.NaN;
          return Number.isFinite(u.score) && Number.isFinite(d) ? [{ agent: u.agent, utilization: u.score, deviation: d }] : [];
        }),
      },
      utilization: utilization.filter((u) => Number.isFinite(u.score)),
      forecast,
      variants,
    };
  }

  /** Forgets every metric's states; plan() re-creates them from the windows. */
  private dropStates(): void {
    for (const s of this.states.values()) s.correlation.dispose();
    this.states.clear();
  }

  /** Metrics analysed, in streaming priority: the canonical ones present, then a few custom ones (first come, kept). */
  private metricsOf(state: SwarmState): string[] {
    const present = new Set(state.windows.metrics());
    const chosen = STREAMING_PRIORITY.filter((m) => present.has(m));
    let custom = 0;
    const take = (m: string): void => {
      if (
        custom >= MAX_CORRELATED_CUSTOM_METRICS ||
        chosen.includes(m) ||
        (CANONICAL_METRICS as readonly string[]).includes(m) ||
        !present.has(m)
      )
        return;
      chosen.push(m);
      custom += 1;
    };
    for (const m of this.states.keys()) take(m);
    for (const m of present) take(m);
    return chosen;
  }

  /**
   * Brings slots in line with the swarm's agents: departed agents' rows are cleared and their slots
   * reused; the slot space grows in place when full and is rebuilt smaller when a quarter used.
   * Returns whether the capacity changed (the tiers are then planned again).
   */
  private *syncMembership(state: SwarmState, agents: readonly AgentRecord[]): Sliced<boolean> {
    for (const [agent, slot] of [...this.slots.entries()]) {
      if (state.agents.has(agent)) continue;
      this.slots.release(agent);
      // O(N) a metric: a churn step clears dozens of slots.
      for (const s of this.states.values()) {
        s.correlation.clearSlot(slot);
        s.anomaly.clearSlot(slot);
      }
      yield;
    }
    const wanted = capacityFor(agents.length, this.settings.maxAgents);
    let newcomers = 0;
    for (const a of agents) if (this.slots.slotOf(a.id) === undefined) newcomers += 1;
    const full = this.slots.size + newcomers > this.slots.capacity;
    const sparse = this.slots.capacity > SLOT_QUANTUM && agents.length * 4 <= this.slots.capacity && wanted < this.slots.capacity;
    if (sparse) {
      this.rebuild(agents, wanted);
      return true;
    }
    if (full && wanted > this.slots.capacity) {
      yield* this.grow(wanted);
      this.assignAll(agents);
      return true;
    }
    this.assignAll(agents);
    return false;
  }

  /** Slots for agents without one, recorded as newcomers. */
  private assignAll(agents: readonly AgentRecord[]): void {
    for (const agent of agents) {
      if (this.slots.slotOf(agent.id) !== undefined) continue;
      // Beyond the kernels' row limit an agent gets no slot: it is left out of correlations and anomalies.
      const slot = this.slots.assign(agent.id);
      if (slot !== undefined) this.newcomers.push(slot);
    }
  }

  /**
   * More slots in place: every state keeps its slots and sums and gains empty rows (no re-seed, no
   * periodic metric made stale); plan() then re-checks the tiers against the budget.
   */
  private *grow(capacity: number): Sliced<void> {
    this.slots.grow(capacity);
    this.column = new Float64Array(capacity);
    this.changes = new Float64Array(capacity);
    this.diffs = new ChangeRows(capacity, this.settings.windowPoints);
    // Into a fresh arena: the old one (a WebAssembly memory never shrinks) goes with its last state.
    const arena = new KernelArena('auto');
    if (this.scratch !== null) yield* this.scratch.resize(capacity, arena);
    for (const s of this.states.values()) {
      yield* s.correlation.resize(capacity, arena);
      s.anomaly.resize(capacity);
    }
    this.arena = arena;
  }

  /** New slot space and arena; the states are re-created by plan() from the windows. */
  private rebuild(agents: readonly AgentRecord[], capacity: number): void {
    for (const s of this.states.values()) s.correlation.dispose();
    this.states.clear();
    this.scratch?.dispose();
    this.scratch = null;
    this.budget.release(this);
    this.slots = new SlotMap(capacity);
    for (const agent of agents) this.slots.assign(agent.id);
    this.column = new Float64Array(capacity);
    this.changes = new Float64Array(capacity);
    this.diffs = new ChangeRows(capacity, this.settings.windowPoints);
    this.arena = new KernelArena('auto');
  }

  /**
   * Gives every metric a correlation track of the tier the budget allows (streaming for the first
   * metrics in priority order, periodic for the rest) and an anomaly track; keeps the tracks whose
   * tier did not change. Returns the metrics whose correlation and anomaly tracks were created
   * (seeded from the windows) this cycle.
   */
  private *plan(
    state: SwarmState,
    metrics: readonly string[],
    rebuilt: boolean,
  ): Sliced<{ correlation: Set<string>; anomaly: Set<string> }> {
    const fresh = { correlation: new Set<string>(), anomaly: new Set<string>() };
    const known = metrics.every((m) => this.states.has(m)) && this.states.size === metrics.length;
    if (known && !rebuilt) return fresh;
    for (const [metric, s] of [...this.states]) {
      if (metrics.includes(metric)) continue;
      s.correlation.dispose();
      this.states.delete(metric);
    }
    const capacity = this.slots.capacity;
    const { tiers, bytes } = planTiers(metrics, capacity, this.budget.allowanceFor(this));
    this.budget.hold(this, bytes);
    const anyPeriodic = [...tiers.values()].includes('periodic');
    if (!anyPeriodic && this.scratch !== null) {
      this.scratch.dispose();
      this.scratch = null;
    }
    const w = this.settings.windowPoints;
    for (const metric of metrics) {
      const tier = tiers.get(metric) ?? 'periodic';
      const existing = this.states.get(metric);
      if (existing?.correlation.tier === tier) continue;
      existing?.correlation.dispose();
      const history = this.history(state, metric);
      let correlation: CorrelationTrack;
      if (tier === 'streaming') {
        const track = new StreamingTrack(capacity, w, this.arena, this.minOverlap, this.settings.topPairs, this.fdr);
        if (history !== null) yield* track.seed(history);
        correlation = track;
      } else {
        this.scratch ??= new RecomputeScratch(capacity, w, this.arena, this.minOverlap);
        correlation = new PeriodicTrack(capacity, w, this.minOverlap, this.settings.topPairs, this.scratch, this.fdr);
      }
      fresh.correlation.add(metric);
      if (existing === undefined) fresh.anomaly.add(metric);
      let anomaly = existing?.anomaly;
      if (anomaly === undefined) {
        anomaly = new AnomalyTrack(capacity, w);
        if (history !== null) yield* anomaly.loadHistory(history);
      }
      this.states.set(metric, { correlation, anomaly });
    }
    return fresh;
  }

  private get fdr(): number {
    return this.settings.correlationFdr ?? DEFAULT_CORRELATION_FDR;
  }

  /**
   * The store's rewritten past cells since the last cycle (window-revisions.ts), drained once per
   * cycle, as slots per metric; overflow means every row changed.
   */
  private revisedSlots(cells: readonly RevisedCell[]): { byMetric: Map<string, Set<number>> } {
    const byMetric = new Map<string, Set<number>>();
    for (const cell of cells) {
      const slot = this.slots.slotOf(cell.agent);
      if (slot === undefined || Object.is(cell.previous, cell.value)) continue;
      let slots = byMetric.get(cell.metric);
      if (slots === undefined) {
        slots = new Set();
        byMetric.set(cell.metric, slots);
      }
      slots.add(slot);
    }
    return { byMetric };
  }

  /** One slot's chronological window of levels up to the previous step, or null. */
  private historyOf(state: SwarmState, metric: string, slot: number): Float64Array | null {
    const agent = this.slots.agentAt(slot);
    const points = state.windows.filled - 1;
    if (agent === undefined || points <= 0 || !state.windows.view(metric, agent)) return null;
    return state.windows.chronological(metric, agent).subarray(0, points);
  }

  /** Each slot's chronological window up to the previous step (the current one is pushed next), or null. */
  private history(state: SwarmState, metric: string): (Float64Array | null)[] | null {
    const points = state.windows.filled - 1;
    if (points <= 0) return null;
    const rows = new Array<Float64Array | null>(this.slots.capacity).fill(null);
    for (const [agent, slot] of this.slots.entries()) {
      if (!state.windows.view(metric, agent)) continue;
      rows[slot] = state.windows.chronological(metric, agent).subarray(0, points);
    }
    return rows;
  }
}
