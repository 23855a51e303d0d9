// A background loop that never throws out and never overlaps (docs/design.md#conventions 9).

export interface PeriodicTask {
  /** Stops scheduling; resolves once a running iteration has finished. */
  stop(): Promise<void>;
  /** Runs one iteration now unless one is running (for tests and shutdown). */
  runNow(): Promise<void>;
}

export interface PeriodicOptions {
  readonly everyMs: number;
  /** Called with the error of a failed iteration; the loop goes on. */
  readonly onError: (error: unknown) => void;
  /** Called when a tick is skipped because the previous iteration still runs. */
  readonly onSkip?: () => void;
}

export function startPeriodic(work: () => void | Promise<void>, options: PeriodicOptions): PeriodicTask {
  let running: Promise<void> | undefined;
  let stopped = false;
  const iterate = (): Promise<void> => {
    if (running) {
      options.onSkip?.();
      return running;
    }
    running = (async () => {
      try {
        await work();
      } catch (error) {
        options.onError(error);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void iterate();
  }, options.everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (running) await running;
    },
    runNow: iterate,
  };
}
