// Standard Webhooks signing of outgoing task deliveries (HMAC-SHA256, `v1,<base64>`).
import { createHmac } from 'node:crypto';

/** Prefix of a Standard Webhooks symmetric secret; the rest is base64. */
export const SECRET_PREFIX = 'whsec_';

/**
 * Key bytes of a configured secret. `whsec_<base64>` is decoded per the Standard Webhooks spec
 * (the format svix and the reference libraries print); any other text is used raw, as UTF-8
 * bytes, so `openssl rand -hex 32 > secret` works too. Surrounding whitespace (a trailing newline
 * in a secret file) is ignored. Throws on an empty secret: an empty HMAC key signs nothing.
 */
export function decodeSigningSecret(secret: string): Buffer {
  const text = secret.trim();
  const key = text.startsWith(SECRET_PREFIX) ? Buffer.from(text.slice(SECRET_PREFIX.length), 'base64') : Buffer.from(text, 'utf8');
  if (key.length === 0) throw new Error('webhook secret is empty');
  return key;
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestampSeconds>.<body>")>` */
export function signWebhook(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers. `id` is the task id (the receiver's idempotency key, the
 * same on every attempt); the timestamp is the attempt's, so each retry is freshly signed.
 * Without a key no signature header is sent (an action configured without `secret_file`).
 */
export function webhookHeaders(key: Buffer | undefined, id: string, nowMs: number, body: string): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  const headers: Record<string, string> = { 'webhook-id': id, 'webhook-timestamp': String(timestamp) };
  if (key !== undefined) headers['webhook-signature'] = signWebhook(key, id, timestamp, body);
  return headers;
}
