// One process per SQLite database: an OS lock on a sibling `<db>.lock` file, released by the kernel when its holder dies.
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Who holds a lock, as it wrote itself into the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** ISO time the holder took the lock. */
  readonly since: string;
}

/** Another process holds the database: the exporter refuses to start (one clear line, exit non-zero). */
export class DatabaseLockedError extends Error {
  override readonly name = 'DatabaseLockedError';
  constructor(
    readonly databasePath: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who =
      holder === undefined
        ? 'another process (its pid could not be read)'
        : `pid ${holder.pid} on host ${holder.host} (since ${holder.since})`;
    super(
      `database ${databasePath} is in use by ${who}; one exporter per database file: stop that process, or give this one its own storage.path`,
    );
  }
}

export interface DatabaseLock {
  /** The sibling lock file. */
  readonly path: string;
  /** Its device and inode when taken: were it deleted, a second process could take a new one. */
  readonly identity: FileIdentity | undefined;
  /** Releases the lock (idempotent). */
  release(): void;
}

/** `<db>.lock` next to the real file, so two spellings of one path (symlinks, relative) share a lock. */
export function lockPathOf(databasePath: string): string {
  const absolute = resolve(databasePath);
  try {
    return `${realpathSync(absolute)}.lock`;
  } catch {
    try {
      return join(realpathSync(dirname(absolute)), `${basename(absolute)}.lock`);
    } catch {
      return `${absolute}.lock`;
    }
  }
}

function readHolder(db: Db): LockHolder | undefined {
  try {
    // The holder keeps a RESERVED lock, which still admits readers; wait briefly should it be committing.
    db.pragma('busy_timeout = 200');
    const row = db.prepare('SELECT pid, host, since FROM holder LIMIT 1').get() as { pid: number; host: string; since: string } | undefined;
    return row === undefined ? undefined : { pid: Number(row.pid), host: String(row.host), since: String(row.since) };
  } catch {
    return undefined;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/**
 * Takes the lock or throws `DatabaseLockedError` naming the holder.
 *
 * Why a SQLite write lock rather than an O_EXCL pid file: the lock is a POSIX record lock the
 * kernel drops the moment its process dies (kill -9 included), so there is no stale lock to
 * detect and no pid to trust — a pid check is wrong across containers, where every exporter may
 * be pid 1 of its own namespace. The lock file is a tiny rollback-journal database: the holder
 * writes its pid, host and start time, then opens a write transaction (RESERVED lock) that it
 * never commits. Readers are still admitted, so a second process can read who holds it; its own
 * `BEGIN IMMEDIATE` fails at once with SQLITE_BUSY. (On network file systems this is only as
 * good as their lock support, as for SQLite itself.)
 */
export function acquireDatabaseLock(databasePath: string, pid: number = process.pid): DatabaseLock {
  const path = lockPathOf(databasePath);
  const db = new Database(path);
  const refuse = (): never => {
    const holder = readHolder(db);
    db.close();
    throw new DatabaseLockedError(databasePath, holder);
  };
  try {
    db.pragma('busy_timeout = 0');
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      if (isBusy(error)) refuse();
      throw error;
    }
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL)');
    db.exec('DELETE FROM holder');
    db.prepare('INSERT INTO holder (pid, host, since) VALUES (?, ?, ?)').run(pid, hostname(), new Date().toISOString());
    db.exec('COMMIT');
    // Between that COMMIT and this BEGIN another process may win the lock; then it holds it and we refuse.
    try {
      db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      if (isBusy(error)) refuse();
      throw error;
    }
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
  let released = false;
  return {
    path,
    identity: fileIdentity(path),
    release: () => {
      if (released) return;
      released = true;
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
}

/** Device and inode of a path, to notice it was deleted or replaced under an open handle. */
export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** undefined when the path does not exist (any more). */
export function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const s = statSync(path);
    return { dev: s.dev, ino: s.ino };
  } catch {
    return undefined;
  }
}

export function sameFile(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}
