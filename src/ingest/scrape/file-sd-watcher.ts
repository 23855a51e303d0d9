// Keeps file_sd targets current by polling file mtimes (fs.watch misses edits on many filesystems).
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { parseFileSd } from './file-sd.js';
import type { ScrapeTarget } from './scrape-target.js';

interface FileState {
  /** mtime in ms and size: either changing triggers a re-read (editors may keep the mtime). */
  readonly signature: string;
  readonly targets: readonly ScrapeTarget[];
}

/** `*` and `?` in the last path component, as Prometheus allows in file_sd `files`. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

/**
 * Re-reads file_sd files whose mtime or size changed since the last `refresh()`. A file that
 * becomes unreadable or invalid keeps its last good targets (Prometheus does the same) and is
 * logged once per change; a file that disappears drops its targets.
 */
export class FileSdWatcher {
  private readonly files = new Map<string, FileState>();
  private readonly failures = new Map<string, string>();

  constructor(
    private readonly patterns: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** Targets of every file, in pattern then file-name order. */
  targets(): ScrapeTarget[] {
    const out: ScrapeTarget[] = [];
    for (const path of [...this.files.keys()].sort()) out.push(...(this.files.get(path)?.targets ?? []));
    return out;
  }

  /** Polls every file; resolves to true when the target list may have changed. Never rejects. */
  async refresh(): Promise<boolean> {
    let changed = false;
    const seen = new Set<string>();
    for (const pattern of this.patterns) {
      for (const path of await this.expand(pattern)) {
        seen.add(path);
        if (await this.refreshFile(path)) changed = true;
      }
    }
    for (const path of [...this.files.keys()]) {
      if (!seen.has(path)) {
        this.files.delete(path);
        this.failures.delete(path);
        this.logger.info({ file: path }, 'file_sd file gone; its targets are dropped');
        changed = true;
      }
    }
    return changed;
  }

  private async expand(pattern: string): Promise<string[]> {
    const name = basename(pattern);
    if (!/[*?]/.test(name)) return [pattern];
    const dir = dirname(pattern);
    try {
      const regex = globToRegExp(name);
      return (await readdir(dir)).filter((entry) => regex.test(entry)).map((entry) => join(dir, entry));
    } catch (error) {
      this.reportFailure(pattern, `cannot list ${dir}: ${(error as Error).message}`, false);
      return [];
    }
  }

  private async refreshFile(path: string): Promise<boolean> {
    let signature: string;
    try {
      const info = await stat(path);
      signature = `${info.mtimeMs}:${info.size}`;
    } catch (error) {
      // Missing now: forget it (a glob would not list it either).
      this.reportFailure(path, `cannot stat: ${(error as Error).message}`, false);
      return this.files.delete(path);
    }
    const current = this.files.get(path);
    if (current?.signature === signature) return false;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      this.reportFailure(path, `cannot read: ${(error as Error).message}`, true);
      return false;
    }
    const parsed = parseFileSd(text, path);
    if (!parsed.ok) {
      // Remember the signature so a bad file is not re-parsed (and re-logged) on every poll.
      this.files.set(path, { signature, targets: current?.targets ?? [] });
      this.reportFailure(path, parsed.reason, true);
      return false;
    }
    this.failures.delete(path);
    this.files.set(path, { signature, targets: parsed.targets });
    this.logger.info({ file: path, targets: parsed.targets.length }, 'file_sd targets loaded');
    return true;
  }

  /** Logs a problem once until it changes, so a bad file does not flood the log every poll. */
  private reportFailure(path: string, reason: string, keepingTargets: boolean): void {
    if (this.failures.get(path) === reason) return;
    this.failures.set(path, reason);
    this.logger.error(
      { file: path, reason },
      keepingTargets ? 'file_sd file not usable; keeping its last good targets' : 'file_sd file not usable; it has no targets',
    );
  }
}
