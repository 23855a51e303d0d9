import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimiter } from '../../src/client/concurrency-limiter.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ConcurrencyLimiter', () => {
  it('serves urgent waiters first, and each lane in arrival order', async () => {
    const limiter = new ConcurrencyLimiter(1);
    const order: string[] = [];
    const first = await limiter.acquire();
    // Each waiter notes its turn and hands the slot on at once.
    const wait = (name: string, urgent: boolean): Promise<void> =>
      limiter.acquire(urgent).then((release) => {
        order.push(name);
        release();
      });
    const all = [wait('n1', false), wait('u1', true), wait('n2', false), wait('u2', true)];
    expect(limiter.waiting).toBe(4);
    first();
    await Promise.all(all);
    expect(order).toEqual(['u1', 'u2', 'n1', 'n2']);
    expect(limiter.inFlight).toBe(0);
  });

  it('never lets more than `limit` hold a slot, whatever the mix of acquire and release', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), async (limit, urgency) => {
        const limiter = new ConcurrencyLimiter(limit);
        let holders = 0;
        let peak = 0;
        await Promise.all(
          urgency.map(async (urgent) => {
            const release = await limiter.acquire(urgent);
            holders += 1;
            peak = Math.max(peak, holders);
            await flush();
            holders -= 1;
            release();
            release(); // a second release must not free another slot
          }),
        );
        expect(peak).toBeLessThanOrEqual(limit);
        expect(limiter.inFlight).toBe(0);
      }),
      { numRuns: 50, seed: 7 },
    );
  });

  it('refuses a limit below one', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});
