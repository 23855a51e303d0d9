// Injected timers (docs/design.md#conventions 2): the Scheduler interface and the real one, used by the
// coordination runner and the background loops (runtime/periodic.ts); tests drive a manual one
// (test/fakes/manual-scheduler.ts). The agent reporter keeps its own (client/timers.ts, whose header
// says why).

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
 * Real timers, unref'd: the coordination loop and the background loops must never be what keeps a
 * process alive (the HTTP server is), so tests and `stop()` paths exit without waiting for a retry
 * due in 5 min.
 */
export function systemScheduler(): Scheduler {
  const timers = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    setTimeout(callback, delayMs) {
      const id = next++;
      const timer = setTimeout(
        () => {
          timers.delete(id);
          callback();
        },
        Math.max(0, delayMs),
      );
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
