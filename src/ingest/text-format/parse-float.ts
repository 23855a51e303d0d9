// Float and timestamp tokens of the exposition formats, with Go's strconv grammar (what Prometheus uses).

const CH_0 = 48;
const CH_9 = 57;
const CH_PLUS = 43;
const CH_MINUS = 45;
const CH_DOT = 46;
const CH_E = 101;
const CH_UPPER_E = 69;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

/**
 * Go's special values (case-insensitive): `[+-]inf`, `[+-]infinity`, `nan` (no sign).
 * Returns undefined when the token is not one of them.
 */
function parseSpecial(token: string): number | undefined {
  const lower = token.length <= 9 ? token.toLowerCase() : '';
  switch (lower) {
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    case 'nan':
      return NaN;
    default:
      return undefined;
  }
}

/**
 * Checks `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?` on token[start, end).
 * Prometheus refuses hex floats and underscores ("keep to pre-Go 1.13 float formats"), so does this.
 */
function isDecimal(token: string): boolean {
  const end = token.length;
  let i = 0;
  let c = token.charCodeAt(0);
  if (c === CH_PLUS || c === CH_MINUS) i += 1;
  let digits = 0;
  while (i < end && isDigit(token.charCodeAt(i))) {
    i += 1;
    digits += 1;
  }
  if (i < end && token.charCodeAt(i) === CH_DOT) {
    i += 1;
    while (i < end && isDigit(token.charCodeAt(i))) {
      i += 1;
      digits += 1;
    }
  }
  if (digits === 0) return false;
  if (i < end) {
    c = token.charCodeAt(i);
    if (c !== CH_E && c !== CH_UPPER_E) return false;
    i += 1;
    c = token.charCodeAt(i);
    if (c === CH_PLUS || c === CH_MINUS) i += 1;
    let expDigits = 0;
    while (i < end && isDigit(token.charCodeAt(i))) {
      i += 1;
      expDigits += 1;
    }
    if (expDigits === 0 || i !== end) return false;
  }
  return true;
}

/**
 * Parses a sample value. Returns undefined when the token is not a float in Go's grammar, or
 * when a finite-looking literal overflows to ±Inf (Go reports ErrRange and Prometheus fails the
 * scrape). Underflow gives 0 as in Go.
 */
export function parseFloatToken(token: string): number | undefined {
  if (token.length === 0) return undefined;
  const special = parseSpecial(token);
  if (special !== undefined) return special;
  if (!isDecimal(token)) return undefined;
  const value = Number(token);
  return Number.isFinite(value) ? value : undefined;
}

/** A 0.0.4 timestamp: a base-10 int64 of milliseconds. Undefined unless it is a safe integer. */
export function parseMillisecondsToken(token: string): number | undefined {
  const end = token.length;
  let i = 0;
  const c = token.charCodeAt(0);
  if (c === CH_PLUS || c === CH_MINUS) i += 1;
  if (i === end) return undefined;
  for (; i < end; i += 1) {
    if (!isDigit(token.charCodeAt(i))) return undefined;
  }
  const value = Number(token);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** An OpenMetrics timestamp: finite decimal seconds, returned as ms rounded to the millisecond. */
export function parseSecondsToken(token: string): number | undefined {
  if (token.length === 0 || !isDecimal(token)) return undefined;
  const ms = Math.round(Number(token) * 1000);
  return Number.isSafeInteger(ms) ? ms : undefined;
}
