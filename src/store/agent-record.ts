// One agent's state: identity, metadata, latest values, liveness and health.
import { DEFAULT_AGENT_TYPE } from '../model/canonical-metrics.js';
import type { HealthStatus } from '../model/health-status.js';
import type { HealthComponents } from '../health/health-score.js';

export interface LatestValue {
  readonly value: number;
  /** Observation time, ms since the epoch. */
  readonly timestamp: number;
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
  readonly latest = new Map<string, LatestValue>();
  customMetricCount = 0;

  constructor(
    readonly swarm: string,
    readonly id: string,
    readonly firstSeen: number,
  ) {
    this.lastSeen = firstSeen;
  }

  /** Stores a value unless a newer observation of the metric is already held. */
  observe(metric: string, value: number, timestamp: number): void {
    const held = this.latest.get(metric);
    if (held === undefined || held.timestamp <= timestamp) this.latest.set(metric, { value, timestamp });
  }

  /** Latest value of a metric, NaN when none. */
  value(metric: string): number {
    return this.latest.get(metric)?.value ?? Number.NaN;
  }
}
