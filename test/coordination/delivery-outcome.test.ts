import { describe, expect, it } from 'vitest';
import { classifyResponse } from '../../src/coordination/delivery-outcome.js';

const NOW = Date.UTC(2026, 0, 1);

describe('classifyResponse (docs/design.md#outgoing-task-deliveries)', () => {
  it.each([200, 201, 202, 204, 299])('%i ends the task', (status) => {
    expect(classifyResponse(status, null, NOW)).toEqual({ kind: 'succeeded', status });
  });
  it.each([400, 401, 403, 404, 409, 410, 413, 422])('%i fails at once', (status) => {
    expect(classifyResponse(status, '10', NOW).kind).toBe('failed');
  });
  it.each([301, 302, 303, 307, 308])('redirect %i is a failure', (status) => {
    expect(classifyResponse(status, null, NOW)).toMatchObject({ kind: 'failed', error: expect.stringContaining('redirect') });
  });
  it.each([408, 425, 429, 500, 502, 503, 504])('%i is retried', (status) => {
    expect(classifyResponse(status, null, NOW)).toEqual({ kind: 'retryable', status, error: `HTTP ${status}` });
  });
  it('carries the Retry-After hint of a retryable answer', () => {
    expect(classifyResponse(429, '7', NOW)).toMatchObject({ kind: 'retryable', afterMs: 7000 });
    expect(classifyResponse(503, 'garbage', NOW)).not.toHaveProperty('afterMs');
  });
});
