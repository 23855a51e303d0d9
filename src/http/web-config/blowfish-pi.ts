// Blowfish's initial P-array and S-boxes: the hexadecimal digits of pi's fractional part, computed once rather than pasted as a table.
// Schneier, "Description of a New Variable-Length Key, 64-Bit Block Cipher (Blowfish)", 1993: P1 = 0x243F6A88,
// then the next 8,328 hex digits fill P2..P18 and the four S-boxes in order. Machin's formula
// (pi = 16 atan(1/5) - 4 atan(1/239)) in fixed point with BigInt computes them in a few milliseconds.

/** 18 P-array words + 4 x 256 S-box words. */
const WORDS = 18 + 4 * 256;
/** Hex digits past those needed, so truncation error in the series never reaches a digit we keep. */
const GUARD_DIGITS = 16;

/** atan(1/x) * 2^bits, by its Taylor series, truncated term by term (error below one unit per term). */
function arctanInverse(x: bigint, bits: bigint): bigint {
  const xSquared = x * x;
  let power = (1n << bits) / x;
  let sum = power;
  let sign = -1n;
  for (let k = 3n; power !== 0n; k += 2n) {
    power /= xSquared;
    sum += (sign * power) / k;
    sign = -sign;
  }
  return sum;
}

export interface BlowfishState {
  /** 18 subkeys. */
  readonly p: Int32Array;
  /** S-boxes 0..3, 256 words each, in one array (box i at offset 256 i). */
  readonly s: Int32Array;
}

let digits: Int32Array | undefined;

/** The 1,042 words of pi's fractional hex digits; computed on first use and kept (a constant, not state). */
function piWords(): Int32Array {
  if (digits) return digits;
  const hexDigits = WORDS * 8 + GUARD_DIGITS;
  const bits = BigInt(hexDigits * 4);
  const pi = 16n * arctanInverse(5n, bits) - 4n * arctanInverse(239n, bits);
  const fraction = (pi - (3n << bits)) >> BigInt(GUARD_DIGITS * 4);
  const hex = fraction.toString(16).padStart(WORDS * 8, '0');
  const words = new Int32Array(WORDS);
  for (let i = 0; i < WORDS; i++) words[i] = Number.parseInt(hex.slice(i * 8, i * 8 + 8), 16) | 0;
  digits = words;
  return words;
}

/** A fresh copy of Blowfish's initial state (callers mutate it in the key schedule). */
export function blowfishInitialState(): BlowfishState {
  const words = piWords();
  return { p: words.slice(0, 18), s: words.slice(18) };
}
