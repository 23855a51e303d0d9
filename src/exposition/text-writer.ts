// Prometheus text exposition helpers: escaping, family headers, sample lines, OpenMetrics conversion.
import type { MetricSpec } from '../model/metric-catalogue.js';

export const TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

/** Label value escaping of the text format: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return /[\\"\n]/.test(value) ? value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : value;
}

/** HELP text escaping: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function familyHeader(spec: MetricSpec): string {
  return `# HELP ${spec.name} ${escapeHelp(spec.help)}\n# TYPE ${spec.name} ${spec.type}\n`;
}

/** `name="value",...` for the given pairs (already validated names). */
export function labelPairs(pairs: readonly (readonly [string, string])[]): string {
  let out = '';
  for (const [name, value] of pairs) out += `${out === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  return out;
}

/**
 * Converts a 0.0.4 page into OpenMetrics 1.0: counter families drop the `_total` suffix in their
 * HELP/TYPE lines (samples keep it), empty lines go, and the page ends with `# EOF`.
 */
export function toOpenMetrics(text: string): string {
  const counters = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+)_total counter$/gm)) {
    if (match[1] !== undefined) counters.add(match[1]);
  }
  const converted = text.replace(/^# (HELP|TYPE) (\S+)_total( .*)$/gm, (line, kind: string, base: string, rest: string) =>
    counters.has(base) ? `# ${kind} ${base}${rest}` : line,
  );
  // OpenMetrics has no empty lines (prom-client separates families with one).
  const lines = converted.split('\n').filter((line) => line !== '');
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}# EOF\n`;
}
