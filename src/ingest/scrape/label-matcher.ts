// PromQL-style label matchers (`=`, `!=`, `=~`, `!~`) for selecting source series in a scrape mapping.

export type MatchOperator = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly op: MatchOperator;
  readonly value: string;
  /** Anchored regular expression for `=~` / `!~` (PromQL regexes match the whole value). */
  readonly regex?: RegExp;
}

export type MatcherParse = { readonly ok: true; readonly matcher: LabelMatcher } | { readonly ok: false; readonly reason: string };

const MATCHER_PATTERN = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** Longest regex source we accept: matchers come from config, but stay cheap to evaluate. */
const MAX_REGEX_LENGTH = 1024;

/**
 * Builds a matcher. Regexes are anchored like PromQL's (`^(?:re)$`). JavaScript regexes are not
 * RE2: a pathological pattern could backtrack, which is acceptable for operator-written config
 * but is why patterns are length-bounded and never taken from scraped data.
 */
export function makeMatcher(name: string, op: MatchOperator, value: string): MatcherParse {
  if (op === '=' || op === '!=') return { ok: true, matcher: { name, op, value } };
  if (value.length > MAX_REGEX_LENGTH) return { ok: false, reason: `regex longer than ${MAX_REGEX_LENGTH} characters` };
  try {
    return { ok: true, matcher: { name, op, value, regex: new RegExp(`^(?:${value})$`) } };
  } catch (error) {
    return { ok: false, reason: `invalid regex ${JSON.stringify(value)}: ${(error as Error).message}` };
  }
}

/** Parses `name="value"`, `name!="value"`, `name=~"re"` or `name!~"re"`. */
export function parseMatcher(text: string): MatcherParse {
  const match = MATCHER_PATTERN.exec(text);
  if (!match) return { ok: false, reason: `expected a matcher such as mode="user" or code=~"5..", got ${JSON.stringify(text)}` };
  const [, name = '', op = '=', raw = ''] = match;
  return makeMatcher(name, op as MatchOperator, unescape(raw));
}

/** True when the label set satisfies the matcher (a missing label is the empty string, as in PromQL). */
export function matches(matcher: LabelMatcher, labels: Readonly<Record<string, string>>): boolean {
  const actual = Object.hasOwn(labels, matcher.name) ? (labels[matcher.name] ?? '') : '';
  switch (matcher.op) {
    case '=':
      return actual === matcher.value;
    case '!=':
      return actual !== matcher.value;
    case '=~':
      return matcher.regex?.test(actual) ?? false;
    case '!~':
      return !(matcher.regex?.test(actual) ?? false);
  }
}

/** True when every matcher holds. */
export function matchesAll(matchers: readonly LabelMatcher[], labels: Readonly<Record<string, string>>): boolean {
  for (const m of matchers) if (!matches(m, labels)) return false;
  return true;
}
