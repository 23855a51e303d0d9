import { describe, expect, it } from 'vitest';
import { OtlpDeltaState, mapOtlpRequest } from '../../../src/ingest/otlp/otlp-to-samples.js';
import { defaultOtlpMapping, parseOtlpMapping } from '../../../src/config/otlp-mapping.js';
import type { AttributeValue, HistogramPoint, MetricData, OtlpRequest } from '../../../src/ingest/otlp/otlp-model.js';

const S = 1_000_000_000n;
const T0 = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n;
const attrs = (o: Record<string, AttributeValue> = {}) => new Map(Object.entries(o));

function hist(
  count: number,
  sum: number,
  buckets: number[],
  at: bigint,
  extra: Partial<HistogramPoint> = {},
  a: Record<string, AttributeValue> = {},
): HistogramPoint {
  return { attributes: attrs(a), startTimeNs: T0, timeNs: at, count, sum, bucketCounts: buckets, bounds: [0.5, 1, 5], ...extra };
}
function request(
  name: string,
  data: MetricData,
  resource: Record<string, AttributeValue> = { 'service.name': 'svc', 'gen_ai.agent.name': 'alpha' },
): OtlpRequest {
  return { resourceMetrics: [{ resource: attrs(resource), metrics: [{ name, unit: 's', data }] }] };
}
const invoke = (points: HistogramPoint[], temporality: 'delta' | 'cumulative' = 'cumulative') =>
  request('gen_ai.invoke_agent.duration', { kind: 'histogram', points, temporality });
const byMetric = (samples: { metric: string; value: number }[]) => Object.fromEntries(samples.map((s) => [s.metric, s.value]));

describe('mapOtlpRequest with the default GenAI mapping', () => {
  it('primes on the first cumulative export of an agent, then gives mean latency, throughput and error ratio of each interval', () => {
    const mapping = defaultOtlpMapping();
    const state = new OtlpDeltaState(1000);
    expect(mapOtlpRequest(invoke([hist(10, 5, [5, 5, 0, 0], T0 + 10n * S)]), mapping, state).samples).toEqual([]);
    const ok = hist(30, 25, [10, 15, 5, 0], T0 + 20n * S);
    const failed = hist(2, 4, [0, 0, 2, 0], T0 + 20n * S, {}, { 'error.type': 'timeout' });
    const first = mapOtlpRequest(invoke([ok, failed]), mapping, state);
    // ok: +20 obs, +20 s of sum over 10 s. The error series is new but its agent exported 10 s ago,
    // and cumulative exports carry every series, so all of it happened since: +2 obs, +4 s of sum.
    expect(byMetric(first.samples)).toEqual({ response_time: 24 / 22, throughput: 2 + 2 / 10, error_rate: 2 / 22 });
    expect(first.samples[0]).toMatchObject({ swarm: 'default', agent: 'alpha', timestamp: Date.UTC(2026, 0, 1) + 20_000 });
    const second = mapOtlpRequest(
      invoke([hist(36, 31, [12, 19, 5, 0], T0 + 30n * S), hist(8, 16, [0, 0, 8, 0], T0 + 30n * S, {}, { 'error.type': 'timeout' })]),
      mapping,
      state,
    );
    // +6 ok (sum +6) and +6 failed (sum +12) in 10 s: mean 18/12, 1.2 obs/s, half failed.
    expect(byMetric(second.samples)).toEqual({ response_time: 1.5, throughput: 1.2, error_rate: 0.5 });
  });

  it.each([
    ['started at the bound', T0, { response_time: 0.5, throughput: 1 }],
    ['started before it', T0 + 1n, {}],
  ] as const)(
    "uses a new agent's first cumulative point as data over [start, time] when it %s (initial_value: auto), and names the agent either way",
    (_, since, expected) => {
      const state = new OtlpDeltaState(1000);
      const result = mapOtlpRequest(invoke([hist(10, 5, [5, 5, 0, 0], T0 + 10n * S)]), defaultOtlpMapping(), state, {
        firstCumulativeSinceNs: since,
      });
      expect(byMetric(result.samples)).toEqual({ ...expected, ...(Object.keys(expected).length > 0 && { error_rate: 0 }) });
      expect(result.agents).toEqual([{ swarm: 'default', agent: 'alpha' }]);
      // Either way the next export gives the interval's delta: +10 observations, +15 s of sum, in 10 s.
      const next = mapOtlpRequest(invoke([hist(20, 20, [10, 10, 0, 0], T0 + 20n * S)]), defaultOtlpMapping(), state, {
        firstCumulativeSinceNs: since,
      });
      expect(byMetric(next.samples)).toEqual({ response_time: 1.5, throughput: 1, error_rate: 0 });
    },
  );

  it('treats a changed start time or a smaller count as a restart', () => {
    const mapping = defaultOtlpMapping();
    const state = new OtlpDeltaState(1000);
    mapOtlpRequest(invoke([hist(100, 100, [50, 50, 0, 0], T0 + 100n * S)]), mapping, state);
    const restarted = hist(4, 2, [4, 0, 0, 0], T0 + 110n * S, { startTimeNs: T0 + 105n * S });
    expect(byMetric(mapOtlpRequest(invoke([restarted]), mapping, state).samples)).toEqual({
      response_time: 0.5,
      throughput: 4 / 5,
      error_rate: 0,
    });
  });

  it('uses delta points as they are', () => {
    const point = hist(8, 4, [8, 0, 0, 0], T0 + 10n * S, { startTimeNs: T0 + 6n * S });
    expect(byMetric(mapOtlpRequest(invoke([point], 'delta'), defaultOtlpMapping(), new OtlpDeltaState(10)).samples)).toEqual({
      response_time: 0.5,
      throughput: 2,
      error_rate: 0,
    });
  });

  it('turns token usage into input and output tokens per second', () => {
    const points = [
      hist(2, 300, [0, 0, 0, 2], T0 + 4n * S, { startTimeNs: T0 }, { 'gen_ai.token.type': 'input' }),
      hist(2, 40, [0, 0, 0, 2], T0 + 4n * S, { startTimeNs: T0 }, { 'gen_ai.token.type': 'output' }),
    ];
    const result = mapOtlpRequest(
      request('gen_ai.client.token.usage', { kind: 'histogram', points, temporality: 'delta' }),
      defaultOtlpMapping(),
      new OtlpDeltaState(10),
    );
    expect(byMetric(result.samples)).toEqual({ input_tokens_per_second: 75, output_tokens_per_second: 10 });
  });

  it.each([
    [
      'gen_ai.agent.id on the point beats everything',
      { 'gen_ai.agent.id': 'id-7' },
      { 'service.name': 'svc', 'gen_ai.agent.name': 'alpha' },
      'id-7',
    ],
    [
      'gen_ai.agent.name on the point beats gen_ai.agent.id on the resource',
      { 'gen_ai.agent.name': 'planner' },
      { 'service.name': 'svc', 'gen_ai.agent.id': 'process-agent' },
      'planner',
    ],
    ['gen_ai.agent.name on the resource beats service.name', {}, { 'service.name': 'svc', 'gen_ai.agent.name': 'alpha' }, 'alpha'],
    ['service.name is the fallback', {}, { 'service.name': 'svc' }, 'svc'],
  ])('names the agent: %s', (_name, pointAttrs, resource, agent) => {
    const point = hist(1, 1, [0, 1, 0, 0], T0 + S, { startTimeNs: T0 }, pointAttrs);
    const result = mapOtlpRequest(
      request('gen_ai.invoke_agent.duration', { kind: 'histogram', points: [point], temporality: 'delta' }, resource),
      defaultOtlpMapping(),
      new OtlpDeltaState(10),
    );
    expect(new Set(result.samples.map((s) => s.agent))).toEqual(new Set([agent]));
  });

  it('reads the swarm from service.namespace and counts points without any agent attribute', () => {
    const point = hist(1, 1, [0, 1, 0, 0], T0 + S, { startTimeNs: T0 });
    const named = mapOtlpRequest(
      request(
        'gen_ai.invoke_agent.duration',
        { kind: 'histogram', points: [point], temporality: 'delta' },
        { 'service.name': 'svc', 'service.namespace': 'prod' },
      ),
      defaultOtlpMapping(),
      new OtlpDeltaState(10),
    );
    expect(named.samples[0]?.swarm).toBe('prod');
    const anonymous = mapOtlpRequest(
      request('gen_ai.invoke_agent.duration', { kind: 'histogram', points: [point, point], temporality: 'delta' }, {}),
      defaultOtlpMapping(),
      new OtlpDeltaState(10),
    );
    expect(anonymous).toEqual({ samples: [], agents: [], unattributed: 2 });
  });

  it('ignores metrics the mapping does not name', () => {
    const result = mapOtlpRequest(
      request('http.server.duration', { kind: 'histogram', points: [hist(1, 1, [1, 0, 0, 0], T0 + S)], temporality: 'delta' }),
      defaultOtlpMapping(),
      new OtlpDeltaState(10),
    );
    expect(result).toEqual({ samples: [], agents: [], unattributed: 0 });
  });
});

describe('mapOtlpRequest with a custom mapping', () => {
  const parsed = parseOtlpMapping({
    agent_attributes: ['agent'],
    metrics: [
      { source: 'queue.depth', outputs: { queue_depth: 'value' } },
      { source: 'tasks.completed', outputs: { throughput: 'rate' } },
      { source: 'step.latency', match: { 'step.kind': 'llm' }, outputs: { response_time: 'p50', llm_step_p99_seconds: 'p99' } },
      { source: 'rpc.latency', outputs: { rpc_p90_seconds: 'p90' } },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const mapping = parsed.mapping;
  const res = { agent: 'worker-1' };

  it('sums gauge values over series and rates a monotonic sum', () => {
    const state = new OtlpDeltaState(100);
    const gauge = request(
      'queue.depth',
      {
        kind: 'gauge',
        points: [
          { attributes: attrs({ q: 'a' }), startTimeNs: 0n, timeNs: T0, value: 3 },
          { attributes: attrs({ q: 'b' }), startTimeNs: 0n, timeNs: T0, value: 4 },
        ],
      },
      res,
    );
    expect(byMetric(mapOtlpRequest(gauge, mapping, state).samples)).toEqual({ queue_depth: 7 });
    const sum = (v: number, t: bigint) =>
      request(
        'tasks.completed',
        {
          kind: 'sum',
          monotonic: true,
          temporality: 'cumulative',
          points: [{ attributes: attrs(), startTimeNs: T0, timeNs: t, value: v }],
        },
        res,
      );
    mapOtlpRequest(sum(100, T0 + 10n * S), mapping, state);
    expect(byMetric(mapOtlpRequest(sum(150, T0 + 20n * S), mapping, state).samples)).toEqual({ throughput: 5 });
  });

  it('takes quantiles from explicit buckets of matching points only', () => {
    const llm = hist(10, 5, [5, 5, 0, 0], T0 + S, { startTimeNs: T0 }, { 'step.kind': 'llm' });
    const tool = hist(10, 50, [0, 0, 0, 10], T0 + S, { startTimeNs: T0 }, { 'step.kind': 'tool' });
    const result = mapOtlpRequest(
      request('step.latency', { kind: 'histogram', points: [llm, tool], temporality: 'delta' }, res),
      mapping,
      new OtlpDeltaState(10),
    );
    // Rank 5 of 10 is the top of the first bucket (≤ 0.5); rank 9.9 interpolates in (0.5, 1]: 0.5 + 0.5 * 4.9/5.
    expect(byMetric(result.samples)).toEqual({ response_time: 0.5, llm_step_p99_seconds: 0.5 + 0.5 * (4.9 / 5) });
  });

  it('reads a summary quantile as reported', () => {
    const point = { attributes: attrs(), startTimeNs: T0, timeNs: T0 + S, count: 10, sum: 3, quantiles: [{ quantile: 0.9, value: 0.8 }] };
    expect(
      byMetric(mapOtlpRequest(request('rpc.latency', { kind: 'summary', points: [point] }, res), mapping, new OtlpDeltaState(10)).samples),
    ).toEqual({ rpc_p90_seconds: 0.8 });
  });

  it('forgets the least recently seen series beyond max_series', () => {
    const state = new OtlpDeltaState(100);
    for (let i = 0; i < 150; i += 1) {
      const point = { attributes: attrs({ id: i }), startTimeNs: T0, timeNs: T0 + S, value: 1 };
      mapOtlpRequest(
        request('tasks.completed', { kind: 'sum', monotonic: true, temporality: 'cumulative', points: [point] }, res),
        mapping,
        state,
      );
    }
    expect(state.size).toBe(100);
  });
});

describe('parseOtlpMapping', () => {
  it.each([
    ['an unknown statistic', { metrics: [{ source: 'x', outputs: { throughput: 'median' } }] }, 'otlp.metrics.0.outputs.throughput'],
    ['a bad target metric name', { metrics: [{ source: 'x', outputs: { 'Bad Name': 'rate' } }] }, 'otlp.metrics.0.outputs.Bad Name'],
    ['no outputs', { metrics: [{ source: 'x', outputs: {} }] }, 'otlp.metrics.0.outputs'],
    ['an empty agent attribute list', { agent_attributes: [] }, 'otlp.agent_attributes'],
    ['an unknown key', { receivers: [] }, 'otlp'],
  ])('rejects %s, naming the key', (_name, raw, key) => {
    const parsed = parseOtlpMapping(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems.some((p) => p.startsWith(key))).toBe(true);
  });

  it('defaults to the GenAI conventions plus the names ADK, OpenLIT, Strands and Semantic Kernel send', () => {
    const sources = new Set(defaultOtlpMapping().metrics.map((m) => m.source));
    for (const name of [
      'gen_ai.invoke_agent.duration',
      'gen_ai.execute_tool.duration',
      'gen_ai.client.token.usage',
      'gen_ai.client.operation.duration',
      'gen_ai.workflow.duration',
      'gen_ai.invoke_workflow.duration',
      'gen_ai.agent.operation.duration',
      'gen_ai.usage.cost',
      'strands.event_loop.cycle_duration',
      'strands.tool.duration',
      'semantic_kernel.function.invocation.duration',
      'semantic_kernel.connectors.openai.tokens.prompt',
    ])
      expect(sources.has(name), name).toBe(true);
  });
});
