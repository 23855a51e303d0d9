// The golden-file helper: a missing file fails the test instead of being written; UPDATE_GOLDEN rewrites on purpose.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { goldenText } from './golden.js';

describe('goldenText', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'golden-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('throws on a missing golden file and leaves it missing', () => {
    const path = join(dir, 'page.prom');
    expect(() => goldenText(path, 'a 1\n', false)).toThrow(/golden file .*page\.prom is missing: run the test with UPDATE_GOLDEN=1/);
    expect(existsSync(path)).toBe(false);
  });

  it('returns the committed text, not the actual one, so a changed page fails the comparison', () => {
    const path = join(dir, 'page.prom');
    writeFileSync(path, 'a 1\n');
    expect(goldenText(path, 'a 2\n', false)).toBe('a 1\n');
    expect(readFileSync(path, 'utf8')).toBe('a 1\n');
  });

  it('writes the actual text when asked to update, whether or not the file exists', () => {
    const path = join(dir, 'page.prom');
    expect(goldenText(path, 'a 1\n', true)).toBe('a 1\n');
    expect(goldenText(path, 'a 2\n', true)).toBe('a 2\n');
    expect(readFileSync(path, 'utf8')).toBe('a 2\n');
  });
});
