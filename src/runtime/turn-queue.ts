// Foreground jobs in arrival order, one per turn of the event loop. Ten 500-agent bodies that arrive
// together are ~50 ms of parsing and ingest: run back to back, a health probe that came in behind
// them waits for all of them; run one per turn, it waits for one at most.
import type { Foreground } from './foreground.js';

export class TurnQueue {
  private readonly jobs: (() => void)[] = [];
  private scheduled = false;

  /** @param foreground counts queued jobs as foreground work (background pauses wait for them) */
  constructor(private readonly foreground?: Foreground) {}

  /** Jobs waiting for their turn. */
  get length(): number {
    return this.jobs.length;
  }

  /**
   * Runs `job` in a later turn, after every job queued before it, and resolves with its result (or
   * rejects with what it threw). Whatever awaits the result continues in that same turn.
   */
  run<T>(job: () => T): Promise<T> {
    const queued = new Promise<T>((resolve, reject) => {
      this.jobs.push(() => {
        try {
          resolve(job());
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
      this.schedule();
    });
    return this.foreground ? this.foreground.run(() => queued) : queued;
  }

  private schedule(): void {
    if (this.scheduled || this.jobs.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.jobs.shift()?.();
      this.schedule();
    });
  }
}
