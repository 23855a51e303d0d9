// Retry timing as data (docs/design.md#conventions 7): exponential backoff with full jitter, capped, honouring Retry-After.
// The agent reporter has its own (client/retry-policy.ts, whose header says why the two differ).

export interface RetryPolicy {
  /** Delay ceiling before the second attempt, ms (> 0). Doubles with each further attempt. */
  readonly initialMs: number;
  /** Cap on any computed delay, ms (>= initialMs). docs/reliability.md#the-figures: 5 min by default. */
  readonly maxMs: number;
  /** Total attempts including the first (>= 1); after the last one the task is dead-lettered. */
  readonly maxAttempts: number;
  /** Cap on a server's Retry-After hint, ms: a receiver cannot park a task for a day. */
  readonly retryAfterCapMs: number;
}

/** Builds the policy from `coordination.max_attempts` and `coordination.backoff` (already in ms). */
export function retryPolicyFromConfig(config: {
  readonly max_attempts: number;
  readonly backoff: { readonly initial: number; readonly max: number };
}): RetryPolicy {
  return {
    initialMs: config.backoff.initial,
    maxMs: config.backoff.max,
    maxAttempts: config.max_attempts,
    retryAfterCapMs: config.backoff.max,
  };
}

/**
 * Upper bound of the delay after `attempt` failed attempts (attempt >= 1):
 * min(maxMs, initialMs * 2^(attempt-1)).
 */
export function backoffCeilingMs(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 52));
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}

/**
 * Delay in ms before the next attempt, after `attempt` (>= 1) attempts have failed.
 * "Full jitter" (Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015):
 * uniform in [0, ceiling), which spreads a burst of failures better than equal or no jitter.
 * A server's Retry-After (ms) raises the delay to at least the hint, capped at retryAfterCapMs.
 *
 * @param random uniform in [0, 1): injected so tests can pin the jitter.
 */
export function nextDelayMs(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  const jittered = Math.floor(r * backoffCeilingMs(attempt, policy));
  if (retryAfterMs === undefined || !Number.isFinite(retryAfterMs) || retryAfterMs <= 0) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.retryAfterCapMs));
}

/** True when another attempt is allowed after `attempt` attempts were made. */
export function hasAttemptsLeft(attempt: number, policy: RetryPolicy): boolean {
  return attempt < policy.maxAttempts;
}

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) into ms from now.
 * Returns undefined when absent or unparseable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Number(text) * 1000;
  if (!/[a-zA-Z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - nowMs);
}
