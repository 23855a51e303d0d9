// The typed error a store throws when it cannot commit now (busy, full, closed, I/O): callers answer 503.

export type UnavailableReason = 'busy' | 'full' | 'closed' | 'io' | 'readonly';

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
