// Injectable one-shot timers, so retry backoff, batch deadlines and step loops run on a fake clock in tests.
// Not runtime/scheduler.ts: client/ ships to agents with no import above model/, and its
// timers stay referenced (a running reporter keeps its process alive) where the coordination
// loop's are unref'd (the HTTP server, not a retry due in 5 min, keeps the exporter alive).

/** Cancels a scheduled callback; calling it after the callback ran (or twice) is harmless. */
export type CancelTimer = () => void;

/** One-shot timers. `delayMs` is in milliseconds, clamped to >= 0 by implementations. */
export interface Timers {
  schedule(delayMs: number, callback: () => void): CancelTimer;
}

/** Node's timers. Handles stay referenced: a running reporter or simulator keeps the process alive until stopped. */
export const systemTimers: Timers = {
  schedule(delayMs, callback) {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    return () => clearTimeout(handle);
  },
};

/** Resolves after `delayMs` on `timers`, or at once when `signal` aborts (never rejects). */
export function sleep(timers: Timers, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const onAbort = (): void => {
      cancel();
      resolve();
    };
    const cancel = timers.schedule(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
