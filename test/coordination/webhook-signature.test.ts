import { describe, expect, it } from 'vitest';
import { decodeSigningSecret, signWebhook, webhookHeaders } from '../../src/coordination/webhook-signature.js';

describe('Standard Webhooks signing', () => {
  it('matches the reference library test vector', () => {
    // From standard-webhooks/libraries/javascript/src/webhook.test.ts ("sign function works").
    const key = decodeSigningSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
    expect(signWebhook(key, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('uses a secret without the whsec_ prefix as raw bytes, ignoring surrounding whitespace', () => {
    expect(decodeSigningSecret('hunter2\n')).toEqual(Buffer.from('hunter2'));
    expect(decodeSigningSecret('whsec_aGVsbG8=')).toEqual(Buffer.from('hello'));
  });

  it('refuses an empty secret', () => {
    expect(() => decodeSigningSecret('  \n')).toThrow(/empty/);
    expect(() => decodeSigningSecret('whsec_')).toThrow(/empty/);
  });

  it('sends id, timestamp in seconds and signature headers; no signature without a key', () => {
    const key = Buffer.from('k');
    const headers = webhookHeaders(key, 'task-1', 1_700_000_000_999, '{}');
    expect(headers).toEqual({
      'webhook-id': 'task-1',
      'webhook-timestamp': '1700000000',
      'webhook-signature': signWebhook(key, 'task-1', 1_700_000_000, '{}'),
    });
    expect(webhookHeaders(undefined, 'task-1', 0, '{}')).not.toHaveProperty('webhook-signature');
  });
});
