// A background loop that never throws out and never overlaps (docs/design.md#conventions 9).
import { systemScheduler, type Scheduler, type TimerHandle } from './scheduler.js';

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
  /** Timers (default: the real, unref'd ones); tests pass a manual scheduler. */
  readonly scheduler?: Scheduler;
}

export function startPeriodic(work: () => void | Promise<void>, options: PeriodicOptions): PeriodicTask {
  let running: Promise<void> | undefined;
  let stopped = false;
  const iterate = (): Promise<void> => {
    if (running) {
      options.onSkip?.();
      return running;
    }
    // Cleared when this iteration settles, not in a `finally` inside it: a work function that throws
    // synchronously would run that `finally` before `running` is assigned, and every later tick
    // would then be a skip forever.
    const current = (async () => {
      try {
        await work();
      } catch (error) {
        options.onError(error);
      }
    })();
    running = current;
    void current.then(() => {
      if (running === current) running = undefined;
    });
    return running;
  };
  // Each tick re-arms the timer before it starts the work (as setInterval does), so a slow iteration
  // makes the next tick a skip (onSkip), never a later tick.
  const scheduler = options.scheduler ?? systemScheduler();
  let timer: TimerHandle | undefined;
  const arm = (): void => {
    timer = scheduler.setTimeout(tick, options.everyMs);
  };
  const tick = (): void => {
    if (stopped) return;
    arm();
    void iterate();
  };
  arm();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) scheduler.clearTimeout(timer);
      if (running) await running;
    },
    runNow: iterate,
  };
}
