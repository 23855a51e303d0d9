// Retry policy as data for the agent reporter: which answers are retried and how long to wait (pure).
// Kept apart from coordination/retry-policy.ts on purpose: agents import the reporter from the
// published package (dist/src/client/), so client/ depends on model/ and node: only; and the two
// callers want different answers to the same question. An agent pushes again at its next step,
// so a server's Retry-After *replaces* the backoff, capped at 10 s, and 429 (max_agents) is not
// retried; a coordination task must not be redelivered before the receiver asked, so there the
// hint is a *floor* on the jittered delay, capped at 5 min. The jitter law (full jitter) is the
// same; folding the two would change one caller's behaviour.

/** How a failed request is retried. All durations in milliseconds. */
export interface RetryPolicy {
  /** Total tries including the first, >= 1. */
  readonly maxAttempts: number;
  /** Cap of the first backoff window, > 0. */
  readonly initialDelayMs: number;
  /** Cap of any backoff window (and of an honoured Retry-After), >= initialDelayMs. */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  // An agent pushes again at its next step anyway: a few quick tries bridge an exporter restart
  // without letting stale samples pile up behind a long outage.
  maxAttempts: 4,
  initialDelayMs: 250,
  maxDelayMs: 10_000,
};

/** What to do with an HTTP status: 2xx done, 408/425/5xx retry, any other 4xx (429 included) give up. */
export type StatusClass = 'ok' | 'retry' | 'fail';

/**
 * Classifies an exporter answer. 429 is NOT retried: docs/design.md#http-routes uses it for "new agent beyond
 * `max_agents`", a lasting condition that a quick retry cannot fix; the agent's next heartbeat or
 * step is the natural retry. 408 and 425 are transient by definition (RFC 9110, RFC 8470).
 */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 408 || status === 425 || status >= 500) return 'retry';
  return 'fail';
}

/**
 * Backoff before retry number `attempt` (1 = the wait after the first failure): "full jitter"
 * (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015), i.e. uniform in
 * [0, min(maxDelayMs, initialDelayMs * 2^(attempt-1))). `random` returns values in [0, 1).
 * A server's Retry-After, when given, is honoured instead, capped at maxDelayMs.
 */
export function backoffDelayMs(attempt: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const window = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  return Math.floor(random() * window);
}

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `nowMs`, or undefined when absent or unparsable.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
