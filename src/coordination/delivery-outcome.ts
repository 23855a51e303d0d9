// The outcome of one delivery attempt as a discriminated union, and the response-code semantics of docs/design.md#outgoing-task-deliveries.
import { parseRetryAfter } from './retry-policy.js';

/**
 * - `succeeded`: the receiver took the task (2xx): the task ends.
 * - `failed`: retrying cannot help (other 4xx, redirects, no target): dead letter at once.
 * - `retryable`: transient (408/425/429/5xx, network error, timeout): retry after a backoff of at
 *   least `afterMs` when the receiver sent Retry-After.
 */
export type DeliveryOutcome =
  | { readonly kind: 'succeeded'; readonly status: number }
  | { readonly kind: 'failed'; readonly status?: number; readonly error: string }
  | { readonly kind: 'retryable'; readonly status?: number; readonly afterMs?: number; readonly error: string };

// 408 Request Timeout, 425 Too Early, 429 Too Many Requests: the receiver asks us to come back.
const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 425, 429]);

/**
 * Classifies an HTTP response status. Redirects are failures: a webhook URL that moved must be
 * updated in the config, and following it could send a signed task to a host nobody configured.
 */
export function classifyResponse(status: number, retryAfter: string | null | undefined, nowMs: number): DeliveryOutcome {
  if (status >= 200 && status <= 299) return { kind: 'succeeded', status };
  if (status >= 500 || RETRYABLE_4XX.has(status)) {
    const afterMs = parseRetryAfter(retryAfter, nowMs);
    return afterMs === undefined
      ? { kind: 'retryable', status, error: `HTTP ${status}` }
      : { kind: 'retryable', status, afterMs, error: `HTTP ${status}, Retry-After ${afterMs} ms` };
  }
  if (status >= 300 && status <= 399) return { kind: 'failed', status, error: `HTTP ${status}: redirects are not followed` };
  return { kind: 'failed', status, error: `HTTP ${status}` };
}
