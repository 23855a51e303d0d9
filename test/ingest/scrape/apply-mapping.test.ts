import { describe, expect, it } from 'vitest';
import { MappingState, applyMapping } from '../../../src/ingest/scrape/apply-mapping.js';
import { parseScrapeMapping, type ScrapeMapping } from '../../../src/ingest/scrape/mapping-schema.js';
import { type ScrapeTarget } from '../../../src/ingest/scrape/scrape-target.js';
import { parseExposition } from '../../../src/ingest/text-format/parse-exposition.js';
import type { MetricFamily } from '../../../src/ingest/text-format/types.js';

const T0 = Date.UTC(2026, 0, 1);
const fixed: ScrapeTarget = { url: 'http://a:9000/metrics', swarm: 's1', agent: { fixed: 'agent-a' }, origin: 'config' };
const byLabel: ScrapeTarget = { url: 'http://gw:9000/metrics', swarm: 's2', agent: { label: 'agent' }, origin: 'config' };

function page(text: string): MetricFamily[] {
  const result = parseExposition(text);
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return [...result.families];
}
function mapping(raw: unknown): ScrapeMapping {
  const parsed = parseScrapeMapping(raw);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.mapping;
}
const values = (samples: readonly { agent: string; metric: string; value: number }[]) => samples.map((s) => [s.agent, s.metric, s.value]);

describe('applyMapping', () => {
  it('delivers gauges as scraped, stamped with the scrape time, summed over matching series', () => {
    const m = mapping({
      queue_depth: { metric: 'agent_queue', matchers: ['queue!="dead"'] },
      cpu_usage: { metric: 'cpu_percent', scale: 0.01 },
    });
    const result = applyMapping(
      page('agent_queue{queue="a"} 3\nagent_queue{queue="b"} 4\nagent_queue{queue="dead"} 100\ncpu_percent 42\n'),
      fixed,
      m,
      new MappingState(),
      T0,
    );
    expect(result.samples).toEqual([
      { swarm: 's1', agent: 'agent-a', metric: 'queue_depth', value: 7, timestamp: T0 },
      { swarm: 's1', agent: 'agent-a', metric: 'cpu_usage', value: 0.42, timestamp: T0 },
    ]);
  });

  it('attributes series to agents by agent_label and skips series without it', () => {
    const m = mapping({ active_tasks: { metric: 'tasks_in_progress' } });
    const text =
      'tasks_in_progress{agent="x"} 1\ntasks_in_progress{agent="y"} 2\ntasks_in_progress{agent="y",pool="b"} 3\ntasks_in_progress 99\ntasks_in_progress{agent=""} 98\n';
    const result = applyMapping(page(text), byLabel, m, new MappingState(), T0);
    expect(values(result.samples)).toEqual([
      ['x', 'active_tasks', 1],
      ['y', 'active_tasks', 5],
    ]);
    expect([...result.agents]).toEqual(['x', 'y']);
  });

  it.each([
    ['avg', 2],
    ['min', 1],
    ['max', 3],
  ] as const)('aggregates several series with %s', (aggregate, expected) => {
    const m = mapping({ queue_depth: { metric: 'q', aggregate } });
    expect(applyMapping(page('q{i="1"} 1\nq{i="2"} 2\nq{i="3"} 3\n'), fixed, m, new MappingState(), T0).samples[0]?.value).toBe(expected);
  });

  it('turns counters into per-second rates from the second scrape on, across a reset', () => {
    const m = mapping({ throughput: { metric: 'tasks_total', kind: 'counter' } });
    const state = new MappingState();
    expect(applyMapping(page('tasks_total 100\n'), fixed, m, state, T0).samples).toEqual([]);
    expect(applyMapping(page('tasks_total 130\n'), fixed, m, state, T0 + 15_000).samples[0]?.value).toBeCloseTo(2, 12);
    // The agent restarted: 12 tasks since the restart, over 10 s.
    expect(applyMapping(page('tasks_total 12\n'), fixed, m, state, T0 + 25_000).samples[0]?.value).toBeCloseTo(1.2, 12);
  });

  it('chooses rate or value from the TYPE line with kind auto', () => {
    const m = mapping({ throughput: { metric: 'done_total' }, queue_depth: { metric: 'queue' } });
    const state = new MappingState();
    const text = (n: number) => `# TYPE done_total counter\ndone_total ${n}\n# TYPE queue gauge\nqueue ${n}\n`;
    expect(values(applyMapping(page(text(10)), fixed, m, state, T0).samples)).toEqual([['agent-a', 'queue_depth', 10]]);
    expect(values(applyMapping(page(text(20)), fixed, m, state, T0 + 5000).samples)).toEqual([
      ['agent-a', 'throughput', 2],
      ['agent-a', 'queue_depth', 20],
    ]);
  });

  it('uses page timestamps to time rates when the page has them', () => {
    const m = mapping({ throughput: { metric: 'c', kind: 'counter' } });
    const state = new MappingState();
    applyMapping(page(`c 0 ${T0}\n`), fixed, m, state, T0 + 999);
    expect(applyMapping(page(`c 10 ${T0 + 2000}\n`), fixed, m, state, T0 + 99_999).samples[0]?.value).toBe(5);
  });

  it('computes a ratio of rates per agent and skips it when the denominator did not move', () => {
    const m = mapping({
      error_rate: { metric: 'tasks_total', kind: 'counter', matchers: { outcome: 'error' }, divide_by: { metric: 'tasks_total' } },
    });
    const state = new MappingState();
    const text = (ok: number, err: number) => `tasks_total{agent="x",outcome="ok"} ${ok}\ntasks_total{agent="x",outcome="error"} ${err}\n`;
    applyMapping(page(text(0, 0)), byLabel, m, state, T0);
    expect(applyMapping(page(text(90, 10)), byLabel, m, state, T0 + 10_000).samples[0]?.value).toBeCloseTo(0.1, 12);
    expect(applyMapping(page(text(90, 10)), byLabel, m, state, T0 + 20_000).samples).toEqual([]);
  });

  it('takes the quantile of the observations made between two scrapes from histogram buckets', () => {
    const m = mapping({ response_time: { metric: 'lat_seconds', kind: 'histogram_quantile', quantile: 0.5 } });
    const state = new MappingState();
    const text = (b1: number, b2: number, inf: number) =>
      `# TYPE lat_seconds histogram\nlat_seconds_bucket{tool="a",le="0.1"} ${b1}\nlat_seconds_bucket{tool="a",le="1"} ${b2}\nlat_seconds_bucket{tool="a",le="+Inf"} ${inf}\nlat_seconds_sum{tool="a"} 1\nlat_seconds_count{tool="a"} ${inf}\n`;
    expect(applyMapping(page(text(100, 100, 100)), fixed, m, state, T0).samples).toEqual([]);
    // 10 new observations, all in (0.1, 1]: the median is 0.1 + 0.9 * 5/10 — the old 100 ≤ 0.1 do not count.
    expect(applyMapping(page(text(100, 110, 110)), fixed, m, state, T0 + 15_000).samples[0]?.value).toBeCloseTo(0.55, 12);
    // No new observations: no value rather than 0.
    expect(applyMapping(page(text(100, 110, 110)), fixed, m, state, T0 + 30_000).samples).toEqual([]);
    // Restart: 4 observations ≤ 0.1 since.
    expect(applyMapping(page(text(4, 4, 4)), fixed, m, state, T0 + 45_000).samples[0]?.value).toBeCloseTo(0.05, 12);
  });

  it('sums histogram buckets of one agent across label sets before taking the quantile', () => {
    const m = mapping({ response_time: { metric: 'h', kind: 'histogram_quantile', quantile: 0.5 } });
    const state = new MappingState();
    const text = (a: number, b: number) =>
      `# TYPE h histogram\nh_bucket{agent="x",tool="a",le="1"} ${a}\nh_bucket{agent="x",tool="a",le="+Inf"} ${a}\nh_bucket{agent="x",tool="b",le="1"} 0\nh_bucket{agent="x",tool="b",le="+Inf"} ${b}\n`;
    applyMapping(page(text(0, 0)), byLabel, m, state, T0);
    // 2 observations ≤ 1 (tool a) and 2 above (tool b): the median is the top of the ≤ 1 bucket.
    expect(applyMapping(page(text(2, 2)), byLabel, m, state, T0 + 1000).samples[0]?.value).toBeCloseTo(1, 12);
  });

  it('reads a summary quantile by its quantile label', () => {
    const m = mapping({ response_time: { metric: 'rpc_seconds', kind: 'summary_quantile', quantile: 0.9 } });
    const text =
      '# TYPE rpc_seconds summary\nrpc_seconds{quantile="0.5"} 0.2\nrpc_seconds{quantile="0.9"} 0.7\nrpc_seconds_sum 9\nrpc_seconds_count 20\n';
    expect(values(applyMapping(page(text), fixed, m, new MappingState(), T0).samples)).toEqual([['agent-a', 'response_time', 0.7]]);
  });

  it('never delivers NaN or infinite values', () => {
    const m = mapping({ queue_depth: { metric: 'q' }, cpu_usage: { metric: 'c' } });
    expect(applyMapping(page('q NaN\nc +Inf\n'), fixed, m, new MappingState(), T0).samples).toEqual([]);
  });

  it('forgets series that left the page, so label churn does not grow the state', () => {
    const m = mapping({ throughput: { metric: 'c', kind: 'counter' } });
    const state = new MappingState();
    applyMapping(page('c{id="1"} 1\nc{id="2"} 1\n'), fixed, m, state, T0);
    expect(state.counters.size).toBe(2);
    applyMapping(page('c{id="3"} 1\n'), fixed, m, state, T0 + 1000);
    expect(state.counters.size).toBe(1);
  });
});
