// The typed error a store throws when it cannot commit now (busy, full, closed, I/O): callers answer 503.

/**
 * `gone`: the database file was deleted or replaced under the open handle; `corrupt`: SQLite
 * reported SQLITE_CORRUPT or SQLITE_NOTADB. Both are sticky: the store refuses every call after.
 */
export type UnavailableReason = 'busy' | 'full' | 'closed' | 'io' | 'readonly' | 'gone' | 'corrupt';

/**
 * Transient inability to read or commit. The HTTP routes map it to 503 so Alertmanager retries;
 * the runner logs it and tries again on its next tick. Anything else a store throws is a bug.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}

/** What `TaskStore.health()` reports: ok, or the sticky fault that makes every call fail. */
export type StoreHealth = { readonly ok: true } | { readonly ok: false; readonly reason: UnavailableReason; readonly message: string };

/** The database failed its integrity check (or is not a database): the exporter refuses to start. */
export class DatabaseCorruptError extends Error {
  override readonly name = 'DatabaseCorruptError';
  constructor(
    readonly databasePath: string,
    detail: string,
  ) {
    // One line: quick_check reports on several lines; the first few problems are enough to act on.
    detail = detail.replace(/\s+/g, ' ').trim().slice(0, 300);
    super(
      `database ${databasePath} is damaged (${detail}); inspect it with: sqlite3 ${JSON.stringify(databasePath)} 'PRAGMA integrity_check' — then restore a backup or move it aside to start with an empty one (docs/reliability.md)`,
    );
  }
}
