import { describe, expect, it } from 'vitest';
import { createWebhookVerifier, verifyWebhook } from '../../src/client/webhook-verifier.js';
import { decodeSigningSecret, webhookHeaders } from '../../src/coordination/webhook-signature.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = 1614265330_000;
const now = (): number => NOW;
const BODY = '{"test": 2432232314}';

function signed(id = 'msg_p5jXN8AQM9LWM0D4loKWxJek', at = NOW, body = BODY, secret = SECRET): Record<string, string> {
  return webhookHeaders(decodeSigningSecret(secret), id, at, body);
}

describe('verifyWebhook', () => {
  it('accepts the reference vector and returns the idempotency key', () => {
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    expect(verifyWebhook(SECRET, headers, BODY, { now })).toEqual({ ok: true, id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330 });
  });

  it('verifies what the exporter signs, with raw and whsec_ secrets, string or bytes body', () => {
    expect(verifyWebhook(SECRET, signed(), Buffer.from(BODY), { now }).ok).toBe(true);
    expect(verifyWebhook('plain-secret', signed(undefined, NOW, BODY, 'plain-secret'), BODY, { now }).ok).toBe(true);
  });

  it('reads fetch Headers and mixed-case or array-valued Node headers', () => {
    const h = signed();
    expect(verifyWebhook(SECRET, new Headers(h), BODY, { now }).ok).toBe(true);
    const mixed = {
      'Webhook-Id': h['webhook-id'],
      'WEBHOOK-TIMESTAMP': h['webhook-timestamp'],
      'webhook-signature': [h['webhook-signature'] ?? ''],
    };
    expect(verifyWebhook(SECRET, mixed, BODY, { now }).ok).toBe(true);
  });

  it('accepts when any of several space-separated signatures matches (key rotation)', () => {
    const h = signed();
    h['webhook-signature'] = `v1,AAAA v1a,BBBB ${h['webhook-signature'] ?? ''} v2,CCCC`;
    expect(verifyWebhook(SECRET, h, BODY, { now }).ok).toBe(true);
  });

  it.each([
    ['a missing id', (h: Record<string, string>) => delete h['webhook-id'], 'missing_headers'],
    ['a missing signature', (h: Record<string, string>) => delete h['webhook-signature'], 'missing_headers'],
    ['a non-numeric timestamp', (h: Record<string, string>) => (h['webhook-timestamp'] = 'hello'), 'invalid_timestamp'],
    ['a timestamp too old', (h: Record<string, string>) => (h['webhook-timestamp'] = String(NOW / 1000 - 301)), 'timestamp_too_old'],
    ['a timestamp too new', (h: Record<string, string>) => (h['webhook-timestamp'] = String(NOW / 1000 + 301)), 'timestamp_too_new'],
    [
      'a truncated signature',
      (h: Record<string, string>) => (h['webhook-signature'] = (h['webhook-signature'] ?? '').slice(0, 8)),
      'no_matching_signature',
    ],
    ['an empty v1 signature', (h: Record<string, string>) => (h['webhook-signature'] = 'v1,'), 'no_matching_signature'],
    ['a different id', (h: Record<string, string>) => (h['webhook-id'] = 'other'), 'no_matching_signature'],
  ])('refuses %s', (_name, mutate, reason) => {
    const h = signed();
    mutate(h);
    expect(verifyWebhook(SECRET, h, BODY, { now })).toEqual({ ok: false, reason });
  });

  it('refuses a body changed by one byte or a different secret', () => {
    expect(verifyWebhook(SECRET, signed(), '{"test": 2432232315}', { now }).ok).toBe(false);
    expect(verifyWebhook('whsec_b3RoZXI=', signed(), BODY, { now }).ok).toBe(false);
  });

  it('honours a custom tolerance', () => {
    const h = signed(undefined, NOW - 60_000);
    expect(verifyWebhook(SECRET, h, BODY, { now, toleranceSeconds: 30 })).toEqual({ ok: false, reason: 'timestamp_too_old' });
    expect(verifyWebhook(SECRET, h, BODY, { now, toleranceSeconds: 90 }).ok).toBe(true);
  });

  it('binds a boolean verifier to one secret', () => {
    const verify = createWebhookVerifier(SECRET, { now });
    expect(verify(signed(), BODY)).toBe(true);
    expect(verify(signed(), `${BODY} `)).toBe(false);
  });
});
