// Outgoing delivery of one task attempt: signed POST with fetch, no redirects, outcome per docs/design.md#outgoing-task-deliveries.
import type { ActionConfig } from '../config/schema.js';
import type { CoordinationType } from '../model/coordination-vocabulary.js';
import { classifyResponse, type DeliveryOutcome } from './delivery-outcome.js';
import { decodeSigningSecret, webhookHeaders } from './webhook-signature.js';

/** Where tasks of one type go. */
export interface ActionTarget {
  /** The `coordination.actions` key it came from: a task type or "default". */
  readonly key: string;
  readonly url: string;
  /** scheme://host:port: the unit of the per-target concurrency bound. */
  readonly origin: string;
  readonly signingKey: Buffer | undefined;
  /** Extra headers from the config; they cannot replace the webhook-* or content-type headers. */
  readonly headers: Readonly<Record<string, string>>;
}

export type ActionTargets = (type: CoordinationType) => ActionTarget | undefined;

/**
 * Resolves `coordination.actions` (per type, then `default`). `readSecret` reads a `secret_file`
 * (the composition root passes a file reader; tests pass a map). Throws, naming the action, when
 * a secret file cannot be read or is empty: starting without the signature would be worse.
 */
export function resolveActionTargets(
  actions: Readonly<Partial<Record<string, ActionConfig>>>,
  readSecret: (path: string) => string,
): ActionTargets {
  const targets = new Map<string, ActionTarget>();
  for (const [key, action] of Object.entries(actions)) {
    if (action === undefined) continue;
    let signingKey: Buffer | undefined;
    if (action.secret_file !== undefined) {
      try {
        signingKey = decodeSigningSecret(readSecret(action.secret_file));
      } catch (error) {
        throw new Error(`coordination.actions.${key}.secret_file: ${(error as Error).message}`, { cause: error });
      }
    }
    const url = new URL(action.url);
    targets.set(key, { key, url: url.toString(), origin: url.origin, signingKey, headers: { ...(action.headers ?? {}) } });
  }
  return (type) => targets.get(type) ?? targets.get('default');
}

export interface DeliveryReport {
  readonly outcome: DeliveryOutcome;
  readonly statusCode: number | undefined;
}

const RESERVED = new Set(['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'content-length', 'host']);

/**
 * POSTs one attempt. `signal` aborts it (task timeout, shutdown); the caller classifies an abort.
 * The response body is discarded unread: only the status code and Retry-After matter.
 */
export async function postTask(
  target: ActionTarget,
  id: string,
  body: string,
  nowMs: number,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<DeliveryReport> {
  const headers: Record<string, string> = { 'user-agent': 'agentswarm-exporter' };
  for (const [name, value] of Object.entries(target.headers)) if (!RESERVED.has(name.toLowerCase())) headers[name] = value;
  Object.assign(headers, { 'content-type': 'application/json' }, webhookHeaders(target.signingKey, id, nowMs, body));
  let response: Response;
  try {
    response = await fetchImpl(target.url, { method: 'POST', headers, body, redirect: 'manual', signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { outcome: { kind: 'retryable', error: `network error: ${describeFetchError(error)}` }, statusCode: undefined };
  }
  await response.body?.cancel().catch(() => undefined);
  return { outcome: classifyResponse(response.status, response.headers.get('retry-after'), nowMs), statusCode: response.status };
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
