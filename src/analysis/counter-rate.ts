// Reset-aware per-second rate of a counter between two observations (Prometheus' rate() semantics).

/** One observation of a counter. */
export interface CounterPoint {
  readonly value: number;
  /** Observation time in ms since the epoch. */
  readonly timestampMs: number;
}

/**
 * Increase of a counter from `previous` to `current`. A decrease means the process restarted and
 * counted up from zero again, so the whole current value is the increase (as Prometheus' rate()
 * assumes). Undefined when either value is not finite or negative.
 */
export function counterIncrease(previous: number, current: number): number | undefined {
  if (!Number.isFinite(previous) || !Number.isFinite(current) || previous < 0 || current < 0) return undefined;
  return current >= previous ? current - previous : current;
}

/**
 * Per-second rate between two observations, in units per second, ≥ 0. Undefined when time did not
 * advance (a repeated or out-of-order page timestamp) or the values are unusable.
 */
export function counterRate(previous: CounterPoint, current: CounterPoint): number | undefined {
  const seconds = (current.timestampMs - previous.timestampMs) / 1000;
  if (!(seconds > 0)) return undefined;
  const increase = counterIncrease(previous.value, current.value);
  return increase === undefined ? undefined : increase / seconds;
}
