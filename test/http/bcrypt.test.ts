// bcrypt against libxcrypt's crypt(3) (vectors made by test/fixtures/bcrypt/make_vectors.py) and Blowfish's pi-derived constants.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bcryptDigest, bcryptHash, bcryptVerify, parseBcrypt } from '../../src/http/web-config/bcrypt.js';
import { blowfishInitialState } from '../../src/http/web-config/blowfish-pi.js';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/bcrypt/vectors.json', import.meta.url), 'utf8')) as {
  password: string;
  hash: string;
}[];

describe('bcrypt', () => {
  it("computes Blowfish's published initial words from pi (first and last of P, first and last S-box words)", () => {
    const { p, s } = blowfishInitialState();
    const hex = (n: number | undefined): string => ((n ?? 0) >>> 0).toString(16).padStart(8, '0');
    expect([p[0], p[1], p[17]].map(hex)).toEqual(['243f6a88', '85a308d3', '8979fb1b']);
    expect([s[0], s[255], s[256], s[1023]].map(hex)).toEqual(['d1310ba6', '6e85076a', '4b7a70e9', '3ac372e6']);
  });

  it.each(vectors.map((v) => [v.hash, v.password] as const))("reproduces crypt(3)'s %s", (hash, password) => {
    const parsed = parseBcrypt(hash);
    expect(parsed).toBeDefined();
    expect(bcryptDigest(password, parsed!.salt, parsed!.cost)).toBe(parsed!.digest);
    expect(bcryptVerify(password, hash)).toBe(true);
  });

  it('refuses a wrong password, one changed character of the digest and malformed hashes', () => {
    const { password, hash } = vectors.find((v) => v.password === 'correct horse battery staple')!;
    expect(bcryptVerify(`${password}!`, hash)).toBe(false);
    expect(bcryptVerify(password.toUpperCase(), hash)).toBe(false);
    const last = hash.at(-1) === 'a' ? 'b' : 'a';
    expect(bcryptVerify(password, `${hash.slice(0, -1)}${last}`)).toBe(false);
    for (const bad of ['', 'plain', '$2b$10$short', `$2x$05$${hash.slice(7)}`, `$2b$03$${hash.slice(7)}`, `$2b$32$${hash.slice(7)}`])
      expect(bcryptVerify(password, bad), bad).toBe(false);
  });

  it('uses only the first 72 bytes of a password, as OpenBSD bcrypt does', () => {
    const { password, hash } = vectors.find((v) => v.password.startsWith('zzz') && v.hash.startsWith('$2b$'))!;
    expect(bcryptVerify(password.slice(0, 72), hash)).toBe(true);
    expect(bcryptVerify(password.slice(0, 71), hash)).toBe(false);
  });

  it('formats its own hashes so that crypt(3)-style parsing reads back salt and cost', () => {
    const salt = Buffer.from('0123456789abcdef');
    const hash = bcryptHash('secret', salt, 4);
    expect(hash).toMatch(/^\$2b\$04\$[./A-Za-z0-9]{53}$/);
    expect(parseBcrypt(hash)?.salt.equals(salt)).toBe(true);
    expect(bcryptVerify('secret', hash)).toBe(true);
    expect(() => bcryptDigest('x', salt, 3)).toThrow(/cost/);
  });
});
