// Per-sample validation rules shared by every ingest mode (pure). Each failure names the field and the rule.
import {
  AGENT_ID_PATTERN,
  CANONICAL_METRIC_SPECS,
  METRIC_NAME_PATTERN,
  SWARM_NAME_PATTERN,
  isCanonicalMetric,
} from './canonical-metrics.js';

/** How far in the future a timestamp may be (clock skew allowance). */
export const MAX_FUTURE_MS = 5 * 60_000;

export interface TimeBounds {
  /** Now, ms since the epoch. */
  readonly now: number;
  /** analysis.window in ms: older samples cannot land in any window. */
  readonly windowMs: number;
}

/** Shows a rejected input briefly and safely (no 1 MiB strings echoed back). */
export function preview(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number') text = Number.isNaN(value) ? 'NaN' : String(value);
  else if (value === null) text = 'null';
  else if (value === undefined) text = 'nothing';
  else if (Array.isArray(value)) text = 'a list';
  else if (typeof value === 'object') text = 'an object';
  else text = typeof value;
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

export function checkAgentId(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string' || !AGENT_ID_PATTERN.test(value)) {
    return `${field}: expected an agent id matching ${AGENT_ID_PATTERN.source}, got ${preview(value)}`;
  }
  return undefined;
}

export function checkSwarm(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string' || !SWARM_NAME_PATTERN.test(value)) {
    return `${field}: expected a swarm name matching ${SWARM_NAME_PATTERN.source}, got ${preview(value)}`;
  }
  return undefined;
}

export function checkMetricName(value: unknown, field: string): string | undefined {
  if (typeof value !== 'string' || !METRIC_NAME_PATTERN.test(value)) {
    return `${field}: expected a metric name matching ${METRIC_NAME_PATTERN.source}, got ${preview(value)}`;
  }
  return undefined;
}

/** Value rule: a finite number, within the canonical metric's range. */
export function checkValue(metric: string, value: unknown, field: string): string | undefined {
  if (typeof value !== 'number' || value - value !== 0) {
    // value - value is 0 for every finite number and NaN for NaN and ±Infinity.
    return `${field}: expected a finite number, got ${preview(value)}`;
  }
  const spec = isCanonicalMetric(metric) ? CANONICAL_METRIC_SPECS[metric] : undefined;
  if (spec !== undefined) {
    if (value < spec.min || value > spec.max) {
      const range = spec.max === Infinity ? `>= ${spec.min}` : `in [${spec.min}, ${spec.max}]`;
      return `${field}: expected ${metric} ${range}, got ${preview(value)}`;
    }
  }
  return undefined;
}

/** Timestamp rule: ms since the epoch, not more than 5 minutes ahead, not older than the window. */
export function checkTimestamp(value: unknown, field: string, bounds: TimeBounds): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < 0) {
    return `${field}: expected milliseconds since the epoch (a non-negative integer), got ${preview(value)}`;
  }
  if (value > bounds.now + MAX_FUTURE_MS) {
    return `${field}: expected at most 5m in the future, got ${Math.round((value - bounds.now) / 1000)}s ahead`;
  }
  if (value < bounds.now - bounds.windowMs) {
    return `${field}: expected within the analysis window (${Math.round(bounds.windowMs / 1000)}s), got ${Math.round((bounds.now - value) / 1000)}s old`;
  }
  return undefined;
}
