// The exporter's own process_* and nodejs_* families on /metrics: as catalogued, promtool-clean, in both formats.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_METRICS } from '../../src/model/metric-catalogue.js';
import { Registry } from '../../src/runtime/prom.js';
import { registerProcessMetrics } from '../../src/exposition/process-metrics.js';
import { findBinary, promtoolCheckMetrics } from '../support/promtool.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

const promtool = findBinary('promtool');

/** `# TYPE name type` lines of a page whose family is a process or runtime one. */
function processFamilies(page: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of page.matchAll(/^# TYPE ((?:process|nodejs)_\S+) (\S+)$/gm)) types.set(match[1] ?? '', match[2] ?? '');
  return types;
}

/** Gives the event-loop delay histogram a few resolution ticks of real time to record something. */
function letTheLoopTurn(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('process and runtime metrics', () => {
  let exporter: TestExporter;
  beforeAll(async () => {
    exporter = await startTestExporter();
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('exposes exactly the catalogued process_* and nodejs_* families, with their types', async () => {
    const page = await exporter.metricsText();
    const expected = new Map(PROCESS_METRICS.map((m) => [m.name, m.type]));
    expect(Object.fromEntries(processFamilies(page))).toEqual(Object.fromEntries(expected));
  });

  it('passes promtool check metrics with the default metrics on, even on the first scrape', async () => {
    if (!promtool) return;
    // A fresh registry scraped at once: the event-loop histogram is still empty.
    const fresh = new Registry();
    registerProcessMetrics(fresh);
    const first = await fresh.metrics();
    expect(first).not.toMatch(/ nan$/im);
    expect(promtoolCheckMetrics(promtool, first)).toEqual({ status: 0, output: '' });
    const page = await exporter.metricsText();
    expect(promtoolCheckMetrics(promtool, page)).toEqual({ status: 0, output: '' });
  });

  it('reports event-loop lag percentiles and CPU time once the loop has run', async () => {
    await exporter.metricsText();
    await letTheLoopTurn(100);
    const page = await exporter.metricsText();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(page)?.[1]);
    const p99 = value('nodejs_eventloop_lag_p99_seconds');
    const p50 = value('nodejs_eventloop_lag_p50_seconds');
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeGreaterThanOrEqual(p50);
    // Below a minute: the histogram's empty sentinel (about 292 years) is never shown.
    expect(value('nodejs_eventloop_lag_min_seconds')).toBeLessThan(60);
    expect(value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(1e6);
  });

  it('keeps them in the OpenMetrics page, counters under their base name', async () => {
    // The GC histogram has buckets only once a collection was observed: make garbage (young-generation
    // scavenges follow within a few MB), then give the performance observer a turn to report it.
    let sink = 0;
    for (let i = 0; i < 200; i++) sink += new Array<number>(50_000).fill(i).length;
    expect(sink).toBe(200 * 50_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const om = await exporter.metricsText('application/openmetrics-text; version=1.0.0');
    expect(om).toContain('# TYPE process_cpu_seconds counter\n');
    expect(om).toMatch(/^process_cpu_seconds_total \S+$/m);
    expect(om).toMatch(/^nodejs_gc_duration_seconds_bucket\{/m);
    const python = findBinary('/usr/bin/python3');
    if (!python) return;
    const parsed = spawnSync(
      python,
      [
        '-c',
        'import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as p\nprint("\\n".join(f.name for f in p(sys.stdin.read())))',
      ],
      { input: om, encoding: 'utf8' },
    );
    expect(parsed.stderr).toBe('');
    const names = parsed.stdout.trim().split('\n');
    expect(names).toEqual(
      expect.arrayContaining(['process_cpu_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds']),
    );
  });
});
