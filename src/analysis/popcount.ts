// Set bits of a 32-bit word: counts of common steps from bitsets of observed (or gap) steps.

/** Set bits of the low 32 bits of `x` (Hacker's Delight, 5-2). */
export function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
