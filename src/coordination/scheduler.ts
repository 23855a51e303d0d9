// Injected timers (STYLE 2): the real one for the service, a manual one driven with a ManualClock in tests.
// The agent reporter keeps its own (client/timers.ts, whose header says why).
import type { ManualClock } from '../model/clock.js';

/** Opaque timer handle. */
export interface TimerHandle {
  readonly id: number;
}

/** Timers on the monotonic clock. Callbacks must not throw (the runner catches inside them). */
export interface Scheduler {
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Real timers, unref'd: the coordination loop must never be what keeps a process alive (the
 * HTTP server is), so tests and `stop()` paths exit without waiting for a retry due in 5 min.
 */
export function systemScheduler(): Scheduler {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    setTimeout(callback, delayMs) {
      const id = next++;
      const timer = setTimeout(() => {
        timers.delete(id);
        callback();
      }, Math.max(0, delayMs));
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    clearTimeout(handle) {
      const timer = timers.get(handle.id);
      if (timer !== undefined) clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
}

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/**
 * A scheduler a test drives by hand. Due times are on the ManualClock's monotonic time;
 * `advance(ms)` moves the clock timer by timer, running each callback at its due time and
 * letting promises settle in between, so async chains behave as they would in real time.
 */
export class ManualScheduler implements Scheduler {
  private timers: ManualTimer[] = [];
  private next = 1;

  constructor(private readonly clock: ManualClock) {}

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.next++;
    this.timers.push({ id, due: this.clock.monotonic() + Math.max(0, delayMs), callback });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle.id);
  }

  /** Delays (ms from now) of the pending timers, soonest first. */
  pendingDelays(): number[] {
    const now = this.clock.monotonic();
    return this.timers.map((t) => t.due - now).sort((a, b) => a - b);
  }

  get pendingCount(): number {
    return this.timers.length;
  }

  /** Runs every timer due within `ms`, in due order (FIFO for equal dues), then sets the clock to now + ms. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.monotonic() + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.due <= target).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      const now = this.clock.monotonic();
      if (due.due > now) this.clock.advance(due.due - now);
      due.callback();
    }
    const now = this.clock.monotonic();
    if (target > now) this.clock.advance(target - now);
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks of this turn run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
}
