// One agent's state: identity, metadata, latest values, liveness and health.
import { CANONICAL_METRIC_SPECS, DEFAULT_AGENT_TYPE, isCanonicalMetric } from '../model/canonical-metrics.js';
import type { HealthStatus } from '../model/health-status.js';
import type { HealthComponents } from '../health/health-score.js';
import { holdOpen, type RingCell } from './ring-slab.js';

export interface LatestValue {
  readonly value: number;
  /** Observation time, ms since the epoch. */
  readonly timestamp: number;
}

/** Held in place and overwritten on each observation (no allocation per sample). */
export interface HeldValue {
  value: number;
  timestamp: number;
  /** The series' cell in its swarm's windows, where an observation of the open step is held for the next step. */
  readonly cell: RingCell;
  /** The metric's valid range (canonical bounds; ±Infinity for custom metrics), for the ingest fast path. */
  readonly min: number;
  readonly max: number;
  readonly name: string;
  /** Index in the agent's series order. */
  readonly position: number;
}

export interface AgentHealth {
  readonly status: HealthStatus;
  /** In [0, 1], 1 = healthy. */
  readonly score: number;
  readonly components: HealthComponents;
}

export class AgentRecord {
  type: string = DEFAULT_AGENT_TYPE;
  variant = '';
  /** Concurrent task slots, when the agent declared them. */
  capacity: number | undefined;
  /** Free labels (bounded; not exported per series). Null-prototype object. */
  labels: Readonly<Record<string, string>> = Object.create(null) as Record<string, string>;
  /** Last heartbeat or sample, exporter clock, ms since the epoch. */
  lastSeen: number;
  /** 1 while seen within agents.heartbeat_timeout. */
  up = true;
  health: AgentHealth | undefined;
  readonly latest: ReadonlyMap<string, LatestValue> = new Map<string, HeldValue>();
  customMetricCount = 0;
  /** Registry bookkeeping: the ingest call that last touched this agent. */
  ingestStamp = 0;
  /** Series in the order they were first seen, and where the next lookup starts (see held). */
  private readonly order: HeldValue[] = [];
  private cursor = 0;

  constructor(
    readonly swarm: string,
    readonly id: string,
    readonly firstSeen: number,
  ) {
    this.lastSeen = firstSeen;
  }

  /**
   * Stores a value unless a newer observation of the metric is already held. `open`: it belongs to
   * the open step, and is held in the series' window cell for the next analysis step to write; else it
   * was written into a closed step already. `cell` is the series' cell (AlignedWindows.ensure).
   */
  observe(metric: string, value: number, timestamp: number, cell: RingCell, open = true): void {
    const latest = this.latest as Map<string, HeldValue>;
    const held = latest.get(metric);
    if (held === undefined) {
      const spec = isCanonicalMetric(metric) ? CANONICAL_METRIC_SPECS[metric] : undefined;
      const created: HeldValue = {
        value,
        timestamp,
        cell,
        min: spec?.min ?? -Infinity,
        max: spec?.max ?? Infinity,
        name: metric,
        position: this.order.length,
      };
      latest.set(metric, created);
      this.order.push(created);
      if (open) holdOpen(cell, value, timestamp);
    } else if (held.timestamp <= timestamp) {
      held.value = value;
      held.timestamp = timestamp;
      if (open) holdOpen(held.cell, value, timestamp);
    }
  }

  /**
   * The mutable slot of a series, for the registry's ingest hot path; undefined when the series is
   * new. Agents send their metrics in the same order batch after batch, so the series after the last
   * one asked for is tried first: a string comparison instead of hashing a freshly parsed name.
   */
  held(metric: string): HeldValue | undefined {
    const guess = this.order[this.cursor];
    const found = guess !== undefined && guess.name === metric ? guess : (this.latest as Map<string, HeldValue>).get(metric);
    if (found !== undefined) this.cursor = found.position + 1 === this.order.length ? 0 : found.position + 1;
    return found;
  }

  /** Latest value of a metric, NaN when none. */
  value(metric: string): number {
    return this.latest.get(metric)?.value ?? Number.NaN;
  }
}
