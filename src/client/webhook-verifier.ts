// Dependency-free Standard Webhooks verifier for receivers of coordination tasks (node:crypto only).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header bag as Node's IncomingHttpHeaders, a plain record, or fetch's Headers. */
export type WebhookHeaderSource = { get(name: string): string | null } | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyOptions {
  /**
   * Accepted distance between `webhook-timestamp` and now, seconds (default 300, the spec's
   * 5 minutes): older or newer messages are refused, which bounds replays.
   */
  readonly toleranceSeconds?: number;
  /** Current time in ms since the epoch (default Date.now); injected by tests. */
  readonly now?: () => number;
}

export type VerifyFailure = 'missing_headers' | 'invalid_timestamp' | 'timestamp_too_old' | 'timestamp_too_new' | 'no_matching_signature';

export type VerifyResult =
  { readonly ok: true; readonly id: string; readonly timestamp: number } | { readonly ok: false; readonly reason: VerifyFailure };

const SECRET_PREFIX = 'whsec_';
const DEFAULT_TOLERANCE_SECONDS = 300;

/**
 * Key bytes of a secret: `whsec_<base64>` is base64-decoded (Standard Webhooks format), any
 * other string is taken as raw UTF-8 bytes, bytes as they are. Same rule as the sender.
 */
export function webhookKey(secret: string | Uint8Array): Buffer {
  if (typeof secret !== 'string') return Buffer.from(secret);
  const text = secret.trim();
  return text.startsWith(SECRET_PREFIX) ? Buffer.from(text.slice(SECRET_PREFIX.length), 'base64') : Buffer.from(text, 'utf8');
}

function header(headers: WebhookHeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== name) continue;
    const value = record[key];
    return Array.isArray(value) ? value.join(' ') : (value as string | undefined);
  }
  return undefined;
}

/**
 * Verifies a delivery: the three `webhook-*` headers are present, the timestamp is within the
 * tolerance, and one `v1,` signature of the space-separated list matches
 * HMAC-SHA256(key, "<id>.<timestamp>.<raw body>") in constant time.
 *
 * Pass the raw body exactly as received: re-serialising parsed JSON changes bytes and breaks the
 * signature. After `ok`, use `id` as the idempotency key (the same on every retry of a task).
 */
export function verifyWebhook(
  secret: string | Uint8Array,
  headers: WebhookHeaderSource,
  rawBody: string | Uint8Array,
  options: VerifyOptions = {},
): VerifyResult {
  const id = header(headers, 'webhook-id');
  const timestampText = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestampText || !signatures) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,15}$/.test(timestampText.trim())) return { ok: false, reason: 'invalid_timestamp' };
  const timestamp = Number(timestampText.trim());
  const nowSeconds = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (nowSeconds - timestamp > tolerance) return { ok: false, reason: 'timestamp_too_old' };
  if (timestamp - nowSeconds > tolerance) return { ok: false, reason: 'timestamp_too_new' };

  const key = webhookKey(secret);
  if (key.length === 0) return { ok: false, reason: 'no_matching_signature' };
  const mac = createHmac('sha256', key);
  mac.update(`${id}.${timestampText.trim()}.`, 'utf8');
  mac.update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody);
  const expected = Buffer.from(mac.digest('base64'), 'utf8');

  for (const versioned of signatures.split(' ')) {
    const comma = versioned.indexOf(',');
    if (comma < 0 || versioned.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(versioned.slice(comma + 1), 'utf8');
    // Lengths are public (a base64 SHA-256 is always 44 chars); the content is compared in constant time.
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return { ok: true, id, timestamp };
    }
  }
  return { ok: false, reason: 'no_matching_signature' };
}

/**
 * A `(headers, rawBody) => boolean` verifier bound to one secret, for frameworks and the demo
 * receiver. Example (node:http):
 *
 * ```ts
 * const verify = createWebhookVerifier(process.env.WEBHOOK_SECRET ?? '');
 * if (!verify(req.headers, rawBody)) { res.writeHead(401).end(); return; }
 * ```
 */
export function createWebhookVerifier(
  secret: string | Uint8Array,
  options: VerifyOptions = {},
): (headers: WebhookHeaderSource, rawBody: string | Uint8Array) => boolean {
  return (headers, rawBody) => verifyWebhook(secret, headers, rawBody, options).ok;
}
