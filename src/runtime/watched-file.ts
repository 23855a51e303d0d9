// A small file (token, secret, web config) kept current: polled by stat, re-read and re-parsed when it changes.
import { readFileSync, statSync } from 'node:fs';

export interface WatchedFileOptions<T> {
  /** Turns the file's text into the value; throws on invalid content (the last good value stays). */
  readonly parse: (text: string) => T;
  /** How often the file is stat'ed, ms (default 500: a rotation takes effect within about half a second). */
  readonly intervalMs?: number;
  /** After each accepted change. */
  readonly onChange?: (value: T) => void;
  /** A change that could not be read or parsed; reported once per distinct problem. */
  readonly onError?: (message: string) => void;
}

function statKey(path: string): string {
  // Follows symlinks: a Kubernetes Secret volume swaps a `..data` symlink, which changes ino and mtime.
  const s = statSync(path);
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/**
 * `WatchedFile.open(path, { parse })` reads the file once (throwing if it cannot: a start-up
 * error), then polls it on an unref'd timer. `current()` is a field read, so callers may ask on
 * every request. A file that vanishes or turns invalid keeps the last good value (a rotation that
 * truncates before it writes must not open the door) and is reported through `onError`.
 */
export class WatchedFile<T> {
  private value: T;
  private text: string;
  private key: string;
  private lastProblem: string | undefined;
  private readonly timer: NodeJS.Timeout;

  static open<T>(path: string, options: WatchedFileOptions<T>): WatchedFile<T> {
    return new WatchedFile(path, options);
  }

  private constructor(
    readonly path: string,
    private readonly options: WatchedFileOptions<T>,
  ) {
    this.key = statKey(path);
    this.text = readFileSync(path, 'utf8');
    this.value = options.parse(this.text);
    this.timer = setInterval(() => this.poll(), Math.max(10, options.intervalMs ?? 500));
    this.timer.unref();
  }

  current(): T {
    return this.value;
  }

  /** Checks the file now (the timer calls it); true when a new value was taken. */
  poll(): boolean {
    let key: string;
    let text: string;
    let value: T;
    try {
      key = statKey(this.path);
      if (key === this.key && this.lastProblem === undefined) return false;
      text = readFileSync(this.path, 'utf8');
      if (text === this.text) {
        this.key = key;
        this.lastProblem = undefined;
        return false;
      }
      value = this.options.parse(text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem = `${this.path}: ${code ?? (error as Error).message}; keeping the previous value`;
      if (problem !== this.lastProblem) this.options.onError?.(problem);
      this.lastProblem = problem;
      return false;
    }
    this.key = key;
    this.text = text;
    this.value = value;
    this.lastProblem = undefined;
    this.options.onChange?.(value);
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
