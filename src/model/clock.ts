// Injected time: wall clock for timestamps, monotonic clock for intervals (docs/design.md#conventions 2).

export interface Clock {
  /** Wall-clock time in milliseconds since the Unix epoch. */
  now(): number;
  /** Monotonic milliseconds, for timeouts, leases and durations. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};
