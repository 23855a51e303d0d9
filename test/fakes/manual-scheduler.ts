// A Scheduler that tests drive by hand on a ManualClock's monotonic time, letting promises settle between timers.
import type { Scheduler, TimerHandle } from '../../src/runtime/scheduler.js';
import type { ManualClock } from './manual-clock.js';

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
