import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CANONICAL_METRICS } from '../../../src/model/canonical-metrics.js';
import { parseScrapeMapping } from '../../../src/ingest/scrape/mapping-schema.js';

describe('parseScrapeMapping', () => {
  it('reads a YAML mapping with every kind and both matcher forms', () => {
    const raw: unknown = parseYaml(`
cpu_usage: { metric: process_cpu_seconds_total, kind: counter }
queue_depth: { metric: agent_queue_depth, matchers: { queue: main } }
response_time: { metric: agent_task_duration_seconds, kind: histogram_quantile, quantile: 0.95 }
tokens_p90: { metric: agent_tokens, kind: summary_quantile, quantile: 0.9, aggregate: avg }
error_rate:
  metric: agent_tasks_total
  kind: counter
  matchers: ['outcome="error"']
  divide_by: { metric: agent_tasks_total }
memory_usage: { metric: mem_percent, scale: 0.01 }
`);
    const parsed = parseScrapeMapping(raw);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const m = parsed.mapping;
    expect(m['cpu_usage']).toMatchObject({ metric: 'process_cpu_seconds_total', kind: 'counter', scale: 1, matchers: [] });
    expect(m['queue_depth']?.matchers).toEqual([{ name: 'queue', op: '=', value: 'main' }]);
    expect(m['queue_depth']?.kind).toBe('auto');
    expect(m['response_time']).toMatchObject({ kind: 'histogram_quantile', quantile: 0.95 });
    expect(m['error_rate']?.divide_by).toMatchObject({ metric: 'agent_tasks_total', matchers: [] });
    expect(m['error_rate']?.matchers[0]).toMatchObject({ name: 'outcome', op: '=', value: 'error' });
    expect(m['memory_usage']?.scale).toBe(0.01);
  });

  it('maps each canonical metric from a metric of the same name when empty', () => {
    const parsed = parseScrapeMapping({});
    if (!parsed.ok) throw new Error('expected ok');
    expect(Object.keys(parsed.mapping)).toEqual([...CANONICAL_METRICS]);
    expect(parsed.mapping['throughput']).toMatchObject({ metric: 'throughput', kind: 'auto' });
  });

  it.each([
    ['a bad target name', { 'Bad-Name': { metric: 'x' } }, 'scrape.mapping.Bad-Name'],
    ['a bad source metric', { cpu_usage: { metric: 'not a metric' } }, 'scrape.mapping.cpu_usage.metric'],
    ['an unknown kind', { cpu_usage: { metric: 'x', kind: 'rate' } }, 'scrape.mapping.cpu_usage.kind'],
    [
      'a quantile kind without quantile',
      { response_time: { metric: 'x', kind: 'histogram_quantile' } },
      'scrape.mapping.response_time.quantile',
    ],
    ['a quantile on a counter', { throughput: { metric: 'x', kind: 'counter', quantile: 0.5 } }, 'scrape.mapping.throughput.quantile'],
    [
      'a quantile out of range',
      { response_time: { metric: 'x', kind: 'summary_quantile', quantile: 2 } },
      'scrape.mapping.response_time.quantile',
    ],
    ['a malformed matcher', { cpu_usage: { metric: 'x', matchers: ['mode=user'] } }, 'scrape.mapping.cpu_usage.matchers.0'],
    ['an invalid regex', { cpu_usage: { metric: 'x', matchers: ['mode=~"("'] } }, 'scrape.mapping.cpu_usage.matchers.0'],
    ['an unknown key', { cpu_usage: { metric: 'x', rate: true } }, 'scrape.mapping.cpu_usage'],
    [
      'divide_by on a quantile',
      { response_time: { metric: 'x', kind: 'summary_quantile', quantile: 0.5, divide_by: { metric: 'y' } } },
      'scrape.mapping.response_time.divide_by',
    ],
  ])('rejects %s, naming the key', (_name, raw, path) => {
    const parsed = parseScrapeMapping(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.some((p) => p.startsWith(path))).toBe(true);
  });
});
