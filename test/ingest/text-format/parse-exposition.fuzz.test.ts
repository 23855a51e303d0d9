import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpositionParser } from '../../../src/ingest/text-format/exposition-parser.js';
import { parseExposition } from '../../../src/ingest/text-format/parse-exposition.js';
import type { ExpositionFormat, MetricFamily, ParseResult } from '../../../src/ingest/text-format/types.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/exposition');
const nodePage = readFileSync(join(fixtures, 'node-like.prom'), 'utf8');
const omPage = readFileSync(join(fixtures, 'prom-client.openmetrics'), 'utf8');

/**
 * Per-input bound on CPU time (not wall time: the machine is shared, and a test must not fail
 * because another process ran). Inputs are ≤ ~20k characters and parsing is linear, so a normal
 * parse takes well under a millisecond; a quadratic path would take seconds.
 */
const PER_INPUT_CPU_MS = 250;

function timedParse(text: string, format: ExpositionFormat): ParseResult {
  const started = process.cpuUsage();
  const result = parseExposition(text, { format });
  const used = process.cpuUsage(started);
  const elapsedMs = (used.user + used.system) / 1000;
  if (elapsedMs > PER_INPUT_CPU_MS) throw new Error(`parsing ${text.length} characters took ${elapsedMs.toFixed(1)} ms of CPU`);
  return result;
}

const formatArb = fc.constantFrom<ExpositionFormat>('text', 'openmetrics');

// Characters that matter to the grammar, weighted so the fuzzer hits the interesting paths.
const grammarChar = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '{',
      '}',
      '"',
      '\\',
      '=',
      ',',
      ' ',
      '\t',
      '\n',
      '\r',
      '#',
      'a',
      '_',
      ':',
      '0',
      '1',
      '.',
      'e',
      '+',
      '-',
      'I',
      'n',
      'N',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
);
const grammarString = fc.array(grammarChar, { maxLength: 400 }).map((chars) => chars.join(''));

/** A valid page built from a random family, rendered in the text format. */
const labelValue = fc.string({ unit: 'binary', maxLength: 20 });
const sampleArb = fc.record({
  labels: fc.dictionary(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/), labelValue, { maxKeys: 5 }),
  value: fc.double(),
  timestampMs: fc.option(fc.integer({ min: -1e13, max: 1e13 }), { nil: undefined }),
});
const familyArb = fc.record({
  name: fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,15}$/),
  help: fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/[\n\r]/g, ' ').trim()),
  samples: fc.array(sampleArb, { minLength: 1, maxLength: 8 }),
});

function renderValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Object.is(v, -0) ? '-0' : String(v);
}
function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

describe('parser fuzzing (fast-check)', () => {
  it('never throws and stays within the time bound on grammar-shaped noise', () => {
    fc.assert(
      fc.property(grammarString, formatArb, (text, format) => {
        const result = timedParse(text, format);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on arbitrary unicode input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 2000 }), formatArb, (text, format) => {
        timedParse(text, format);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on real pages with random splices', () => {
    fc.assert(
      fc.property(fc.nat(nodePage.length), fc.nat(200), grammarString, fc.boolean(), (at, cut, insert, om) => {
        const base = om ? omPage : nodePage;
        const mutated = base.slice(0, at) + insert + base.slice(Math.min(base.length, at + cut));
        timedParse(mutated, om ? 'openmetrics' : 'text');
      }),
      { numRuns: 500 },
    );
  });

  it('stays linear on pathological lines', () => {
    const cases = [
      `m{a="${'\\'.repeat(19_999)}`,
      `m{${'a="b",'.repeat(3000)}} 1`,
      `${'{'.repeat(20_000)}`,
      `m ${'9'.repeat(20_000)}`,
      `# HELP m ${'\\n'.repeat(10_000)}`,
      `${'m 1\n'.repeat(5000)}`,
    ];
    for (const text of cases) for (const format of ['text', 'openmetrics'] as const) timedParse(text, format);
  });

  it('reads back exactly what a valid page says (round trip)', () => {
    fc.assert(
      fc.property(familyArb, (family) => {
        const lines = [`# HELP ${family.name} ${family.help.replace(/\\/g, '\\\\')}`, `# TYPE ${family.name} gauge`];
        for (const s of family.samples) {
          const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
          lines.push(
            `${family.name}{${labels.join(',')}} ${renderValue(s.value)}${s.timestampMs === undefined ? '' : ` ${s.timestampMs}`}`,
          );
        }
        const result = timedParse(`${lines.join('\n')}\n`, 'text');
        if (!result.ok) throw new Error(JSON.stringify(result.error));
        expect(result.families).toHaveLength(1);
        const parsed = result.families[0]!;
        expect(parsed.help).toBe(family.help);
        expect(parsed.samples.map((s) => ({ labels: { ...s.labels }, value: s.value, timestampMs: s.timestampMs }))).toEqual(
          family.samples.map((s) => ({ labels: { ...s.labels }, value: s.value, timestampMs: s.timestampMs })),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same result for any chunking of the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(grammarString, fc.constant(nodePage)),
        fc.array(fc.nat(), { maxLength: 20 }),
        formatArb,
        (text, cuts, format) => {
          const whole = parseExposition(text, { format });
          const got: MetricFamily[] = [];
          const parser = new ExpositionParser({ format, onFamily: (f) => got.push(f) });
          const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          let last = 0;
          let error;
          for (const p of [...points, text.length]) {
            error = parser.write(text.slice(last, p)) ?? error;
            last = p;
          }
          error = parser.end() ?? error;
          if (whole.ok) {
            expect(error).toBeUndefined();
            expect(got).toEqual(whole.families);
          } else {
            expect(error).toEqual(whole.error);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
