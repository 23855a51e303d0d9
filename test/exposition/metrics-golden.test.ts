// The exporter's own /metrics page against its committed golden file (UPDATE_GOLDEN=1 rewrites it), and promtool's lint of it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenText } from '../support/golden.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { findBinary, promtoolCheckMetrics } from '../support/promtool.js';

const GOLDEN = join(import.meta.dirname, '../fixtures/golden/metrics.prom');
const promtool = findBinary('promtool');

/** The exporter's own process_* and nodejs_* families: their values differ on every run (test/exposition/process-metrics.test.ts checks them). */
function withoutProcessFamilies(page: string): string {
  // Each family line goes, with the empty line prom-client puts after a family's last one.
  return page.replace(/^(# (HELP|TYPE) )?(process|nodejs)_.*\n\n?/gm, '');
}

/** Values that legitimately differ between machines. */
function normalise(page: string): string {
  return withoutProcessFamilies(page)
    .replace(/nodeversion="[^"]*"/, 'nodeversion="NODE"')
    .replace(/revision="[^"]*"/, 'revision="REV"')
    .replace(/version="\d+\.\d+\.\d+[^"]*"/, 'version="VERSION"');
}

describe('/metrics golden page', () => {
  let exporter: TestExporter;
  let page: string;
  beforeAll(async () => {
    exporter = await startTestExporter();
    await exporter.post('/api/v1/agents/alpha/heartbeat', { swarm: 'demo', type: 'planner', variant: 'v1', capacity: 4 });
    await exporter.post('/api/v1/agents/alpha/metrics', {
      swarm: 'demo',
      metrics: {
        cpu_usage: 0.35,
        memory_usage: 0.5,
        response_time: 0.25,
        throughput: 12.5,
        error_rate: 0.01,
        queue_depth: 3,
        active_tasks: 2,
        coordination_load: 0.1,
        tokens_per_task: 812,
      },
    });
    await exporter.post('/api/v1/agents/beta/heartbeat', { swarm: 'demo', type: 'worker', capacity: 8 });
    await exporter.post('/api/v1/agents/beta/metrics', { swarm: 'demo', metrics: { cpu_usage: 0.97, error_rate: 0.3 } });
    await exporter.post('/api/v1/samples', {
      samples: [
        { agent: 'solo', metric: 'throughput', value: 1 },
        { agent: 'solo', metric: 'cpu_usage', value: 'bad' },
      ],
    });
    exporter.clock.advance(1000);
    await exporter.engine.cycle();
    page = await exporter.metricsText();
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('matches the committed golden file (fails when it is missing; UPDATE_GOLDEN=1 rewrites it)', () => {
    const actual = normalise(page);
    expect(actual).toBe(goldenText(GOLDEN, actual));
  });

  it('passes promtool check metrics without a single lint', () => {
    if (!promtool) return;
    const check = promtoolCheckMetrics(promtool, page);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  it('serves OpenMetrics when asked and still passes promtool', async () => {
    const om = await exporter.metricsText('application/openmetrics-text; version=1.0.0');
    expect(om.endsWith('# EOF\n')).toBe(true);
    expect(om).toContain('# TYPE agentswarm_ingest_samples counter');
    expect(om).toContain('agentswarm_ingest_samples_total{source="push",result="accepted"}');
    expect(om).not.toMatch(/\n\n/);
    // promtool lints the 0.0.4 text format only; the OpenMetrics parser of prometheus_client checks this one.
    const python = findBinary('/usr/bin/python3');
    if (python) {
      const parsed = spawnSync(
        python,
        [
          '-c',
          'import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families as p\nprint(sum(1 for _ in p(sys.stdin.read())))',
        ],
        { input: om, encoding: 'utf8' },
      );
      expect(parsed.stderr).toBe('');
      expect(Number(parsed.stdout.trim())).toBeGreaterThan(10);
    }
  });

  it('never exposes NaN, Inf or sample timestamps', () => {
    for (const line of page.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const value = line.slice(line.lastIndexOf(' ') + 1);
      expect(line).toMatch(/^[a-z_:][a-z0-9_:]*(\{[^}]*\})? \S+$/);
      expect(value).toMatch(/^-?[0-9.]+(e[+-]?[0-9]+)?$/);
    }
  });
});
