// Runs Debian's python3-prometheus-client parser on a page and returns its samples as comparable rows.
import { spawnSync } from 'node:child_process';
import type { ExpositionFormat, MetricFamily } from '../../../src/ingest/text-format/types.js';

/** Debian's interpreter: the `python3` on PATH may be a pyenv one without prometheus_client. */
export const REFERENCE_PYTHON = '/usr/bin/python3';

/**
 * One sample with its family context: [family, type, help, unit, sample name, sorted labels,
 * value (number, or "NaN"/"+Inf"/"-Inf"), timestamp (see toRows)].
 */
export type Row = [string, string, string, string, string, [string, string][], number | string, number | null];

const SCRIPT = String.raw`
import json, math, sys
fmt = sys.argv[1]
if fmt == 'openmetrics':
    from prometheus_client.openmetrics.parser import text_string_to_metric_families
else:
    from prometheus_client.parser import text_string_to_metric_families
def value(v):
    v = float(v)
    if math.isnan(v): return 'NaN'
    if math.isinf(v): return '+Inf' if v > 0 else '-Inf'
    return v
def ts(t):
    if t is None: return None
    if hasattr(t, 'sec'): return t.sec * 1000 + round(t.nsec / 1e6)
    return t
rows = []
for f in text_string_to_metric_families(sys.stdin.read()):
    for s in f.samples:
        rows.append([f.name, f.type, f.documentation, f.unit, s.name, sorted(s.labels.items()), value(s.value), ts(s.timestamp)])
json.dump(rows, sys.stdout)
`;

/** True when the reference parser can run here. */
export function referenceAvailable(): boolean {
  const probe = spawnSync(REFERENCE_PYTHON, ['-c', 'import prometheus_client'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** Parses with the Python client; throws with its stderr when it rejects the page. */
export function parseWithPython(page: string, format: ExpositionFormat): Row[] {
  const run = spawnSync(REFERENCE_PYTHON, ['-c', SCRIPT, format], {
    input: page,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  if (run.status !== 0) throw new Error(`python parser failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Row[];
}

function encodeValue(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v;
}

/**
 * Our families in the Python client's representation. For 0.0.4 it rewrites counters the way
 * the client does internally (family name without `_total`, sample names given `_total`) and
 * reports timestamps as seconds (ms / 1000); for OpenMetrics timestamps stay in ms. Nothing else
 * is adapted: names, labels, values, types and help must be identical.
 */
export function toRows(families: readonly MetricFamily[], format: ExpositionFormat): Row[] {
  const rows: Row[] = [];
  for (const family of families) {
    let familyName = family.name;
    let renameSamples = false;
    if (format === 'text' && family.type === 'counter') {
      if (familyName.endsWith('_total')) familyName = familyName.slice(0, -6);
      else renameSamples = true;
    }
    for (const s of family.samples) {
      const labels = Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const ts = s.timestampMs === undefined ? null : format === 'text' ? s.timestampMs / 1000 : s.timestampMs;
      rows.push([
        familyName,
        family.type,
        family.help,
        family.unit,
        renameSamples ? `${s.name}_total` : s.name,
        labels,
        encodeValue(s.value),
        ts,
      ]);
    }
  }
  return rows;
}
