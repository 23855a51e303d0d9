import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/runtime/prom.js';
import { parseQueryConfig } from '../../../src/config/query-config.js';
import { QueryReader } from '../../../src/ingest/query/query-reader.js';
import type { Clock } from '../../../src/model/clock.js';
import { CollectingSink } from '../../fakes/collecting-sink.js';
import { type FakeServer, startFakeServer, textPage } from '../scrape/fake-agent-server.js';
import { type RunningPrometheus, prometheusAvailable, startPrometheus } from './prometheus-process.js';

const available = prometheusAvailable();
const mustRun = process.env['CI'] !== undefined && process.env['CI'] !== '';
if (!available) {
  console.warn(
    `\n${'!'.repeat(100)}\nprometheus binary not on PATH: query-mode e2e ${mustRun ? 'FAILS (CI is set)' : 'SKIPPED'}. Install: apt-get install --no-install-recommends prometheus\n${'!'.repeat(100)}\n`,
  );
}

const STEP_MS = 1000;
const BACKFILL_MS = 5000;
/**
 * Queries are evaluated 2 s in the past: a scrape stamped just before "now" may not be committed
 * yet, and the comparison below must see the same data the reader saw.
 */
const LAG_MS = 2000;
const laggingClock: Clock = { now: () => Date.now() - LAG_MS, monotonic: () => performance.now() };

type Row = [string, string, number, number];

/** Independent read of Prometheus (GET, plain JSON) as rows [agent, metric, ms, value]. */
async function fetchRows(base: string, path: string, params: Record<string, string>, metric: string): Promise<Row[]> {
  const response = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`);
  const body = (await response.json()) as {
    data: { result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] };
  };
  return body.data.result.flatMap((r) =>
    (r.values ?? (r.value ? [r.value] : [])).map(([t, v]): Row => [r.metric['agent'] ?? '', metric, Math.round(t * 1000), Number(v)]),
  );
}

const sortRows = (rows: Row[]): Row[] => [...rows].sort((a, b) => (a[0] + a[1]).localeCompare(b[0] + b[1]) || a[2] - b[2]);

describe.skipIf(!available && !mustRun)('QueryReader against a real Prometheus scraping fake agents', () => {
  const agents: FakeServer[] = [];
  let prometheus: RunningPrometheus | undefined;

  beforeAll(async () => {
    for (const [i, name] of ['alpha', 'beta', 'gamma'].entries()) {
      let n = 0;
      agents.push(
        await startFakeServer(
          textPage(() => {
            n += 1;
            return `# TYPE agent_cpu_ratio gauge\nagent_cpu_ratio ${((i + 1) * 0.1 + (n % 5) * 0.01).toFixed(2)}\n# TYPE agent_tasks_total counter\nagent_tasks_total ${n * (i + 1) * 3}\n`;
          }),
        ),
      );
      void name;
    }
    prometheus = await startPrometheus(
      agents.map((a, i) => ({ address: new URL(a.url).host, labels: { agent: ['alpha', 'beta', 'gamma'][i] ?? '', swarm: 'e2e' } })),
    );
    // Prometheus' discovery manager hands targets to the scrapers only after ~5 s: wait for the
    // first samples of every agent, then for enough history for the backfill, the lag and rate().
    const base = prometheus.url;
    for (let i = 0; i < 200; i += 1) {
      const rows = await fetchRows(base, '/api/v1/query', { query: 'agent_cpu_ratio' }, 'cpu_usage').catch(() => []);
      if (rows.length === 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, BACKFILL_MS + LAG_MS + 3000));
  }, 45_000);

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.all(agents.map((a) => a.close()));
  });

  it('delivers exactly what Prometheus returns, then nothing (not zeros) and a flag once it is down', async () => {
    const running = prometheus;
    if (!running) throw new Error('prometheus did not start');
    const queries = { cpu_usage: 'agent_cpu_ratio', throughput: 'sum by (swarm, agent) (rate(agent_tasks_total[3s]))' };
    const parsed = parseQueryConfig({ url: running.url, queries });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const sink = new CollectingSink();
    const registry = new Registry();
    const reader = new QueryReader(
      { config: parsed.config, stepMs: STEP_MS, backfillMs: BACKFILL_MS, windowMs: 60_000, headers: {} },
      { sink, metricsRegistry: registry, clock: laggingClock, logger: pino({ level: 'silent' }) },
    );
    const rows = (): Row[] => sortRows(sink.samples.map((s) => [s.agent, s.metric, s.timestamp, s.value]));
    const expectedRange = async (start: number, end: number): Promise<Row[]> => {
      const all: Row[] = [];
      for (const [metric, expr] of Object.entries(queries))
        all.push(
          ...(await fetchRows(
            running.url,
            '/api/v1/query_range',
            { query: expr, start: String(start / 1000), end: String(end / 1000), step: '1' },
            metric,
          )),
        );
      return sortRows(all);
    };

    // 1. Backfill: the whole window, every agent, both metrics.
    const first = await reader.tick();
    expect(first.failed).toEqual([]);
    const backfilled = rows();
    expect(new Set(backfilled.map((r) => r[0]))).toEqual(new Set(['alpha', 'beta', 'gamma']));
    expect(backfilled.filter((r) => r[0] === 'alpha' && r[1] === 'cpu_usage')).toHaveLength(BACKFILL_MS / STEP_MS + 1);
    expect(backfilled).toEqual(await expectedRange(first.timeMs - BACKFILL_MS, first.timeMs));
    expect(backfilled.every((r) => Number.isFinite(r[3]) && r[3] > 0)).toBe(true);

    // 2. Next steps: instant queries at the aligned times, still identical to Prometheus.
    await new Promise((r) => setTimeout(r, 1100));
    const second = await reader.tick();
    expect(second.failed).toEqual([]);
    expect(rows()).toEqual(await expectedRange(first.timeMs - BACKFILL_MS, second.timeMs));

    // 3. Upstream down: flagged, nothing delivered.
    await running.stop();
    prometheus = undefined;
    const before = sink.samples.length;
    await new Promise((r) => setTimeout(r, 1100));
    const third = await reader.tick();
    expect(third.failed).toEqual(['cpu_usage', 'throughput']);
    expect(sink.samples.length).toBe(before);
    const up = (await registry.getMetricsAsJSON())
      .find((m) => m.name === 'agentswarm_scrape_target_up')
      ?.values.find((v) => v.labels['target'] === parsed.config.url);
    expect(up?.value).toBe(0);
  }, 30_000);
});
