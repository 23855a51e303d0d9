import { describe, expect, it } from 'vitest';
import { ExpositionParser } from '../../../src/ingest/text-format/exposition-parser.js';
import { parseExposition } from '../../../src/ingest/text-format/parse-exposition.js';
import type { MetricFamily, ParseErrorKind, ParseResult } from '../../../src/ingest/text-format/types.js';

function families(result: ParseResult): readonly MetricFamily[] {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.error)}`);
  return result.families;
}

function only(result: ParseResult): MetricFamily {
  const list = families(result);
  expect(list).toHaveLength(1);
  return list[0]!;
}

// The example page of the Prometheus exposition format documentation (text format 0.0.4).
const DOCS_EXAMPLE = String.raw`# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

# Minimalistic line:
metric_without_timestamp_and_labels 12.47

# A weird metric from before the epoch:
something_weird{problem="division by zero"} +Inf -3982045

# A histogram, which has a pretty complex representation in the text format:
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="0.1"} 33444
http_request_duration_seconds_bucket{le="0.2"} 100392
http_request_duration_seconds_bucket{le="0.5"} 129389
http_request_duration_seconds_bucket{le="1"} 133988
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320

# Finally a summary, which has a complex representation, too:
# HELP rpc_duration_seconds A summary of the RPC duration in seconds.
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.01"} 3102
rpc_duration_seconds{quantile="0.05"} 3272
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds{quantile="0.9"} 9001
rpc_duration_seconds{quantile="0.99"} 76656
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
`;

describe('parseExposition on the documented text-format example', () => {
  const result = families(parseExposition(DOCS_EXAMPLE));

  it('groups samples into families with their type and help', () => {
    expect(result.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['http_requests_total', 'counter', 2],
      ['msdos_file_access_time_seconds', 'unknown', 1],
      ['metric_without_timestamp_and_labels', 'unknown', 1],
      ['something_weird', 'unknown', 1],
      ['http_request_duration_seconds', 'histogram', 8],
      ['rpc_duration_seconds', 'summary', 7],
    ]);
    expect(result[0]!.help).toBe('The total number of HTTP requests.');
  });

  it('reads labels, values and millisecond timestamps', () => {
    expect(result[0]!.samples[1]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '400' },
      value: 3,
      timestampMs: 1395066363000,
    });
    expect(result[3]!.samples[0]).toMatchObject({ value: Infinity, timestampMs: -3982045 });
  });

  it('unescapes backslash, quote and newline in label values', () => {
    expect(result[1]!.samples[0]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
  });

  it('keeps histogram buckets with their le label and the summary quantiles', () => {
    const histogram = result[4]!;
    expect(histogram.samples.map((s) => s.name)).toEqual([
      ...Array<string>(6).fill('http_request_duration_seconds_bucket'),
      'http_request_duration_seconds_sum',
      'http_request_duration_seconds_count',
    ]);
    expect(histogram.samples[5]!.labels).toEqual({ le: '+Inf' });
    expect(result[5]!.samples[4]).toMatchObject({ labels: { quantile: '0.99' }, value: 76656 });
    expect(result[5]!.samples[5]!.value).toBe(1.7560473e7);
  });
});

describe('parseExposition details', () => {
  it.each([
    ['NaN', NaN],
    ['Nan', NaN],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['inf', Infinity],
    ['-infinity', -Infinity],
    ['1e3', 1000],
    ['-0.5', -0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['1E-3', 0.001],
    ['1e-400', 0],
  ])('reads the value %s', (token, expected) => {
    expect(only(parseExposition(`m ${token}\n`)).samples[0]!.value).toBe(expected);
  });

  it('keeps histogram and summary labels next to le and quantile', () => {
    const page = [
      '# TYPE latency_seconds histogram',
      'latency_seconds_bucket{agent="a",tool="search",le="0.5"} 3',
      'latency_seconds_bucket{agent="a",tool="search",le="+Inf"} 4',
      'latency_seconds_sum{agent="a",tool="search"} 1.5',
      'latency_seconds_count{agent="a",tool="search"} 4',
      '# TYPE tokens summary',
      'tokens{agent="a",quantile="0.9"} 120',
      'tokens_sum{agent="a"} 900',
      'tokens_count{agent="a"} 10',
      '',
    ].join('\n');
    const [histogram, summary] = families(parseExposition(page));
    expect(histogram!.samples[1]!.labels).toEqual({ agent: 'a', tool: 'search', le: '+Inf' });
    expect(histogram!.samples[2]!.labels).toEqual({ agent: 'a', tool: 'search' });
    expect(summary!.samples.map((s) => [s.name, s.labels])).toEqual([
      ['tokens', { agent: 'a', quantile: '0.9' }],
      ['tokens_sum', { agent: 'a' }],
      ['tokens_count', { agent: 'a' }],
    ]);
  });

  it('unescapes \\\\ and \\n in HELP but keeps other escapes verbatim', () => {
    expect(only(parseExposition('# HELP m a\\\\b\\nc \\"q\\" \\t\nm 1\n')).help).toBe('a\\b\nc \\"q\\" \\t');
  });

  it('keeps unknown escapes in label values verbatim, as Prometheus does', () => {
    expect(only(parseExposition('m{a="x\\ty"} 1\n')).samples[0]!.labels).toEqual({ a: 'x\\ty' });
  });

  it('accepts blanks around label tokens, a trailing comma, empty braces, tabs and CRLF', () => {
    const page = 'm { a = "1" , b="2", } 1\r\nm{} 2\r\nm\t3\t1700000000000\r\n';
    expect(only(parseExposition(page)).samples.map((s) => [s.labels, s.value, s.timestampMs])).toEqual([
      [{ a: '1', b: '2' }, 1, undefined],
      [{}, 2, undefined],
      [{}, 3, 1700000000000],
    ]);
  });

  it('treats a label named __proto__ as a plain label', () => {
    const sample = only(parseExposition('m{__proto__="x",constructor="y"} 1\n')).samples[0]!;
    expect(Object.keys(sample.labels)).toEqual(['__proto__', 'constructor']);
    expect(sample.labels['__proto__']).toBe('x');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('ignores free comments and # EOF in the text format', () => {
    expect(families(parseExposition('# just a comment\n#HELP not metadata\nm 1\n# EOF\n'))).toHaveLength(1);
  });

  it('parses a page without a final newline', () => {
    expect(only(parseExposition('m 1')).samples[0]!.value).toBe(1);
  });

  it('starts an unknown family for a sample that does not belong to the current family', () => {
    const result = families(parseExposition('# TYPE a gauge\na 1\nb 2\nb 3\n'));
    expect(result.map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['a', 'gauge', 1],
      ['b', 'unknown', 2],
    ]);
  });

  it('emits a family declared without samples', () => {
    expect(families(parseExposition('# HELP a nothing yet\n# TYPE a counter\n')).map((f) => [f.name, f.type, f.samples.length])).toEqual([
      ['a', 'counter', 0],
    ]);
  });
});

describe('parseExposition with OpenMetrics', () => {
  const page = [
    '# TYPE acme_http_router_request_seconds summary',
    '# UNIT acme_http_router_request_seconds seconds',
    '# HELP acme_http_router_request_seconds Latency though all of ACME\'s "HTTP" request router.',
    'acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32',
    'acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0',
    'acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0',
    '# TYPE foo histogram',
    'foo_bucket{le="0.01"} 0',
    'foo_bucket{le="0.1"} 8 # {} 0.054',
    'foo_bucket{le="1"} 11 # {trace_id="KOO5S4vxi0o"} 0.67',
    'foo_bucket{le="10"} 17 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789',
    'foo_bucket{le="+Inf"} 17',
    'foo_count 17',
    'foo_sum 324789.3',
    'foo_created 1520430000.123',
    '# TYPE requests counter',
    '# HELP requests Requests with a \\"quoted\\" help.',
    'requests_total{code="200"} 10 1520879607.789',
    'requests_created{code="200"} 1520430000.123',
    '# EOF',
    '',
  ].join('\n');
  const result = families(parseExposition(page, { format: 'openmetrics' }));

  it('reads UNIT, HELP with \\" and the _created samples', () => {
    expect(result[0]).toMatchObject({ name: 'acme_http_router_request_seconds', type: 'summary', unit: 'seconds' });
    expect(result[0]!.help).toBe('Latency though all of ACME\'s "HTTP" request router.');
    expect(result[0]!.samples.map((s) => s.name)).toContain('acme_http_router_request_seconds_created');
    expect(result[2]!.help).toBe('Requests with a "quoted" help.');
  });

  it('ignores exemplars after bucket values', () => {
    expect(result[1]!.samples.slice(0, 5).map((s) => s.value)).toEqual([0, 8, 11, 17, 17]);
  });

  it('reads timestamps as seconds and reports them in milliseconds', () => {
    expect(result[2]!.samples[0]).toEqual({ name: 'requests_total', labels: { code: '200' }, value: 10, timestampMs: 1520879607789 });
  });

  it.each<[string, string, ParseErrorKind]>([
    ['a page without # EOF', 'm 1\n', 'missing_eof'],
    ['content after # EOF', 'm 1\n# EOF\nm 2\n', 'content_after_eof'],
    ['a blank line', 'm 1\n\nm 2\n# EOF\n', 'syntax'],
    ['a free comment', '# hello\n# EOF\n', 'syntax'],
    ['metadata after samples', '# TYPE m gauge\nm 1\n# HELP m late\n# EOF\n', 'invalid_metadata'],
    ['the 0.0.4 type untyped', '# TYPE m untyped\n# EOF\n', 'invalid_metadata'],
    ['an integer-millisecond timestamp that overflows as seconds', 'm 1 1e400\n# EOF\n', 'invalid_timestamp'],
    ['a malformed exemplar', 'foo_bucket{le="1"} 1 # trace\n# EOF\n', 'syntax'],
  ])('rejects %s', (_name, text, kind) => {
    const bad = parseExposition(text, { format: 'openmetrics' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.kind).toBe(kind);
  });
});

describe('parseExposition errors and limits', () => {
  it.each<[string, string, ParseErrorKind, number]>([
    ['a value that is not a float', 'm 1\nm abc\n', 'invalid_value', 2],
    ['a hex float', 'm 0x10\n', 'invalid_value', 1],
    ['an underscore in a number', 'm 1_000\n', 'invalid_value', 1],
    ['a value out of float range', 'm 1e400\n', 'invalid_value', 1],
    ['a missing value', 'm\n', 'syntax', 1],
    ['a fractional timestamp', 'm 1 1.5\n', 'invalid_timestamp', 1],
    ['text after the timestamp', 'm 1 2 3\n', 'syntax', 1],
    ['an unterminated label value', 'm{a="x} 1\n', 'syntax', 1],
    ['an unterminated label set', 'm{a="x" 1\n', 'syntax', 1],
    ['a label without quotes', 'm{a=x} 1\n', 'syntax', 1],
    ['a bad label name', 'm{1a="x"} 1\n', 'syntax', 1],
    ['a duplicate label', 'm{a="x",a="y"} 1\n', 'duplicate_label', 1],
    ['a line starting with a digit', '1m 1\n', 'syntax', 1],
    ['an unknown TYPE', '# TYPE m gaugeish\n', 'invalid_metadata', 1],
    ['TYPE without a name', '# TYPE\n', 'invalid_metadata', 1],
    ['a second TYPE for a family', '# TYPE m gauge\n# TYPE m counter\n', 'invalid_metadata', 2],
    ['an exemplar in the text format', 'm 1 # {a="b"} 1\n', 'invalid_timestamp', 1],
  ])('rejects %s with a typed error on its line', (_name, text, kind, line) => {
    const result = parseExposition(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.kind).toBe(kind);
      expect(result.error.line).toBe(line);
      expect(result.error.message.length).toBeLessThan(200);
    }
  });

  it.each<[string, string, object, ParseErrorKind]>([
    ['a line longer than maxLineLength', `m{a="${'x'.repeat(200)}"} 1\n`, { maxLineLength: 100 }, 'line_too_long'],
    ['a page longer than maxPageLength', 'm 1\n'.repeat(100), { maxPageLength: 100 }, 'page_too_large'],
    ['more samples than sampleLimit', 'm 1\n'.repeat(11), { sampleLimit: 10 }, 'too_many_samples'],
    ['more labels than labelLimit', 'm{a="1",b="2",c="3"} 1\n', { labelLimit: 2 }, 'too_many_labels'],
    ['a label name longer than its limit', 'm{abcdef="1"} 1\n', { labelNameLengthLimit: 5 }, 'label_name_too_long'],
    ['a label value longer than its limit', 'm{a="123456"} 1\n', { labelValueLengthLimit: 5 }, 'label_value_too_long'],
  ])('rejects %s', (_name, text, limits, kind) => {
    const result = parseExposition(text, { limits });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.kind).toBe(kind);
  });

  it('rejects an endless line while streaming without buffering it whole', () => {
    const parser = new ExpositionParser({ format: 'text', limits: { maxLineLength: 1000 }, onFamily: () => undefined });
    let error;
    for (let i = 0; i < 100 && !error; i += 1) error = parser.write('x'.repeat(100));
    expect(error?.kind).toBe('line_too_long');
  });
});

describe('ExpositionParser streaming', () => {
  it('gives the same families whatever the chunk boundaries', () => {
    const whole = families(parseExposition(DOCS_EXAMPLE));
    for (const size of [1, 2, 3, 7, 64]) {
      const got: MetricFamily[] = [];
      const parser = new ExpositionParser({ format: 'text', onFamily: (f) => got.push(f) });
      for (let i = 0; i < DOCS_EXAMPLE.length; i += size) expect(parser.write(DOCS_EXAMPLE.slice(i, i + size))).toBeUndefined();
      expect(parser.end()).toBeUndefined();
      expect(got).toEqual(whole);
    }
  });

  it('hands out each family as soon as the next one starts', () => {
    const seen: string[] = [];
    const parser = new ExpositionParser({ format: 'text', onFamily: (f) => seen.push(f.name) });
    parser.write('# TYPE a gauge\na 1\n# TYPE b gauge\n');
    expect(seen).toEqual(['a']);
    parser.end();
    expect(seen).toEqual(['a', 'b']);
  });

  it('keeps reporting the first error after it', () => {
    const parser = new ExpositionParser({ format: 'text', onFamily: () => undefined });
    const first = parser.write('m x\n');
    expect(first?.kind).toBe('invalid_value');
    expect(parser.write('m 1\n')).toBe(first);
    expect(parser.end()).toBe(first);
  });
});
