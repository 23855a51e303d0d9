// A fake timer wheel for tests: callbacks run only when the test advances time.
import type { CancelTimer, Timers } from '../../src/client/timers.js';

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly delay: number;
  readonly callback: () => void;
  cancelled: boolean;
}

export class ManualTimers implements Timers {
  private time: number;
  private seq = 0;
  private entries: Entry[] = [];
  /** Every delay ever scheduled, in order, for asserting backoff. */
  readonly scheduled: number[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, callback: () => void): CancelTimer {
    const delay = Math.max(0, delayMs);
    const entry: Entry = { at: this.time + delay, seq: this.seq++, delay, callback, cancelled: false };
    this.entries.push(entry);
    this.scheduled.push(delay);
    return () => {
      entry.cancelled = true;
    };
  }

  /** True when a live timer with exactly this delay is waiting. */
  hasPending(delayMs: number): boolean {
    return this.entries.some((e) => !e.cancelled && e.delay === delayMs);
  }

  /** Live timers waiting. */
  get pending(): number {
    return this.entries.filter((e) => !e.cancelled).length;
  }

  /** Moves time forward, running due callbacks in time order (callbacks may schedule more). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      this.entries = this.entries.filter((e) => !e.cancelled);
      let next: Entry | undefined;
      for (const e of this.entries) {
        if (e.at <= target && (next === undefined || e.at < next.at || (e.at === next.at && e.seq < next.seq))) next = e;
      }
      if (next === undefined) break;
      next.cancelled = true;
      this.time = next.at;
      next.callback();
    }
    this.time = target;
  }
}
