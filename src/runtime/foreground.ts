// Who gets the event loop first. A request in progress (a scrape being rendered, a pushed body waiting
// for its turn) is foreground work; the analysis cycle and the history recorder are background work
// that pauses at safe points (slice-pauser.ts). Both already give the loop up every few milliseconds,
// so a health probe never waits long; this decides how the CPU is shared while both have work:
// a background pause lasts until no foreground work is left, or at most `maxDeferMs`, so a scrape
// during an analysis cycle finishes about as fast as one without, and a cycle still moves on during
// an endless stream of scrapes (one slice per maxDeferMs at the least).
import { nextTurn } from './slice-pauser.js';

/** Longest a background pause waits for the foreground to be idle; then one background slice runs. */
export const BACKGROUND_MAX_DEFER_MS = 50;

export class Foreground {
  private active = 0;

  constructor(
    private readonly maxDeferMs: number = BACKGROUND_MAX_DEFER_MS,
    private readonly now: () => number = () => performance.now(),
    private readonly turn: () => Promise<void> = nextTurn,
  ) {}

  /** Whether foreground work is in progress. */
  get busy(): boolean {
    return this.active > 0;
  }

  /** Marks foreground work in progress until `work` settles, and returns its result. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.active += 1;
    try {
      return await work();
    } finally {
      this.active -= 1;
    }
  }

  /**
   * Within run(): waits for `wait` without counting as foreground work meanwhile. A scrape that waits
   * for a slow client to read its socket holds no CPU, and must not hold the analysis back.
   */
  async outside<T>(wait: Promise<T>): Promise<T> {
    this.active -= 1;
    try {
      return await wait;
    } finally {
      this.active += 1;
    }
  }

  /** A background pause: one turn of the loop, then more while foreground work is in progress, for at most maxDeferMs. */
  readonly backgroundTurn = async (): Promise<void> => {
    const started = this.now();
    await this.turn();
    while (this.active > 0 && this.now() - started < this.maxDeferMs) await this.turn();
  };
}
