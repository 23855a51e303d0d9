// Foreground work in arrival order, one piece per turn of the event loop. Ten 500-agent bodies that
// arrive together are ~50 ms of parsing and ingest: run back to back, a health probe that came in
// behind them waits for all of them; one per turn, it waits for one at most.
import type { Foreground } from './foreground.js';

export class TurnQueue {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** @param foreground counts a piece waiting for its turn as foreground work (background pauses wait for it) */
  constructor(private readonly foreground?: Foreground) {}

  /**
   * Resolves in a later turn of the loop, after every turn asked for before it, one per turn: the
   * caller's piece of work is whatever continues after `await queue.turn()`, and it runs in that turn.
   */
  turn(): Promise<void> {
    const queued = new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.schedule();
    });
    return this.foreground ? this.foreground.run(() => queued) : queued;
  }

  private schedule(): void {
    if (this.scheduled || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.waiting.shift()?.();
      this.schedule();
    });
  }
}
