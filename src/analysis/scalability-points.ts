// Turns the 5-minute agent-state history of one swarm into (agents up, collective throughput)
// points for the Universal Scalability Law fit. Pure.
import type { UslPoint } from './usl-fit.js';

/** The fields of one stored agent state this needs (persistence's AgentStateRecord has them). */
export interface StateRow {
  readonly agent: string;
  readonly bucketStart: number;
  readonly status: string;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * One point per history bucket: N = agents not `failed` (nor `unknown`) in it, X = Σ of their
 * throughput. A bucket counts only when the swarm was loaded — when queue depths are reported, at
 * least one waiting task per live agent on average — because below saturation throughput follows
 * demand, not capacity, and the law describes capacity. Buckets without any throughput are skipped.
 */
export function scalabilityPoints(rows: Iterable<StateRow>): UslPoint[] {
  const buckets = new Map<number, { agents: number; throughput: number; seen: boolean; queue: number; queueSeen: boolean }>();
  for (const row of rows) {
    if (row.status === 'failed' || row.status === 'unknown') continue;
    let b = buckets.get(row.bucketStart);
    if (!b) {
      b = { agents: 0, throughput: 0, seen: false, queue: 0, queueSeen: false };
      buckets.set(row.bucketStart, b);
    }
    b.agents += 1;
    const x = row.metrics.throughput;
    if (x !== undefined && Number.isFinite(x)) {
      b.throughput += x;
      b.seen = true;
    }
    const q = row.metrics.queue_depth;
    if (q !== undefined && Number.isFinite(q)) {
      b.queue += q;
      b.queueSeen = true;
    }
  }
  const points: UslPoint[] = [];
  for (const [, b] of [...buckets].sort((p, q) => p[0] - q[0])) {
    if (!b.seen || (b.queueSeen && b.queue < b.agents)) continue;
    points.push({ agents: b.agents, throughput: b.throughput });
  }
  return points;
}
