// Health status from score with hysteresis (pure): downgrade at once, upgrade only clearly above the bar.
import type { HealthStatus } from '../model/health-status.js';

export interface StatusThresholds {
  readonly optimal: number;
  readonly good: number;
  readonly degraded: number;
  /** An upgrade needs the score at least this far above the threshold of the better status. */
  readonly hysteresis: number;
}

/** docs/design.md#domain-model defaults: optimal >= 0.90, good >= 0.75, degraded >= 0.50, critical below. */
export const DEFAULT_THRESHOLDS: StatusThresholds = { optimal: 0.9, good: 0.75, degraded: 0.5, hysteresis: 0.03 };

const RANK: Readonly<Record<Exclude<HealthStatus, 'failed'>, number>> = { optimal: 0, good: 1, degraded: 2, critical: 3 };

/** The status a score maps to without memory. */
export function statusForScore(score: number, t: StatusThresholds = DEFAULT_THRESHOLDS): Exclude<HealthStatus, 'failed'> {
  if (score >= t.optimal) return 'optimal';
  if (score >= t.good) return 'good';
  if (score >= t.degraded) return 'degraded';
  return 'critical';
}

/**
 * Next status given the previous one. A worse status is taken as soon as the score drops below the bar;
 * a better one only when the score is at least `hysteresis` above that better status' bar, so a score
 * hovering around a threshold does not flap. `failed` (liveness) is decided by the caller; recovering
 * from it takes the memoryless status.
 */
export function nextStatus(
  previous: HealthStatus | undefined,
  score: number,
  t: StatusThresholds = DEFAULT_THRESHOLDS,
): Exclude<HealthStatus, 'failed'> {
  const plain = statusForScore(score, t);
  if (previous === undefined || previous === 'failed') return plain;
  if (RANK[plain] >= RANK[previous]) return plain;
  // Upgrading: find the best status whose bar the score clears with the margin, never worse than plain.
  const lifted = statusForScore(score - t.hysteresis, t);
  return RANK[lifted] < RANK[previous] ? lifted : previous;
}
