import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, hasAttemptsLeft, nextDelayMs, parseRetryAfter, type RetryPolicy } from '../../src/coordination/retry-policy.js';

const policy: RetryPolicy = { initialMs: 1000, maxMs: 300_000, maxAttempts: 4, retryAfterCapMs: 300_000 };
const NOW = Date.UTC(2026, 0, 1);

describe('retry policy', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [9, 256_000],
    [10, 300_000],
    [1000, 300_000],
  ])('caps the ceiling after %i failed attempts at %i ms', (attempt, ceiling) => {
    expect(backoffCeilingMs(attempt, policy)).toBe(ceiling);
  });

  it('draws the delay uniformly in [0, ceiling) (full jitter)', () => {
    expect(nextDelayMs(3, policy, () => 0)).toBe(0);
    expect(nextDelayMs(3, policy, () => 0.5)).toBe(2000);
    expect(nextDelayMs(3, policy, () => 0.999999)).toBe(3999);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const delay = nextDelayMs(attempt, policy, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.max(1, backoffCeilingMs(attempt, policy)));
        expect(Number.isInteger(delay)).toBe(true);
      }),
    );
  });

  it('waits at least the Retry-After hint, capped', () => {
    expect(nextDelayMs(1, policy, () => 0, 30_000)).toBe(30_000);
    expect(nextDelayMs(9, policy, () => 0.9, 1000)).toBe(Math.floor(0.9 * 256_000));
    expect(nextDelayMs(1, policy, () => 0, 86_400_000)).toBe(300_000);
    expect(nextDelayMs(1, policy, () => 0, Number.NaN)).toBe(0);
  });

  it('allows attempts up to max_attempts', () => {
    expect([1, 2, 3, 4].map((a) => hasAttemptsLeft(a, policy))).toEqual([true, true, true, false]);
  });

  it.each([
    ['delay-seconds', '120', 120_000],
    ['zero', '0', 0],
    ['an HTTP-date', new Date(NOW + 90_000).toUTCString(), 90_000],
    ['an HTTP-date in the past', new Date(NOW - 90_000).toUTCString(), 0],
    ['garbage', 'soon', undefined],
    ['a negative number', '-5', undefined],
    ['a fraction', '1.5', undefined],
    ['nothing', null, undefined],
  ])('parses Retry-After given as %s', (_name, header, expected) => {
    expect(parseRetryAfter(header, NOW)).toBe(expected);
  });
});
