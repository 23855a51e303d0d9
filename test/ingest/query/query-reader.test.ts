import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from '../../../src/runtime/prom.js';
import { parseQueryConfig } from '../../../src/config/query-config.js';
import { QueryReader } from '../../../src/ingest/query/query-reader.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { CollectingSink } from '../../fakes/collecting-sink.js';
import { type FakePrometheus, matrix, startFakePrometheus, vector } from './fake-prometheus.js';

const T0 = Date.UTC(2026, 0, 1, 12);
let fake: FakePrometheus;
beforeEach(async () => {
  fake = await startFakePrometheus();
});
afterEach(() => fake.close());

function setup(backfillMs: number) {
  const parsed = parseQueryConfig({ url: fake.url, queries: { cpu_usage: 'cpu_expr', queue_depth: 'queue_expr' } });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const clock = new ManualClock(T0 + 400);
  const sink = new CollectingSink();
  const registry = new Registry();
  const reader = new QueryReader(
    { config: parsed.config, stepMs: 15_000, backfillMs, windowMs: 300_000, headers: {} },
    { sink, metricsRegistry: registry, clock, logger: pino({ level: 'silent' }) },
  );
  const up = async () =>
    (await registry.getMetricsAsJSON())
      .find((m) => m.name === 'agentswarm_scrape_target_up')
      ?.values.find((v) => v.labels['target'] === fake.url)?.value;
  return { clock, sink, reader, up };
}

describe('QueryReader', () => {
  it('backfills the window with query_range at start, then evaluates each new step with an instant query', async () => {
    const { clock, sink, reader, up } = setup(60_000);
    fake.answer = (r) =>
      r.path.endsWith('query_range')
        ? matrix([
            {
              labels: { agent: 'a', swarm: 's1' },
              values: [
                [T0 / 1000 - 60, '1'],
                [T0 / 1000, '2'],
              ],
            },
          ])
        : vector([{ labels: { agent: 'a', swarm: 's1' }, value: [(T0 + 15_000) / 1000, r.params['query'] === 'cpu_expr' ? '0.3' : '7'] }]);
    const first = await reader.tick();
    expect(first).toMatchObject({ timeMs: T0, failed: [] });
    const ranges = fake.requests.filter((r) => r.path.endsWith('query_range'));
    expect(ranges.map((r) => r.params)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ query: 'cpu_expr', start: String((T0 - 60_000) / 1000) + '.000', end: `${T0 / 1000}.000`, step: '15' }),
      ]),
    );
    expect(sink.series('a', 'cpu_usage', 's1').map((s) => [s.timestamp, s.value])).toEqual([
      [T0 - 60_000, 1],
      [T0, 2],
    ]);
    expect(sink.batches.every((b) => b.source === 'query')).toBe(true);
    // Same step: nothing new is asked.
    const before = fake.requests.length;
    expect((await reader.tick()).delivered).toBe(0);
    expect(fake.requests.length).toBe(before);
    clock.advance(15_000);
    await reader.tick();
    const instants = fake.requests.filter((r) => r.path.endsWith('/api/v1/query'));
    expect(instants.map((r) => r.params['time'])).toEqual([`${(T0 + 15_000) / 1000}.000`, `${(T0 + 15_000) / 1000}.000`]);
    expect(sink.series('a', 'cpu_usage', 's1').at(-1)).toEqual({
      swarm: 's1',
      agent: 'a',
      metric: 'cpu_usage',
      value: 0.3,
      timestamp: T0 + 15_000,
    });
    expect(await up()).toBe(1);
  });

  it('delivers nothing while the upstream is down, flags it, and catches up the gap when it is back', async () => {
    const { clock, sink, reader, up } = setup(0);
    fake.answer = () => vector([{ labels: { agent: 'a' }, value: [T0 / 1000, '1'] }]);
    await reader.tick();
    expect(sink.samples).toHaveLength(2);
    sink.clear();

    fake.answer = () => ({ status: 503, body: { status: 'error', errorType: 'unavailable', error: 'down' } });
    for (let i = 0; i < 3; i += 1) {
      clock.advance(15_000);
      const report = await reader.tick();
      expect(report.failed).toEqual(['cpu_usage', 'queue_depth']);
    }
    expect(sink.samples).toEqual([]);
    expect(await up()).toBe(0);

    fake.answer = (r) =>
      matrix(
        [{ labels: { agent: 'a' }, values: [1, 2, 3, 4].map((k) => [(T0 + k * 15_000) / 1000, String(k)] as [number, string]) }].filter(
          () => r.path.endsWith('query_range'),
        ),
      );
    clock.advance(15_000);
    await reader.tick();
    const catchUp = fake.requests.at(-1)!;
    expect(catchUp.path).toBe('/prefix/api/v1/query_range');
    expect(catchUp.params).toMatchObject({ start: `${(T0 + 15_000) / 1000}.000`, end: `${(T0 + 60_000) / 1000}.000` });
    expect(sink.series('a', 'cpu_usage').map((s) => s.value)).toEqual([1, 2, 3, 4]);
    expect(await up()).toBe(1);
  });

  it('flags the upstream when only one query fails and still delivers the others', async () => {
    const { sink, reader, up } = setup(0);
    fake.answer = (r) =>
      r.params['query'] === 'cpu_expr'
        ? { status: 400, body: { status: 'error', errorType: 'bad_data', error: 'bad' } }
        : vector([{ labels: { agent: 'a' }, value: [T0 / 1000, '5'] }]);
    expect((await reader.tick()).failed).toEqual(['cpu_usage']);
    expect(sink.samples.map((s) => s.metric)).toEqual(['queue_depth']);
    expect(await up()).toBe(0);
  });
});
