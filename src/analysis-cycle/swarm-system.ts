// The swarm as a system (docs/swarm-system.md): collective totals every cycle, agent recovery times,
// the Universal Scalability Law fitted to (agents up, collective throughput) buckets, and each
// agent's learned normal (baseline band) refitted in turns from the stored agent-state history.
// Owns time (the injected clock) and the history reads; the maths lives in analysis/.
import { bandAt, learnBaseline, type BaselineProfile } from '../analysis/baseline-band.js';
import { RecoveryTimes } from '../analysis/recovery-times.js';
import { scalabilityPoints, type StateRow } from '../analysis/scalability-points.js';
import { swarmTotals, type SwarmTotals } from '../analysis/swarm-totals.js';
import { fitUsl, type UslFit } from '../analysis/usl-fit.js';
import type { Clock } from '../model/clock.js';
import type { AgentRecord } from '../store/agent-record.js';

/** The stored 5-minute agent states, as the task store lists them (oldest first). */
export interface AgentStateHistory {
  listAgentStates(swarm: string, agent: string | undefined, sinceMs: number, limit?: number): readonly StateRow[];
}

export interface SwarmSystemSettings {
  /** Width of a scalability bucket (ms): the history's 5 minutes by default. */
  readonly scalabilityBucketMs: number;
  /** How far back the scalability fit and the baselines look (ms). */
  readonly historyMs: number;
  /** Canonical metrics that get a baseline band (bounds the cardinality: agents × metrics × 3). */
  readonly baselineMetrics: readonly string[];
  /** Agents whose baseline is refitted per cycle (the rest wait their turn). */
  readonly baselineRefitsPerCycle: number;
  /** Least time between two USL fits of a swarm (ms). */
  readonly scalabilityRefitMs: number;
}

export const DEFAULT_SWARM_SYSTEM_SETTINGS: SwarmSystemSettings = {
  scalabilityBucketMs: 5 * 60_000,
  historyMs: 7 * 86_400_000,
  baselineMetrics: ['response_time', 'error_rate'],
  baselineRefitsPerCycle: 10,
  scalabilityRefitMs: 5 * 60_000,
};

/** Upper bounds (seconds) of the recovery-time histogram: from a restart to a long outage. */
export const RECOVERY_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1800, 3600] as const;
/** Most history rows read to seed one swarm's scalability buckets at its first sight. */
const SEED_ROW_LIMIT = 200_000;

export interface BaselineEntry {
  readonly agent: string;
  readonly metric: string;
  readonly lower: number;
  readonly center: number;
  readonly upper: number;
  readonly seasonal: boolean;
}

export interface RecoveryHistogram {
  /** Cumulative counts per RECOVERY_BUCKETS bound, then +Inf. */
  readonly cumulative: readonly number[];
  readonly sum: number;
  readonly count: number;
}

export interface SwarmSystemSnapshot {
  readonly swarm: string;
  readonly totals: SwarmTotals;
  /** Undefined while the history cannot identify σ and κ. */
  readonly scalability: UslFit | undefined;
  readonly baselines: readonly BaselineEntry[];
  readonly recovery: RecoveryHistogram;
}

interface Bucket {
  agents: number;
  throughput: number;
  queue: number;
  samples: number;
}

interface SwarmState {
  /** bucket start → running sums of per-cycle observations (averaged into one point per bucket). */
  readonly buckets: Map<number, Bucket>;
  /** Points seeded from the stored history, by bucket start. */
  seeded: Map<number, { agents: number; throughput: number }>;
  fit: UslFit | undefined;
  fittedAt: number;
  readonly recovery: { counts: number[]; sum: number; count: number };
}

export class SwarmSystem {
  private readonly swarms = new Map<string, SwarmState>();
  private readonly recoveries = new RecoveryTimes();
  /** agent key → metric → profile */
  private readonly profiles = new Map<string, Map<string, BaselineProfile>>();
  private readonly refitQueue: { swarm: string; agent: string }[] = [];
  private snapshots: ReadonlyMap<string, SwarmSystemSnapshot> = new Map();

  constructor(
    private readonly clock: Clock,
    private readonly settings: SwarmSystemSettings = DEFAULT_SWARM_SYSTEM_SETTINGS,
    private readonly history?: AgentStateHistory,
  ) {}

  /** One cycle: totals and recoveries from the live agents, baselines in turns, a USL fit when due. */
  observe(agents: Iterable<AgentRecord>): void {
    const now = this.clock.now();
    const bySwarm = new Map<string, AgentRecord[]>();
    for (const a of agents) {
      let list = bySwarm.get(a.swarm);
      if (!list) bySwarm.set(a.swarm, (list = []));
      list.push(a);
    }
    const seen = new Set<string>();
    const next = new Map<string, SwarmSystemSnapshot>();
    for (const [swarm, list] of bySwarm) {
      const state = this.state(swarm, now);
      for (const a of list) {
        const key = agentKey(swarm, a.id);
        seen.add(key);
        const status = a.health?.status;
        if (status !== undefined) {
          const seconds = this.recoveries.observe(key, status, now);
          if (seconds !== undefined) recordRecovery(state.recovery, seconds);
        }
        if (!this.profiles.has(key)) {
          this.profiles.set(key, new Map());
          this.refitQueue.push({ swarm, agent: a.id });
        }
      }
      const totals = swarmTotals(
        list.map((a) => ({
          up: a.up,
          capacity: a.capacity,
          throughput: a.value('throughput'),
          coordinationLoad: a.value('coordination_load'),
          messagesPerSecond: a.value('messages_per_second'),
        })),
      );
      this.accumulate(state, totals, list, now);
      if (now - state.fittedAt >= this.settings.scalabilityRefitMs) this.refit(state, now);
      next.set(swarm, {
        swarm,
        totals,
        scalability: state.fit,
        baselines: this.baselines(swarm, list, now),
        recovery: histogramOf(state.recovery),
      });
    }
    for (const key of [...this.profiles.keys()]) {
      if (seen.has(key)) continue;
      this.profiles.delete(key);
      this.recoveries.forget(key);
    }
    for (const swarm of [...this.swarms.keys()]) if (!bySwarm.has(swarm)) this.swarms.delete(swarm);
    this.refitBaselines(now);
    this.snapshots = next;
  }

  latest(): ReadonlyMap<string, SwarmSystemSnapshot> {
    return this.snapshots;
  }

  /**
   * The history is a database: when it cannot be read (busy, gone, corrupt — the store reports that
   * through readiness), the live families go on and the fits keep their last values.
   */
  private readHistory(swarm: string, agent: string | undefined, since: number, limit: number): readonly StateRow[] {
    try {
      return this.history?.listAgentStates(swarm, agent, since, limit) ?? [];
    } catch {
      return [];
    }
  }

  private state(swarm: string, now: number): SwarmState {
    let state = this.swarms.get(swarm);
    if (state) return state;
    state = {
      buckets: new Map(),
      seeded: new Map(),
      fit: undefined,
      fittedAt: Number.NEGATIVE_INFINITY,
      recovery: { counts: RECOVERY_BUCKETS.map(() => 0), sum: 0, count: 0 },
    };
    // Only history bucketed like the stored states can seed: after a restart the fit is back at once.
    if (this.history && this.settings.scalabilityBucketMs === 5 * 60_000) {
      const rows = this.readHistory(swarm, undefined, now - this.settings.historyMs, SEED_ROW_LIMIT);
      for (const p of scalabilityPointsByBucket(rows)) state.seeded.set(p.bucketStart, { agents: p.agents, throughput: p.throughput });
    }
    this.swarms.set(swarm, state);
    return state;
  }

  /** Adds this cycle's observation to the swarm's current bucket (kept only while the swarm is loaded). */
  private accumulate(state: SwarmState, totals: SwarmTotals, agents: readonly AgentRecord[], now: number): void {
    if (!Number.isFinite(totals.throughput) || totals.agentsUp === 0) return;
    let queue = 0;
    let queueSeen = false;
    for (const a of agents) {
      if (!a.up) continue;
      const q = a.value('queue_depth');
      if (Number.isFinite(q)) {
        queue += q;
        queueSeen = true;
      }
    }
    const start = Math.floor(now / this.settings.scalabilityBucketMs) * this.settings.scalabilityBucketMs;
    let b = state.buckets.get(start);
    if (!b) state.buckets.set(start, (b = { agents: 0, throughput: 0, queue: 0, samples: 0 }));
    b.agents += totals.agentsUp;
    b.throughput += totals.throughput;
    // A bucket without queue depths counts as loaded (see scalability-points.ts).
    b.queue += queueSeen ? queue : Number.POSITIVE_INFINITY;
    b.samples += 1;
    const cutoff = now - this.settings.historyMs;
    for (const key of state.buckets.keys()) if (key < cutoff) state.buckets.delete(key);
    for (const key of state.seeded.keys()) if (key < cutoff) state.seeded.delete(key);
  }

  private refit(state: SwarmState, now: number): void {
    state.fittedAt = now;
    const points = new Map(state.seeded);
    for (const [start, b] of state.buckets) {
      const agents = b.agents / b.samples;
      if (b.queue / b.samples < agents) continue; // below saturation: throughput follows demand
      // Agent counts are averaged over the bucket; rounding keeps "distinct N" meaningful.
      points.set(start, { agents: Math.round(agents), throughput: b.throughput / b.samples });
    }
    state.fit = fitUsl([...points.values()]);
  }

  private baselines(swarm: string, agents: readonly AgentRecord[], now: number): BaselineEntry[] {
    const out: BaselineEntry[] = [];
    for (const a of agents) {
      const profiles = this.profiles.get(agentKey(swarm, a.id));
      if (!profiles) continue;
      for (const [metric, profile] of profiles) {
        const band = bandAt(profile, now);
        out.push({ agent: a.id, metric, lower: band.lower, center: band.center, upper: band.upper, seasonal: profile.seasonal });
      }
    }
    return out;
  }

  /** Refits the baselines of the next agents in turn from the stored history (none without a history). */
  private refitBaselines(now: number): void {
    if (!this.history) return;
    for (let i = 0; i < this.settings.baselineRefitsPerCycle && this.refitQueue.length > 0; i++) {
      const next = this.refitQueue.shift();
      if (!next) break;
      const key = agentKey(next.swarm, next.agent);
      const profiles = this.profiles.get(key);
      if (!profiles) continue; // gone since it was queued
      const rows = this.readHistory(
        next.swarm,
        next.agent,
        now - this.settings.historyMs,
        Math.ceil(this.settings.historyMs / (5 * 60_000)) + 1,
      );
      // Nothing read (no history yet, or the store is unreadable): keep what was learned.
      for (const metric of rows.length === 0 ? [] : this.settings.baselineMetrics) {
        const profile = learnBaseline(
          rows.flatMap((r) =>
            r.status === 'failed' || r.metrics[metric] === undefined ? [] : [{ t: r.bucketStart, value: r.metrics[metric] }],
          ),
        );
        if (profile) profiles.set(metric, profile);
        else profiles.delete(metric);
      }
      this.refitQueue.push(next); // round robin: every agent is refitted again in its turn
    }
  }
}

function agentKey(swarm: string, agent: string): string {
  return `${swarm}\u0000${agent}`;
}

function recordRecovery(h: { counts: number[]; sum: number; count: number }, seconds: number): void {
  RECOVERY_BUCKETS.forEach((bound, i) => {
    if (seconds <= bound) h.counts[i] = (h.counts[i] ?? 0) + 1;
  });
  h.sum += seconds;
  h.count += 1;
}

function histogramOf(h: { counts: number[]; sum: number; count: number }): RecoveryHistogram {
  return { cumulative: [...h.counts, h.count], sum: h.sum, count: h.count };
}

/** scalabilityPoints with each point's bucket start, for seeding. */
function scalabilityPointsByBucket(rows: readonly StateRow[]): { bucketStart: number; agents: number; throughput: number }[] {
  const byBucket = new Map<number, StateRow[]>();
  for (const r of rows) {
    let list = byBucket.get(r.bucketStart);
    if (!list) byBucket.set(r.bucketStart, (list = []));
    list.push(r);
  }
  const out: { bucketStart: number; agents: number; throughput: number }[] = [];
  for (const [bucketStart, list] of byBucket) {
    const [point] = scalabilityPoints(list);
    if (point) out.push({ bucketStart, ...point });
  }
  return out;
}
