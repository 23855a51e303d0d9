// Impact tracking: the targeted score of a task before delivery and after coordination.impact_delay.
import type { CoordinationType } from '../model/coordination-vocabulary.js';
import type { PlanContext } from './plan-context.js';
import { registryBalanceIndex } from './plans.js';

/** One reading of the score a task type aims to improve. */
export interface ScoreReading {
  /** Name of the score, e.g. "health", "balance_index" (stored with the task). */
  readonly score: string;
  readonly value: number;
  /** Direction of improvement. */
  readonly higherIsBetter: boolean;
}

export interface ProbeTarget {
  readonly type: CoordinationType;
  readonly swarm: string;
  readonly agents: readonly string[];
}

/** Reads the targeted score of a task now; undefined when it cannot be measured. */
export interface ScoreProbe {
  read(task: ProbeTarget): ScoreReading | undefined;
}

/** Every score the default probe reads, and whether higher is better for it (the status page words impacts by it). */
export const SCORE_HIGHER_IS_BETTER = {
  health: true,
  balance_index: true,
  anomaly_cluster_size: false,
  unhealthy_agents: false,
  saturation_seconds: true,
} as const satisfies Readonly<Record<string, boolean>>;

type ProbeScore = keyof typeof SCORE_HIGHER_IS_BETTER;

/** Longest saturation time we count, s: "never saturates" is scored as one day. */
const SATURATION_CAP_SECONDS = 86_400;

/**
 * Relative improvement from `before` to `after`: (after - before) / |before| when higher is
 * better, (before - after) / |before| when lower is; > 0 better, 0 unchanged. From a zero
 * baseline the change itself is returned (a ratio is undefined there). Always finite.
 */
export function impactRatio(before: ScoreReading, after: ScoreReading): number {
  const change = before.higherIsBetter ? after.value - before.value : before.value - after.value;
  const ratio = Math.abs(before.value) < 1e-9 ? change : change / Math.abs(before.value);
  return Number.isFinite(ratio) ? ratio : 0;
}

/**
 * The default probe, from the same PlanContext the plans read:
 * - cross_system_healing: mean health of the targeted agents (failed = 0), else of the swarm;
 * - performance_sync, optimization_sharing: mean health of the swarm;
 * - resource_balancing: load-balance index (analysis, else Jain's index of utilisation);
 * - anomaly_correlation: size of the largest anomaly cluster, else agents not healthy (lower is better);
 * - predictive_scaling: seconds to saturation, capped at a day (higher is better).
 */
export function planContextProbe(context: PlanContext): ScoreProbe {
  const meanHealth = (swarm: string, ids: readonly string[]): number | undefined => {
    const wanted = new Set(ids);
    const agents = context.agents(swarm).filter((a) => wanted.size === 0 || wanted.has(a.id));
    if (agents.length === 0) return undefined;
    return agents.reduce((s, a) => s + (a.status === 'failed' ? 0 : (a.healthScore ?? 0)), 0) / agents.length;
  };
  const reading = (score: ProbeScore, value: number | undefined): ScoreReading | undefined =>
    value === undefined || !Number.isFinite(value) ? undefined : { score, value, higherIsBetter: SCORE_HIGHER_IS_BETTER[score] };
  return {
    read(task) {
      switch (task.type) {
        case 'cross_system_healing':
          return reading('health', meanHealth(task.swarm, task.agents));
        case 'performance_sync':
        case 'optimization_sharing':
          return reading('health', meanHealth(task.swarm, []));
        case 'resource_balancing': {
          const index = context.analysis(task.swarm)?.balanceIndex;
          return reading('balance_index', index ?? registryBalanceIndex(context.agents(task.swarm)));
        }
        case 'anomaly_correlation': {
          const clusters = context.analysis(task.swarm)?.clusters;
          if (clusters !== undefined)
            return reading(
              'anomaly_cluster_size',
              clusters.reduce((m, c) => Math.max(m, c.agents.length), 0),
            );
          const unhealthy = context
            .agents(task.swarm)
            .filter((a) => a.status === 'degraded' || a.status === 'critical' || a.status === 'failed');
          return reading('unhealthy_agents', unhealthy.length);
        }
        case 'predictive_scaling': {
          const forecast = context.analysis(task.swarm)?.forecast;
          if (forecast === undefined || !forecast.valid) return undefined;
          return reading('saturation_seconds', Math.min(forecast.saturationSeconds ?? SATURATION_CAP_SECONDS, SATURATION_CAP_SECONDS));
        }
      }
    },
  };
}
