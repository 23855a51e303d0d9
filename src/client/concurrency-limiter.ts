// A FIFO semaphore bounding how many requests a reporter has in flight at once.

/** Releases a slot; calling it twice is harmless. */
export type Release = () => void;

/**
 * Invariant: `active <= limit`. Waiters are served urgent first, then in arrival order within a
 * lane: sample batches ask urgently, so a flood of heartbeats cannot starve the data (while a
 * sustained flood of batches may delay heartbeats, which is harmless: samples keep agents alive).
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly urgent: Array<(release: Release) => void> = [];
  private readonly normal: Array<(release: Release) => void> = [];

  /** @param limit maximum concurrent holders, >= 1. */
  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit: expected an integer >= 1, got ${limit}`);
  }

  /** Resolves with a release function once a slot is free; `urgent` waiters go first. */
  acquire(urgent = false): Promise<Release> {
    if (this.active < this.limit) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => (urgent ? this.urgent : this.normal).push(resolve));
  }

  /** Holders right now, in [0, limit]. */
  get inFlight(): number {
    return this.active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.urgent.length + this.normal.length;
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.urgent.shift() ?? this.normal.shift();
      // Hand the slot straight to the next waiter: `active` stays the same.
      if (next !== undefined) next(this.releaser());
      else this.active -= 1;
    };
  }
}
