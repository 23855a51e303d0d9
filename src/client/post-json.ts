// One JSON POST to the exporter with a deadline, turned into a typed outcome (no retries here).
import type { Timers } from './timers.js';
import { classifyStatus, parseRetryAfterMs } from './retry-policy.js';

/** The result of one attempt, as data the retry loop can act on. */
export type AttemptOutcome =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'fail'; readonly status: number; readonly message: string }
  | { readonly kind: 'retry'; readonly status?: number; readonly message: string; readonly retryAfterMs?: number };

export interface PostJsonOptions {
  readonly fetch: typeof fetch;
  readonly timers: Timers;
  /** Wall clock in ms, used to turn an HTTP-date Retry-After into a delay. */
  readonly now: () => number;
  /** Bearer token, sent as `Authorization: Bearer <token>` when set. */
  readonly token?: string;
  /** Abort the attempt after this many ms (> 0). */
  readonly timeoutMs: number;
  /** Aborts the attempt early (the reporter's hard stop). */
  readonly signal?: AbortSignal;
}

/** Longest answer body kept for an error message: exporter messages are one line. */
const MAX_MESSAGE_CHARS = 300;

/**
 * POSTs `body` as JSON to `url`. Node's global fetch (undici) keeps connections alive and reuses
 * them by default, so an agent pushing every few seconds does not pay a handshake per request.
 * Network errors and timeouts come back as `retry`, never as a thrown error.
 */
export async function postJson(url: string, body: unknown, options: PostJsonOptions): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const cancelTimeout = options.timers.schedule(options.timeoutMs, () =>
    controller.abort(new Error(`timed out after ${options.timeoutMs} ms`)),
  );
  const onStop = (): void => controller.abort(new Error('reporter stopped'));
  options.signal?.addEventListener('abort', onStop, { once: true });
  try {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const response = await options.fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: controller.signal,
      redirect: 'manual',
    });
    const text = await response.text();
    const verdict = classifyStatus(response.status);
    if (verdict === 'ok') return { kind: 'ok', status: response.status, body: parseJsonOrText(text) };
    const message = `HTTP ${response.status}: ${text.slice(0, MAX_MESSAGE_CHARS)}`;
    if (verdict === 'fail') return { kind: 'fail', status: response.status, message };
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), options.now());
    return retryAfterMs === undefined
      ? { kind: 'retry', status: response.status, message }
      : { kind: 'retry', status: response.status, message, retryAfterMs };
  } catch (error) {
    return { kind: 'retry', message: describeNetworkError(error, controller.signal) };
  } finally {
    cancelTimeout();
    options.signal?.removeEventListener('abort', onStop);
  }
}

function parseJsonOrText(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** fetch hides the interesting part in `cause` (ECONNREFUSED, "other side closed"). */
function describeNetworkError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  if (error instanceof Error) {
    const cause: unknown = error.cause;
    if (cause instanceof Error) {
      const code = (cause as NodeJS.ErrnoException).code;
      return `${error.message}: ${code ?? cause.message}`;
    }
    return error.message;
  }
  return String(error);
}
