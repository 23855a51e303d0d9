import { describe, expect, it } from 'vitest';
import { matches, parseMatcher } from '../../../src/ingest/scrape/label-matcher.js';

describe('parseMatcher and matches', () => {
  it.each([
    ['mode="user"', { mode: 'user' }, true],
    ['mode="user"', { mode: 'system' }, false],
    ['mode!="user"', { mode: 'system' }, true],
    ['mode!="user"', {}, true],
    ['code=~"5.."', { code: '503' }, true],
    ['code=~"5.."', { code: '1503' }, false],
    ['code!~"5.."', { code: '200' }, true],
    ['missing=""', {}, true],
    ['missing=~".+"', {}, false],
    ['path="C:\\\\dir"', { path: 'C:\\dir' }, true],
    ['q="say \\"hi\\""', { q: 'say "hi"' }, true],
    [' tool = "search" ', { tool: 'search' }, true],
  ])('%s on %j is %s', (text, labels, expected) => {
    const parsed = parseMatcher(text);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(matches(parsed.matcher, labels)).toBe(expected);
  });

  it('treats an inherited property name as a missing label', () => {
    const parsed = parseMatcher('constructor=""');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(matches(parsed.matcher, {})).toBe(true);
  });

  it.each(['mode', 'mode=user', '1a="x"', 'a=="x"', 'a=~"("'])('rejects %s with a reason', (text) => {
    const parsed = parseMatcher(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(10);
  });
});
