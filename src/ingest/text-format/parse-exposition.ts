// One-shot parsing of a whole exposition page into metric families (wraps the streaming parser).
import { ExpositionParser } from './exposition-parser.js';
import type { ExpositionFormat, MetricFamily, ParseLimits, ParseResult } from './types.js';

export interface ParseOptions {
  /** Defaults to `text` (Prometheus 0.0.4). */
  readonly format?: ExpositionFormat;
  readonly limits?: Partial<ParseLimits>;
}

/**
 * Parses a complete page. Never throws: a bad page gives `{ ok: false, error }` naming the line
 * and the rule, as Prometheus rejects a whole scrape on the first bad line.
 */
export function parseExposition(text: string, options: ParseOptions = {}): ParseResult {
  const families: MetricFamily[] = [];
  const parser = new ExpositionParser({
    format: options.format ?? 'text',
    ...(options.limits ? { limits: options.limits } : {}),
    onFamily: (family) => families.push(family),
  });
  const error = parser.write(text) ?? parser.end();
  if (error) return { ok: false, error };
  return { ok: true, families, sampleCount: parser.samples };
}
