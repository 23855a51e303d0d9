import { describe, expect, it } from 'vitest';
import { uuidV7 } from '../../src/coordination/task-id.js';

describe('uuidV7', () => {
  it('lays out time, version and variant as RFC 9562 says', () => {
    const id = uuidV7(0x0123456789ab, new Uint8Array(16).fill(0xff));
    expect(id).toBe('01234567-89ab-7fff-bfff-ffffffffffff');
    expect(uuidV7(Date.UTC(2026, 0, 1))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts later ids after earlier ones', () => {
    const ids = Array.from({ length: 100 }, (_, i) => uuidV7(Date.UTC(2026, 0, 1) + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidV7(0))).size).toBe(1000);
  });
});
