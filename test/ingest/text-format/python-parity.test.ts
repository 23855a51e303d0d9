import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../../src/ingest/text-format/parse-exposition.js';
import type { ExpositionFormat } from '../../../src/ingest/text-format/types.js';
import { REFERENCE_PYTHON, parseWithPython, referenceAvailable, toRows } from './python-reference.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/exposition');
const available = referenceAvailable();
const mustRun = process.env['CI'] !== undefined && process.env['CI'] !== '';
if (!available) {
  const message = `python3-prometheus-client not usable at ${REFERENCE_PYTHON}: parser parity tests ${mustRun ? 'FAIL (CI is set)' : 'SKIPPED'}. Install it with: apt-get install --no-install-recommends python3-prometheus-client`;
  console.warn(`\n${'!'.repeat(100)}\n${message}\n${'!'.repeat(100)}\n`);
}

// Hand-written pages that stress the corners both parsers must agree on.
const EDGE_PAGES: Record<string, string> = {
  'escapes and blanks': [
    '# HELP esc Help with \\\\ backslash and \\n newline',
    '# TYPE esc gauge',
    'esc{a="x\\\\y",b="q\\"uote",c="new\\nline",d="tab\\tkept"} 1',
    'esc { e = "spaced" , } 2',
    'esc{f=""}\t3\t1700000000123',
    '',
  ].join('\n'),
  'untyped runs and counters without _total': [
    'loose 1',
    'loose 2',
    '# TYPE requests counter',
    'requests{code="200"} 5',
    '# TYPE requests_total counter',
    'requests_total 6',
    '# HELP helped only help',
    'helped 7',
    'stray_after 8',
    '',
  ].join('\n'),
  'special values': [
    'v{k="nan"} NaN',
    'v{k="nan2"} nan',
    'v{k="pinf"} +Inf',
    'v{k="ninf"} -Inf',
    'v{k="exp"} 1.5e-7',
    'v{k="neg"} -0',
    'v{k="ts"} 1 -1000',
    '',
  ].join('\n'),
};

const corpus: [string, ExpositionFormat][] = [
  ['node-like.prom', 'text'],
  ['prom-client.prom', 'text'],
  ['prom-client.openmetrics', 'openmetrics'],
  ['prometheus-2.42.prom', 'text'],
  ['large-histogram.prom', 'text'],
  // The exporter's own /metrics page, kept current by the golden-file test of the exposition.
  ['../golden/metrics.prom', 'text'],
];

describe.skipIf(!available && !mustRun)('parser output identical to python3-prometheus-client', () => {
  it.each(corpus)('on the committed page %s', (file, format) => {
    const page = readFileSync(join(fixtures, file), 'utf8');
    const ours = parseExposition(page, { format });
    if (!ours.ok) throw new Error(`our parser rejected ${file}: ${JSON.stringify(ours.error)}`);
    const rows = toRows(ours.families, format);
    expect(rows.length).toBeGreaterThan(50);
    expect(rows).toEqual(parseWithPython(page, format));
  });

  it.each(Object.entries(EDGE_PAGES))('on the edge page "%s"', (_name, page) => {
    const ours = parseExposition(page);
    if (!ours.ok) throw new Error(JSON.stringify(ours.error));
    expect(toRows(ours.families, 'text')).toEqual(parseWithPython(page, 'text'));
  });
});
