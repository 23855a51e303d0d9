// Scans one exposition line in place (no regex, no backtracking): linear in the line length.
import { parseFloatToken, parseMillisecondsToken, parseSecondsToken } from './parse-float.js';
import type { ExpositionSample, ParseErrorKind, ParseLimits } from './types.js';

const SPACE = 32;
const TAB = 9;
const HASH = 35;
const LBRACE = 123;
const RBRACE = 125;
const EQUALS = 61;
const QUOTE = 34;
const COMMA = 44;
const BACKSLASH = 92;
const COLON = 58;
const UNDERSCORE = 95;

/** A rejected line: the kind and a message quoting at most a short excerpt of the input. */
export class LineError {
  constructor(
    readonly kind: ParseErrorKind,
    readonly message: string,
  ) {}
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
/** `[a-zA-Z_:]` / `[a-zA-Z0-9_:]`: the metric name alphabet. */
function isMetricNameChar(c: number, first: boolean): boolean {
  return isLetter(c) || c === UNDERSCORE || c === COLON || (!first && isDigit(c));
}
/** `[a-zA-Z_]` / `[a-zA-Z0-9_]`: the label name alphabet. */
function isLabelNameChar(c: number, first: boolean): boolean {
  return isLetter(c) || c === UNDERSCORE || (!first && isDigit(c));
}

/**
 * True when src continues at `start` with `text` (caller checked the length fits). A plain
 * loop: `startsWith(text, position)` is a builtin call that profiling showed dominating here.
 */
function matchesAt(src: string, start: number, text: string): boolean {
  for (let k = 0; k < text.length; k += 1) {
    if (src.charCodeAt(start + k) !== text.charCodeAt(k)) return false;
  }
  return true;
}

/** Quotes at most 64 characters of the input so error messages stay bounded. */
export function excerpt(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

/** Metadata line (`# HELP`, `# TYPE`, `# UNIT`) split into its parts. */
export interface MetadataLine {
  readonly keyword: 'HELP' | 'TYPE' | 'UNIT';
  readonly name: string;
  /** Raw rest of the line after the name and its separating blanks (escapes not yet applied). */
  readonly rest: string;
}

/**
 * Label sets are instances of a class whose prototype is null: `__proto__` or `constructor` are
 * then ordinary own keys (no prototype pollution), and unlike `Object.create(null)` objects V8
 * keeps them in fast mode with shared shapes, which matters at ~100k samples per page.
 */
class LabelSet {}
Object.setPrototypeOf(LabelSet.prototype, null);
// The prototype's own `constructor` would otherwise shadow a label of that name.
Reflect.deleteProperty(LabelSet.prototype, 'constructor');

function newLabelSet(): Record<string, string> {
  return new LabelSet() as Record<string, string>;
}

/** Digits of an integer literal that a double holds exactly (< 2^53). */
const MAX_EXACT_DIGITS = 15;
/** Label positions remembered from the previous line (bounds the caches). */
const MAX_CACHED_LABELS = 32;
/**
 * Label values remembered per position: enough for a histogram's bucket bounds (`le` cycles
 * through ~10-30 values), few enough that a miss costs little (a length check each).
 */
const RECENT_VALUES = 32;

/**
 * A reusable scanner over `src[start, end)`. One instance parses many lines. Consecutive lines
 * mostly repeat the metric name, label names and label values (histogram buckets differ only in
 * `le`), so strings equal to the previous line's at the same position are reused instead of
 * sliced: this removes most allocation, which dominated parse time.
 */
export class LineScanner {
  private src = '';
  private pos = 0;
  private end = 0;
  private previousName = '';
  private readonly previousLabelNames: string[] = [];
  private readonly recentLabelValues: string[][] = [];
  private readonly recentCursor: number[] = [];
  private readonly recentHit: number[] = [];

  constructor(
    private readonly limits: ParseLimits,
    private readonly openMetrics: boolean,
  ) {}

  /** Parses a sample line; `start` must not point at a blank (the caller strips leading blanks). */
  parseSample(src: string, start: number, end: number): ExpositionSample | LineError {
    this.src = src;
    this.pos = start;
    this.end = end;
    const name = this.readMetricName();
    if (name === '') return this.fail('syntax', 'expected a metric name');
    const labels = newLabelSet();
    const afterName = this.pos;
    this.skipBlanks();
    if (this.peek() === LBRACE) {
      this.pos += 1;
      const problem = this.readLabels(labels);
      if (problem) return problem;
      this.skipBlanks();
    } else if (this.pos === afterName) {
      return this.fail('syntax', 'expected a blank or "{" after the metric name');
    }
    const valueStart = this.pos;
    let value = this.readInteger(false);
    if (value === undefined) {
      this.pos = valueStart;
      const valueToken = this.readToken();
      if (valueToken === '') return this.fail('syntax', 'expected a value');
      value = parseFloatToken(valueToken);
      if (value === undefined) return this.fail('invalid_value', `expected a float value, got ${excerpt(valueToken)}`);
    }
    let timestampMs: number | undefined;
    this.skipBlanks();
    if (this.pos < this.end && (this.peek() !== HASH || !this.openMetrics)) {
      const tsStart = this.pos;
      timestampMs = this.openMetrics ? undefined : this.readInteger(true);
      if (timestampMs !== undefined) {
        this.skipBlanks();
        if (this.pos < this.end) return this.fail('syntax', `unexpected text after the timestamp: ${excerpt(src.slice(this.pos, end))}`);
        return { name, labels, value, timestampMs };
      }
      this.pos = tsStart;
      const tsToken = this.readToken();
      timestampMs = this.openMetrics ? parseSecondsToken(tsToken) : parseMillisecondsToken(tsToken);
      if (timestampMs === undefined) {
        const unit = this.openMetrics ? 'a decimal number of seconds' : 'an integer number of milliseconds';
        return this.fail('invalid_timestamp', `expected a timestamp as ${unit}, got ${excerpt(tsToken)}`);
      }
      this.skipBlanks();
    }
    if (this.peek() === HASH && this.openMetrics) {
      const problem = this.skipExemplar();
      if (problem) return problem;
    }
    if (this.pos < this.end) return this.fail('syntax', `unexpected text after the value: ${excerpt(src.slice(this.pos, end))}`);
    return { name, labels, value, timestampMs };
  }

  /**
   * Parses `# KEYWORD name [rest]` when the line is metadata; returns undefined for a plain
   * comment. `start` points at the `#`.
   */
  parseMetadata(src: string, start: number, end: number): MetadataLine | LineError | undefined {
    this.src = src;
    this.pos = start + 1;
    this.end = end;
    const afterHash = this.pos;
    this.skipBlanks();
    if (this.pos === afterHash) return undefined;
    const keywordStart = this.pos;
    while (this.pos < this.end && !isBlank(this.src.charCodeAt(this.pos))) this.pos += 1;
    const keyword = src.slice(keywordStart, this.pos);
    if (keyword !== 'HELP' && keyword !== 'TYPE' && !(keyword === 'UNIT' && this.openMetrics)) return undefined;
    this.skipBlanks();
    const name = this.readName(isMetricNameChar);
    if (name === '') return this.fail('invalid_metadata', `expected a metric name after # ${keyword}`);
    if (this.pos < this.end && !isBlank(this.peek())) {
      return this.fail('invalid_metadata', `invalid metric name in # ${keyword}: ${excerpt(src.slice(start, end))}`);
    }
    this.skipBlanks();
    return { keyword, name, rest: src.slice(this.pos, end) };
  }

  /** The current character code, or -1 at the end of the line (src continues past it). */
  private peek(): number {
    return this.pos < this.end ? this.src.charCodeAt(this.pos) : -1;
  }

  private skipBlanks(): void {
    while (this.pos < this.end && isBlank(this.src.charCodeAt(this.pos))) this.pos += 1;
  }

  private readName(accept: (c: number, first: boolean) => boolean): string {
    const start = this.pos;
    while (this.pos < this.end && accept(this.src.charCodeAt(this.pos), this.pos === start)) this.pos += 1;
    return this.src.slice(start, this.pos);
  }

  /** The metric name, reusing the previous line's string when it is the same. */
  private readMetricName(): string {
    const { src, end } = this;
    const start = this.pos;
    let i = start;
    if (i < end && isMetricNameChar(src.charCodeAt(i), true)) {
      i += 1;
      while (i < end && isMetricNameChar(src.charCodeAt(i), false)) i += 1;
    }
    this.pos = i;
    const previous = this.previousName;
    if (previous.length === i - start && matchesAt(src, start, previous)) return previous;
    const name = src.slice(start, i);
    this.previousName = name;
    return name;
  }

  /**
   * Fast path for the common integer token (bucket counts, counters, ms timestamps): up to 15
   * digits, optionally signed, ending at a blank or the line end. Returns undefined (position
   * unspecified) when the token is anything else, so the caller falls back to the full grammar.
   */
  private readInteger(allowPlus: boolean): number | undefined {
    const { src, end } = this;
    let i = this.pos;
    let negative = false;
    const first = src.charCodeAt(i);
    if (first === 45 /* - */) {
      negative = true;
      i += 1;
    } else if (first === 43 /* + */ && allowPlus) {
      i += 1;
    }
    const digitsStart = i;
    let n = 0;
    while (i < end) {
      const c = src.charCodeAt(i);
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      i += 1;
    }
    const digits = i - digitsStart;
    if (digits === 0 || digits > MAX_EXACT_DIGITS) return undefined;
    if (i < end && !isBlank(src.charCodeAt(i))) return undefined;
    this.pos = i;
    return negative ? -n : n;
  }

  /** A run of non-blank characters (a value or timestamp). */
  private readToken(): string {
    const start = this.pos;
    while (this.pos < this.end && !isBlank(this.src.charCodeAt(this.pos))) this.pos += 1;
    return this.src.slice(start, this.pos);
  }

  /** A label name; `index` is its position in the label set, for reuse from the previous line. */
  private readLabelName(index: number): string {
    const { src, end } = this;
    const start = this.pos;
    let i = start;
    if (i < end && isLabelNameChar(src.charCodeAt(i), true)) {
      i += 1;
      while (i < end && isLabelNameChar(src.charCodeAt(i), false)) i += 1;
    }
    this.pos = i;
    return this.reuse(this.previousLabelNames, index, start, i);
  }

  /** src[start, end) as a string, reusing cache[index] when equal; stores the result there. */
  private reuse(cache: string[], index: number, start: number, end: number): string {
    const previous = cache[index];
    if (previous !== undefined && previous.length === end - start && matchesAt(this.src, start, previous)) return previous;
    const text = this.src.slice(start, end);
    if (index < MAX_CACHED_LABELS) cache[index] = text;
    return text;
  }

  /**
   * src[start, end) as a string, reusing one of the last RECENT_VALUES distinct values seen at
   * this label position when equal, else slicing and remembering it. The slot of the last hit and
   * the one after it are tried first: a label repeating the previous line hits the same slot, and
   * a histogram's `le` walks the slots in order, so nearly every lookup hits on the first or
   * second comparison.
   */
  private reuseRecent(index: number, start: number, end: number): string {
    if (index >= MAX_CACHED_LABELS) return this.src.slice(start, end);
    let ring = this.recentLabelValues[index];
    if (ring === undefined) {
      ring = [];
      this.recentLabelValues[index] = ring;
      this.recentCursor[index] = 0;
      this.recentHit[index] = 0;
    }
    const length = end - start;
    const hit = this.recentHit[index] ?? 0;
    const size = ring.length;
    for (let k = 0; k < size; k += 1) {
      const slot = (hit + k) % size;
      const candidate = ring[slot];
      if (candidate !== undefined && candidate.length === length && matchesAt(this.src, start, candidate)) {
        this.recentHit[index] = slot;
        return candidate;
      }
    }
    const text = this.src.slice(start, end);
    const cursor = this.recentCursor[index] ?? 0;
    ring[cursor] = text;
    this.recentHit[index] = cursor;
    this.recentCursor[index] = (cursor + 1) % RECENT_VALUES;
    return text;
  }

  /** Reads `name="value", ...}` after the opening brace into `labels`. */
  private readLabels(labels: Record<string, string>): LineError | undefined {
    const { limits } = this;
    let count = 0;
    for (;;) {
      this.skipBlanks();
      if (this.pos >= this.end) return this.fail('syntax', 'unterminated label set');
      if (this.peek() === RBRACE) {
        this.pos += 1;
        return undefined;
      }
      const labelName = this.readLabelName(count);
      if (labelName === '') return this.fail('syntax', `expected a label name, got ${excerpt(this.src.slice(this.pos, this.end))}`);
      if (labelName.length > limits.labelNameLengthLimit) {
        return this.fail('label_name_too_long', `label name longer than ${limits.labelNameLengthLimit} characters`);
      }
      this.skipBlanks();
      if (this.peek() !== EQUALS) return this.fail('syntax', `expected "=" after label name ${excerpt(labelName)}`);
      this.pos += 1;
      this.skipBlanks();
      if (this.peek() !== QUOTE) return this.fail('syntax', `expected a quoted value for label ${excerpt(labelName)}`);
      this.pos += 1;
      const labelValue = this.readQuoted(count);
      if (labelValue === undefined) return this.fail('syntax', `unterminated value of label ${excerpt(labelName)}`);
      if (labelValue.length > limits.labelValueLengthLimit) {
        return this.fail(
          'label_value_too_long',
          `value of label ${excerpt(labelName)} longer than ${limits.labelValueLengthLimit} characters`,
        );
      }
      if (labels[labelName] !== undefined) return this.fail('duplicate_label', `label ${excerpt(labelName)} appears twice`);
      count += 1;
      if (count > limits.labelLimit) return this.fail('too_many_labels', `more than ${limits.labelLimit} labels`);
      labels[labelName] = labelValue;
      this.skipBlanks();
      const c = this.peek();
      if (c === COMMA) {
        this.pos += 1;
      } else if (c !== RBRACE) {
        return this.fail('syntax', `expected "," or "}" after the value of label ${excerpt(labelName)}`);
      }
    }
  }

  /**
   * Reads a quoted label value after its opening quote, applying `\\`, `\"` and `\n`. Other
   * escapes are kept verbatim, as Prometheus' own scrape parser and the Python client do.
   * Returns undefined when the closing quote is missing.
   */
  private readQuoted(index: number): string | undefined {
    const { src, end } = this;
    const start = this.pos;
    let i = start;
    // Fast path: no backslash before the closing quote, so the value is a plain slice.
    while (i < end) {
      const c = src.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return this.reuseRecent(index, start, i);
      }
      if (c === BACKSLASH) break;
      i += 1;
    }
    if (i >= end) return undefined;
    let out = src.slice(start, i);
    while (i < end) {
      const c = src.charCodeAt(i);
      if (c === QUOTE) {
        this.pos = i + 1;
        return out;
      }
      if (c === BACKSLASH) {
        if (i + 1 >= end) return undefined;
        const next = src.charCodeAt(i + 1);
        if (next === BACKSLASH) out += '\\';
        else if (next === QUOTE) out += '"';
        else if (next === 110 /* n */) out += '\n';
        else out += src.slice(i, i + 2);
        i += 2;
      } else {
        const runStart = i;
        while (i < end && src.charCodeAt(i) !== QUOTE && src.charCodeAt(i) !== BACKSLASH) i += 1;
        out += src.slice(runStart, i);
      }
    }
    return undefined;
  }

  /** Validates and skips an OpenMetrics exemplar: `# {labels} value [timestamp]` (ignored). */
  private skipExemplar(): LineError | undefined {
    this.pos += 1; // '#'
    const afterHash = this.pos;
    this.skipBlanks();
    if (this.pos === afterHash || this.peek() !== LBRACE) return this.fail('syntax', 'expected "{" to open an exemplar');
    this.pos += 1;
    const scratch = newLabelSet();
    const problem = this.readLabels(scratch);
    if (problem) return problem;
    this.skipBlanks();
    const value = parseFloatToken(this.readToken());
    if (value === undefined) return this.fail('invalid_value', 'expected a float exemplar value');
    this.skipBlanks();
    if (this.pos < this.end && parseSecondsToken(this.readToken()) === undefined) {
      return this.fail('invalid_timestamp', 'expected an exemplar timestamp in seconds');
    }
    this.skipBlanks();
    return undefined;
  }

  private fail(kind: ParseErrorKind, message: string): LineError {
    return new LineError(kind, message);
  }
}
