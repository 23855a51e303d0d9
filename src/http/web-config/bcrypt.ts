// bcrypt ($2a$, $2b$, $2y$) in plain TypeScript: hashing and constant-time verification of the hashes the exporter-toolkit web config carries.
// Provos & Mazières, "A Future-Adaptable Password Scheme", USENIX 1999 (EksBlowfish), as OpenBSD implements it:
// the key is the password's UTF-8 bytes plus a NUL, at most 72 bytes used; 2^cost rounds.
// node:crypto cannot do it (OpenSSL 3 ships no Blowfish by default), and no bcrypt package is a dependency.
import { timingSafeEqual } from 'node:crypto';
import { blowfishInitialState, type BlowfishState } from './blowfish-pi.js';

const ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DECODE = new Map([...ALPHABET].map((c, i) => [c, i]));
/** "OrpheanBeholderScryDoubt", the plaintext bcrypt encrypts 64 times. */
const MAGIC = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
const HASH_PATTERN = /^\$(2[aby])\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

export interface ParsedBcrypt {
  readonly variant: '2a' | '2b' | '2y';
  /** log2 of the rounds, 4..31. */
  readonly cost: number;
  readonly salt: Buffer;
  /** The 31 characters after the salt. */
  readonly digest: string;
}

/** Parses "$2b$10$<22 salt chars><31 digest chars>"; undefined when it is not one. */
export function parseBcrypt(hash: string): ParsedBcrypt | undefined {
  const m = HASH_PATTERN.exec(hash);
  if (!m) return undefined;
  const [, variant, costText, saltText, digest] = m;
  const cost = Number(costText);
  if (cost < 4 || cost > 31 || saltText === undefined || digest === undefined) return undefined;
  return { variant: variant as ParsedBcrypt['variant'], cost, salt: decode(saltText, 16), digest };
}

/** bcrypt's base64 (its own alphabet, no padding). */
export function encode(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    out += ALPHABET[b0 >> 2];
    out += ALPHABET[((b0 & 3) << 4) | (b1 >> 4)];
    if (i + 1 >= length) break;
    out += ALPHABET[((b1 & 15) << 2) | (b2 >> 6)];
    if (i + 2 >= length) break;
    out += ALPHABET[b2 & 63];
  }
  return out;
}

function decode(text: string, length: number): Buffer {
  const out = Buffer.alloc(length);
  let bits = 0;
  let acc = 0;
  let n = 0;
  for (const c of text) {
    acc = (acc << 6) | (DECODE.get(c) ?? 0);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n < length) out[n++] = (acc >> bits) & 255;
    }
  }
  return out;
}

// The hot loop below indexes typed arrays at positions that are in range by construction (P has 18
// words, S 1,024, bytes are masked to 0..255); `as number` tells the compiler so without a
// per-access `?? 0`, which costs measurably at 2^10 key schedules per verification.

/** Encrypts the block (lr[off], lr[off + 1]) in place: 16 Feistel rounds with F(x) = ((S0 + S1) ^ S2) + S3. */
function encipher(p: Int32Array, s: Int32Array, lr: Int32Array, off: number): void {
  let l = (lr[off] as number) ^ (p[0] as number);
  let r = lr[off + 1] as number;
  for (let i = 1; i <= 16; i += 2) {
    r ^=
      ((((s[l >>> 24] as number) + (s[256 | ((l >>> 16) & 255)] as number)) ^ (s[512 | ((l >>> 8) & 255)] as number)) +
        (s[768 | (l & 255)] as number)) ^
      (p[i] as number);
    l ^=
      ((((s[r >>> 24] as number) + (s[256 | ((r >>> 16) & 255)] as number)) ^ (s[512 | ((r >>> 8) & 255)] as number)) +
        (s[768 | (r & 255)] as number)) ^
      (p[i + 1] as number);
  }
  lr[off] = r ^ (p[17] as number);
  lr[off + 1] = l;
}

/** The 18 big-endian words a cyclic byte stream gives (Blowfish XORs them into P). */
function streamWords(data: Uint8Array, count: number): Int32Array {
  const words = new Int32Array(count);
  let pos = 0;
  for (let w = 0; w < count; w++) {
    let word = 0;
    for (let i = 0; i < 4; i++) {
      word = (word << 8) | (data[pos] as number);
      pos = (pos + 1) % data.length;
    }
    words[w] = word;
  }
  return words;
}

/**
 * EksBlowfish's ExpandKey(state, salt, key) with the key as its 18 stream words; without salt
 * words it is Blowfish's own key schedule. The salt (16 bytes) is 4 words, used cyclically.
 */
function expandKey(state: BlowfishState, keyWords: Int32Array, saltWords: Int32Array | undefined, block: Int32Array): void {
  const { p, s } = state;
  for (let i = 0; i < 18; i++) p[i] = (p[i] as number) ^ (keyWords[i] as number);
  block[0] = 0;
  block[1] = 0;
  let saltIndex = 0;
  for (let i = 0; i < 18 + 1024; i += 2) {
    if (saltWords) {
      block[0] = block[0] ^ (saltWords[saltIndex] as number);
      block[1] = block[1] ^ (saltWords[saltIndex + 1] as number);
      saltIndex ^= 2;
    }
    encipher(p, s, block, 0);
    const target = i < 18 ? p : s;
    const at = i < 18 ? i : i - 18;
    target[at] = block[0];
    target[at + 1] = block[1];
  }
}

/** The key bcrypt uses: UTF-8 bytes, a terminating NUL, at most 72 bytes. */
function keyBytes(password: string): Uint8Array {
  const utf8 = Buffer.from(password, 'utf8');
  const key = new Uint8Array(Math.min(utf8.length + 1, 72));
  key.set(utf8.subarray(0, key.length));
  return key;
}

/** The 31-character digest of `password` under a 16-byte salt and a cost of 4..31. */
export function bcryptDigest(password: string, salt: Uint8Array, cost: number): string {
  if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new RangeError(`bcrypt cost: expected an integer in 4..31, got ${cost}`);
  if (salt.length !== 16) throw new RangeError(`bcrypt salt: expected 16 bytes, got ${salt.length}`);
  const keyWords = streamWords(keyBytes(password), 18);
  const saltWords = streamWords(salt, 4);
  const saltAsKey = streamWords(salt, 18);
  const state = blowfishInitialState();
  const block = new Int32Array(2);
  expandKey(state, keyWords, saltWords, block);
  for (let round = 0; round < 2 ** cost; round++) {
    expandKey(state, keyWords, undefined, block);
    expandKey(state, saltAsKey, undefined, block);
  }
  const text = new Int32Array(6);
  for (let i = 0; i < 6; i++) text[i] = MAGIC.readInt32BE(i * 4);
  for (let i = 0; i < 64; i++) for (let j = 0; j < 6; j += 2) encipher(state.p, state.s, text, j);
  const out = Buffer.alloc(24);
  for (let i = 0; i < 6; i++) out.writeInt32BE(text[i] ?? 0, i * 4);
  // 23 bytes: bcrypt drops the last byte of the 24-byte ciphertext.
  return encode(out.subarray(0, 23), 23);
}

/** A full "$2b$<cost>$<salt><digest>" string (for tests and for documenting how hashes look). */
export function bcryptHash(password: string, salt: Uint8Array, cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$${encode(salt, 16)}${bcryptDigest(password, salt, cost)}`;
}

/** True when `password` matches `hash`; false for any other password or a malformed hash. Constant time in the digest comparison. */
export function bcryptVerify(password: string, hash: string): boolean {
  const parsed = parseBcrypt(hash);
  if (!parsed) return false;
  const digest = Buffer.from(bcryptDigest(password, parsed.salt, parsed.cost));
  return timingSafeEqual(digest, Buffer.from(parsed.digest));
}
