// Streaming parser for Prometheus text 0.0.4 and OpenMetrics 1.0: chunks in, metric families out.
import { LineError, LineScanner, excerpt } from './line-scanner.js';
import type { MetadataLine } from './line-scanner.js';
import { DEFAULT_PARSE_LIMITS } from './types.js';
import type { ExpositionFormat, ExpositionSample, MetricFamily, MetricType, ParseError, ParseErrorKind, ParseLimits } from './types.js';

const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;

const TEXT_TYPES: Readonly<Record<string, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  summary: 'summary',
  untyped: 'unknown',
};
const OPENMETRICS_TYPES: Readonly<Record<string, MetricType>> = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
  gaugehistogram: 'gaugehistogram',
  summary: 'summary',
  info: 'info',
  stateset: 'stateset',
  unknown: 'unknown',
};

/**
 * Sample-name suffixes that belong to a family of each type. 0.0.4 follows the Python client
 * and Go's text parser; OpenMetrics follows its spec (§ "Metric types").
 */
const TEXT_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: [''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count'],
  gaugehistogram: [''],
  summary: ['', '_sum', '_count'],
  info: [''],
  stateset: [''],
  unknown: [''],
};
const OPENMETRICS_SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ['_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['', '_sum', '_count', '_created'],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
};

/** The family being filled. Mutable only inside the parser; emitted frozen-by-convention. */
interface OpenFamily {
  name: string;
  type: MetricType;
  help: string;
  unit: string;
  samples: ExpositionSample[];
  hasType: boolean;
  hasHelp: boolean;
  hasUnit: boolean;
  /** Opened by a sample without metadata: later metadata of that name opens a new family. */
  implicit: boolean;
}

/** Unescapes HELP text: `\\` and `\n` in 0.0.4, plus `\"` in OpenMetrics; other escapes kept. */
function unescapeHelp(raw: string, openMetrics: boolean): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[i + 1];
      if (next === '\\') out += '\\';
      else if (next === 'n') out += '\n';
      else if (next === '"' && openMetrics) out += '"';
      else out += `\\${next ?? ''}`;
      i += 1;
    } else {
      out += c ?? '';
    }
  }
  return out;
}

export interface ExpositionParserOptions {
  readonly format: ExpositionFormat;
  readonly limits?: Partial<ParseLimits>;
  /** Receives each family when it is complete (the next family starts or the page ends). */
  readonly onFamily: (family: MetricFamily) => void;
}

/**
 * Incremental parser. Feed text with `write(chunk)` in any split, then call `end()`. Memory is
 * bounded by one line plus one family; time is linear in the input. Stops at the first error and
 * reports it as a value: nothing here throws on any input.
 */
export class ExpositionParser {
  private readonly limits: ParseLimits;
  private readonly openMetrics: boolean;
  private readonly scanner: LineScanner;
  private readonly onFamily: (family: MetricFamily) => void;
  private readonly types: Readonly<Record<string, MetricType>>;
  private readonly suffixes: Readonly<Record<MetricType, readonly string[]>>;
  private carry = '';
  private lineNumber = 0;
  private pageLength = 0;
  private sampleCount = 0;
  private family: OpenFamily | undefined;
  /** Last sample name accepted into the current family. */
  private lastMemberName = '';
  private sawEof = false;
  private error: ParseError | undefined;

  constructor(options: ExpositionParserOptions) {
    this.limits = { ...DEFAULT_PARSE_LIMITS, ...options.limits };
    this.openMetrics = options.format === 'openmetrics';
    this.scanner = new LineScanner(this.limits, this.openMetrics);
    this.onFamily = options.onFamily;
    this.types = this.openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES;
    this.suffixes = this.openMetrics ? OPENMETRICS_SUFFIXES : TEXT_SUFFIXES;
  }

  /** Samples accepted so far. */
  get samples(): number {
    return this.sampleCount;
  }

  /** Feeds the next chunk. Returns the error once the page is known to be bad, else undefined. */
  write(chunk: string): ParseError | undefined {
    if (this.error) return this.error;
    this.pageLength += chunk.length;
    if (this.pageLength > this.limits.maxPageLength) {
      return this.failPage('page_too_large', `page longer than ${this.limits.maxPageLength} characters`);
    }
    let text = chunk;
    let pos = 0;
    if (this.carry !== '') {
      // Only the unfinished tail of the previous chunk is copied, never the whole page.
      const firstNewline = chunk.indexOf('\n');
      if (firstNewline < 0) {
        this.carry += chunk;
        return this.checkCarry();
      }
      text = this.carry + chunk.slice(0, firstNewline + 1);
      this.carry = '';
      this.processLines(text, 0);
      if (this.error) return this.error;
      text = chunk;
      pos = firstNewline + 1;
    }
    const tail = this.processLines(text, pos);
    if (this.error) return this.error;
    this.carry = tail < text.length ? text.slice(tail) : '';
    return this.checkCarry();
  }

  /** Ends the page: flushes the last line and family. Returns the first error, or undefined. */
  end(): ParseError | undefined {
    if (this.error) return this.error;
    if (this.carry !== '') {
      const last = this.carry;
      this.carry = '';
      this.handleLine(last, 0, last.length);
      if (this.error) return this.error;
    }
    if (this.openMetrics && !this.sawEof) return this.failPage('missing_eof', 'OpenMetrics page does not end with "# EOF"');
    this.closeFamily();
    return undefined;
  }

  /** Handles every complete line of text from pos; returns where the unfinished tail starts. */
  private processLines(text: string, from: number): number {
    let pos = from;
    while (pos < text.length) {
      const newline = text.indexOf('\n', pos);
      if (newline < 0) return pos;
      this.handleLine(text, pos, newline);
      if (this.error) return pos;
      pos = newline + 1;
    }
    return pos;
  }

  private checkCarry(): ParseError | undefined {
    if (this.carry.length > this.limits.maxLineLength + 1) {
      this.lineNumber += 1;
      this.fail('line_too_long', `line longer than ${this.limits.maxLineLength} characters`);
    }
    return this.error;
  }

  /** One line: text[start, end) without its newline. */
  private handleLine(text: string, start: number, lineEnd: number): void {
    this.lineNumber += 1;
    let end = lineEnd;
    // A CR before the newline is tolerated (pages served from Windows tools).
    if (end > start && text.charCodeAt(end - 1) === CR) end -= 1;
    if (end - start > this.limits.maxLineLength) {
      this.fail('line_too_long', `line longer than ${this.limits.maxLineLength} characters`);
      return;
    }
    if (this.sawEof) {
      this.fail('content_after_eof', 'content after "# EOF"');
      return;
    }
    let first = start;
    while (first < end && (text.charCodeAt(first) === SPACE || text.charCodeAt(first) === TAB)) first += 1;
    if (first === end) {
      if (this.openMetrics) this.fail('syntax', 'blank line (not allowed in OpenMetrics)');
      return;
    }
    if (text.charCodeAt(first) === HASH) {
      this.handleComment(text, first, end);
      return;
    }
    const sample = this.scanner.parseSample(text, first, end);
    if (sample instanceof LineError) {
      this.fail(sample.kind, sample.message);
      return;
    }
    this.sampleCount += 1;
    if (this.sampleCount > this.limits.sampleLimit) {
      this.fail('too_many_samples', `more than ${this.limits.sampleLimit} samples`);
      return;
    }
    this.addSample(sample);
  }

  private handleComment(text: string, start: number, end: number): void {
    if (this.openMetrics && end - start === 5 && text.startsWith('# EOF', start)) {
      this.sawEof = true;
      return;
    }
    const meta = this.scanner.parseMetadata(text, start, end);
    if (meta instanceof LineError) {
      this.fail(meta.kind, meta.message);
      return;
    }
    if (meta === undefined) {
      // OpenMetrics has no free comments; 0.0.4 ignores them.
      if (this.openMetrics) this.fail('syntax', `unexpected comment line ${excerpt(text.slice(start, end))}`);
      return;
    }
    this.applyMetadata(meta);
  }

  private applyMetadata(meta: MetadataLine): void {
    // A TYPE can change which sample names belong to the family.
    this.lastMemberName = '';
    let family = this.family;
    if (!family || family.name !== meta.name || family.implicit) {
      this.closeFamily();
      family = this.openFamily(meta.name, false);
    } else if (this.openMetrics && family.samples.length > 0) {
      this.fail('invalid_metadata', `# ${meta.keyword} for ${excerpt(meta.name)} after its samples`);
      return;
    }
    switch (meta.keyword) {
      case 'HELP':
        if (family.hasHelp) return this.fail('invalid_metadata', `second # HELP for ${excerpt(meta.name)}`);
        family.hasHelp = true;
        family.help = unescapeHelp(meta.rest, this.openMetrics);
        return;
      case 'TYPE': {
        if (family.hasType) return this.fail('invalid_metadata', `second # TYPE for ${excerpt(meta.name)}`);
        const type = Object.hasOwn(this.types, meta.rest) ? this.types[meta.rest] : undefined;
        if (type === undefined) return this.fail('invalid_metadata', `unknown metric type ${excerpt(meta.rest)} for ${excerpt(meta.name)}`);
        family.hasType = true;
        family.type = type;
        return;
      }
      case 'UNIT':
        if (family.hasUnit) return this.fail('invalid_metadata', `second # UNIT for ${excerpt(meta.name)}`);
        family.hasUnit = true;
        family.unit = meta.rest;
        return;
    }
  }

  private addSample(sample: ExpositionSample): void {
    let family = this.family;
    if (!family || !this.belongs(family, sample.name)) {
      this.closeFamily();
      family = this.openFamily(sample.name, true);
      this.lastMemberName = sample.name;
    }
    family.samples.push(sample);
  }

  private belongs(family: OpenFamily, sampleName: string): boolean {
    // The scanner hands out the same string object for a repeated name: identity is the fast path.
    if (sampleName === this.lastMemberName) return true;
    if (!sampleName.startsWith(family.name)) return false;
    const suffix = sampleName.length === family.name.length ? '' : sampleName.slice(family.name.length);
    if (!this.suffixes[family.type].includes(suffix)) return false;
    this.lastMemberName = sampleName;
    return true;
  }

  private openFamily(name: string, implicit: boolean): OpenFamily {
    this.lastMemberName = '';
    const family: OpenFamily = {
      name,
      type: 'unknown',
      help: '',
      unit: '',
      samples: [],
      hasType: false,
      hasHelp: false,
      hasUnit: false,
      implicit,
    };
    this.family = family;
    return family;
  }

  private closeFamily(): void {
    const family = this.family;
    if (!family) return;
    this.family = undefined;
    this.onFamily({ name: family.name, type: family.type, help: family.help, unit: family.unit, samples: family.samples });
  }

  private fail(kind: ParseErrorKind, message: string): void {
    this.error = { kind, line: this.lineNumber, message };
  }

  private failPage(kind: ParseErrorKind, message: string): ParseError {
    this.error = { kind, line: 0, message };
    return this.error;
  }
}
