// Task ids: UUID version 7 (RFC 9562 §5.7), time-ordered so the id index of the tasks table grows at its end.
import { randomFillSync } from 'node:crypto';

// Random bytes drawn 4 KiB at a time: one call per id cost ~10 µs, a tenth of a task's whole
// intake during an alert storm.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function random16(): Uint8Array {
  if (poolOffset + 16 > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  poolOffset += 16;
  return pool.subarray(poolOffset - 16, poolOffset);
}

/**
 * A UUIDv7: 48-bit Unix time in ms, version 7, 74 random bits. Ids created later sort later
 * (within a millisecond, in random order), so inserting a notification's tasks appends to the
 * B-tree instead of dirtying one random page per task: about half the WAL written per commit.
 *
 * @param nowMs ms since the epoch (0 .. 2^48 - 1)
 * @param random 16 random bytes (injected for tests)
 */
export function uuidV7(nowMs: number, random: Uint8Array = random16()): string {
  const bytes = Buffer.from(random.subarray(0, 16));
  bytes.writeUIntBE(Math.max(0, Math.floor(nowMs)) % 2 ** 48, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
