// Recovery time of agents: how long an agent takes from `failed` back to healthy (`good` or
// `optimal`), fed one status observation at a time. Pure state machine: times are passed in.
import type { HealthStatus } from '../model/health-status.js';

/** Statuses that count as recovered: the agent is back to full service, not merely reachable. */
const HEALTHY: ReadonlySet<HealthStatus> = new Set<HealthStatus>(['optimal', 'good']);

export class RecoveryTimes {
  /** When each failed agent was first seen failed, by key. */
  private readonly failedSince = new Map<string, number>();

  /**
   * Records an agent's status at `now` (ms). Returns the recovery duration in seconds when this
   * observation ends a failure (failed → … → good/optimal), else undefined. `degraded` or
   * `critical` after `failed` keeps the clock running: the agent answers but has not recovered.
   */
  observe(key: string, status: HealthStatus, now: number): number | undefined {
    const since = this.failedSince.get(key);
    if (status === 'failed') {
      if (since === undefined) this.failedSince.set(key, now);
      return undefined;
    }
    if (since === undefined || !HEALTHY.has(status)) return undefined;
    this.failedSince.delete(key);
    return Math.max(0, (now - since) / 1000);
  }

  /** Forgets an agent (expired or removed): a failure that never recovered is not a recovery time. */
  forget(key: string): void {
    this.failedSince.delete(key);
  }

  /** Keys currently in a failure. */
  failing(): IterableIterator<string> {
    return this.failedSince.keys();
  }
}
