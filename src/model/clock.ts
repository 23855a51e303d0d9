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

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.wall = startMs;
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  set(wallMs: number): void {
    this.mono += Math.max(0, wallMs - this.wall);
    this.wall = wallMs;
  }
}
