import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/create-app.js';
import { createOtlpRoutes, type OtlpRouteDeps } from '../../../src/http/otlp-routes.js';
import { ProtoReader } from '../../../src/ingest/otlp/protobuf-reader.js';
import { TurnQueue } from '../../../src/runtime/turn-queue.js';
import { CollectingSink } from '../../fakes/collecting-sink.js';
import { type SdkAgent, sdkAgent } from './otel-sdk.js';

interface Receiver {
  readonly url: string;
  readonly sink: CollectingSink;
  readonly statuses: number[];
}

const servers: Server[] = [];
const agents: SdkAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.shutdown().catch(() => undefined)));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
});

async function startReceiver(deps: Partial<OtlpRouteDeps> = {}, sink = new CollectingSink()): Promise<Receiver> {
  const statuses: number[] = [];
  const app = createApp({ routers: [createOtlpRoutes({ sink, ...deps })], onUnexpectedError: (e) => console.error(e) });
  app.set('trust proxy', false);
  const server = createServer((req, res) => {
    res.on('finish', () => statuses.push(res.statusCode));
    app(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, sink, statuses };
}

function agent(...args: Parameters<typeof sdkAgent>): SdkAgent {
  const a = sdkAgent(...args);
  agents.push(a);
  return a;
}

/** One OTLP/JSON histogram data point: 2 invocations summing to 1 s over the first second of 2026. */
const histogramPoint = (attributes: unknown[]) => ({
  attributes,
  startTimeUnixNano: '1767225600000000000',
  timeUnixNano: '1767225601000000000',
  count: '2',
  sum: 1,
  bucketCounts: ['2'],
  explicitBounds: [],
});

const byAgent = (sink: CollectingSink, agentId: string) =>
  Object.fromEntries(sink.samples.filter((s) => s.agent === agentId).map((s) => [s.metric, s.value]));

describe('POST /v1/metrics with the official OpenTelemetry exporters', () => {
  it.each(['json', 'protobuf'] as const)('maps GenAI metrics over %s (cumulative) onto the right agents and metrics', async (protocol) => {
    const receiver = await startReceiver();
    const otel = agent({ url: receiver.url, protocol, resource: { 'service.name': 'svc-gamma', 'service.namespace': 'swarm-a' } });
    const meter = otel.provider.getMeter('agents');
    const invoke = meter.createHistogram('gen_ai.invoke_agent.duration', { unit: 's' });
    const tokens = meter.createHistogram('gen_ai.client.token.usage', { unit: '{token}' });
    const tool = meter.createHistogram('gen_ai.execute_tool.duration', { unit: 's' });
    const unrelated = meter.createCounter('http.server.requests');

    invoke.record(0.1, { 'gen_ai.agent.name': 'alpha' });
    invoke.record(1, { 'gen_ai.agent.name': 'beta' });
    invoke.record(3, {});
    tokens.record(50, { 'gen_ai.agent.name': 'alpha', 'gen_ai.token.type': 'input' });
    tool.record(0.5, { 'gen_ai.agent.name': 'beta', 'gen_ai.tool.name': 'search' });
    unrelated.add(1);
    const beforeFirst = performance.now();
    await otel.flush();
    expect(receiver.statuses).toEqual([200]);
    // Cumulative: the first export of each agent only primes the deltas.
    expect(receiver.sink.samples).toEqual([]);

    await new Promise((r) => setTimeout(r, 200));
    invoke.record(0.2, { 'gen_ai.agent.name': 'alpha' });
    invoke.record(0.4, { 'gen_ai.agent.name': 'alpha' });
    invoke.record(1, { 'gen_ai.agent.name': 'alpha', 'error.type': 'timeout' });
    invoke.record(2, { 'gen_ai.agent.name': 'beta' });
    invoke.record(5, {});
    tokens.record(100, { 'gen_ai.agent.name': 'alpha', 'gen_ai.token.type': 'input' });
    tool.record(0.25, { 'gen_ai.agent.name': 'beta', 'gen_ai.tool.name': 'search' });
    tool.record(0.75, { 'gen_ai.agent.name': 'beta', 'gen_ai.tool.name': 'search' });
    await otel.flush();
    // The two collections happened within this span and at least the 200 ms sleep apart.
    const elapsed = (performance.now() - beforeFirst) / 1000;
    expect(receiver.statuses).toEqual([200, 200]);

    const alpha = byAgent(receiver.sink, 'alpha');
    expect(alpha['response_time']).toBeCloseTo(1.6 / 3, 12);
    expect(alpha['error_rate']).toBeCloseTo(1 / 3, 12);
    // 3 invocations over the time between the two collections.
    expect(alpha['throughput']).toBeGreaterThanOrEqual(3 / elapsed);
    expect(alpha['throughput']).toBeLessThanOrEqual(3 / 0.2);
    expect(alpha['input_tokens_per_second']! * 1).toBeCloseTo(100 * (alpha['throughput']! / 3), 6);
    expect(byAgent(receiver.sink, 'beta')).toMatchObject({
      response_time: 2,
      error_rate: 0,
      tool_duration_seconds: 0.5,
      tool_error_ratio: 0,
    });
    // No agent attribute on the point: the resource's service.name names the agent.
    expect(byAgent(receiver.sink, 'svc-gamma')).toMatchObject({ response_time: 5, error_rate: 0 });
    expect(new Set(receiver.sink.samples.map((s) => s.swarm))).toEqual(new Set(['swarm-a']));
    expect(receiver.sink.batches.every((b) => b.source === 'otlp')).toBe(true);
    const now = Date.now();
    expect(receiver.sink.samples.every((s) => Math.abs(s.timestamp - now) < 10_000)).toBe(true);
  });

  it('uses delta temporality exports as they come (protobuf)', async () => {
    const receiver = await startReceiver();
    const otel = agent({
      url: receiver.url,
      protocol: 'protobuf',
      temporality: 'delta',
      resource: { 'service.name': 'delta-svc', 'gen_ai.agent.id': 'agent-d' },
    });
    const invoke = otel.provider.getMeter('agents').createHistogram('gen_ai.invoke_agent.duration', { unit: 's' });
    invoke.record(0.3);
    invoke.record(0.5, { 'error.type': 'rate_limited' });
    // A delta point spans [first measurement, collection]: give it a measurable length.
    await new Promise((r) => setTimeout(r, 50));
    await otel.flush();
    expect(byAgent(receiver.sink, 'agent-d')).toMatchObject({ response_time: 0.4, error_rate: 0.5 });
    // 2 invocations over the delta's span: at most 2 / 50 ms.
    expect(byAgent(receiver.sink, 'agent-d')['throughput']).toBeGreaterThan(0);
    expect(byAgent(receiver.sink, 'agent-d')['throughput']).toBeLessThanOrEqual(2 / 0.05);
  });
});

describe('POST /v1/metrics request handling', () => {
  const EMPTY = JSON.stringify({ resourceMetrics: [] });
  const post = (url: string, body: string | Buffer, headers: Record<string, string>) => fetch(url, { method: 'POST', body, headers });

  it.each([
    ['an unsupported content type', 'text/plain', 'hello', 415],
    ['invalid JSON', 'application/json', '{', 400],
    ['JSON of the wrong shape', 'application/json', '{"resourceMetrics": 5}', 400],
    ['a truncated protobuf', 'application/x-protobuf', Buffer.from([0x0a, 0x10, 0x01]), 400],
  ])('answers %s with %s', async (_name, type, body, status) => {
    const receiver = await startReceiver();
    const response = await post(receiver.url, body, { 'content-type': type });
    expect(response.status).toBe(status);
    expect(receiver.sink.samples).toEqual([]);
  });

  it('answers a bad protobuf body with a google.rpc.Status in protobuf', async () => {
    const receiver = await startReceiver();
    const response = await post(receiver.url, Buffer.from([0x0a, 0x10, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(response.headers.get('content-type')).toContain('application/x-protobuf');
    const r = new ProtoReader(new Uint8Array(await response.arrayBuffer()));
    const fields: Record<number, number | string> = {};
    for (let f = r.next(); f; f = r.next()) fields[f.field] = f.field === 1 ? r.varint() : r.string();
    expect(fields[1]).toBe(3);
    expect(String(fields[2])).toContain('protobuf');
  });

  it('refuses a body over the limit with 413, also after gzip decompression', async () => {
    const receiver = await startReceiver({ maxBodyBytes: 1000 });
    const big = JSON.stringify({ resourceMetrics: [], pad: 'x'.repeat(5000) });
    expect((await post(receiver.url, big, { 'content-type': 'application/json' })).status).toBe(413);
    const bomb = gzipSync(Buffer.from(big));
    expect(bomb.length).toBeLessThan(1000);
    expect((await post(receiver.url, bomb, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(413);
  });

  it('accepts a gzip-compressed JSON export', async () => {
    const receiver = await startReceiver();
    const response = await post(receiver.url, gzipSync(Buffer.from(EMPTY)), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
  });

  it('requires the ingest bearer token when one is configured', async () => {
    const receiver = await startReceiver({ token: 'agent-secret' });
    expect((await post(receiver.url, EMPTY, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await post(receiver.url, EMPTY, { 'content-type': 'application/json', authorization: 'Bearer agent-secret' })).status).toBe(
      200,
    );
  });

  it('reports points that name no agent, and samples the sink refused, as a partial success', async () => {
    const sink = new CollectingSink((s) => (s.metric === 'error_rate' ? 'error_rate: refused by the test' : undefined));
    const receiver = await startReceiver({}, sink);
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'gen_ai.invoke_agent.duration',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [histogramPoint([]), histogramPoint([{ key: 'gen_ai.agent.name', value: { stringValue: 'alpha' } }])],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await post(receiver.url, JSON.stringify(body), { 'content-type': 'application/json' });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { partialSuccess: { rejectedDataPoints: string; errorMessage: string } };
    expect(answer.partialSuccess.rejectedDataPoints).toBe('2');
    expect(answer.partialSuccess.errorMessage).toContain('1 data points name no agent');
    expect(answer.partialSuccess.errorMessage).toContain('refused by the test');
    expect(byAgent(sink, 'alpha')).toEqual({ response_time: 0.5, throughput: 2 });
  });
});

describe('POST /v1/metrics with a turn queue (the exporter shares one with the batch route)', () => {
  it('takes a turn of the queue before it decodes and ingests an export (the queue keeps the order of bodies)', async () => {
    const sink = new CollectingSink();
    /** Records, for each turn taken, how many samples the sink held when it came. */
    class WatchedQueue extends TurnQueue {
      readonly seen: number[] = [];
      override async turn(): Promise<void> {
        await super.turn();
        this.seen.push(sink.samples.length);
      }
    }
    const turns = new WatchedQueue();
    const receiver = await startReceiver({ turns }, sink);
    const body = {
      resourceMetrics: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'gen_ai.invoke_agent.duration',
                  histogram: {
                    aggregationTemporality: 1,
                    dataPoints: [histogramPoint([{ key: 'gen_ai.agent.name', value: { stringValue: 'alpha' } }])],
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const response = await fetch(receiver.url, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    // One turn taken, and nothing of the export was ingested before it.
    expect(turns.seen).toEqual([0]);
    expect(byAgent(receiver.sink, 'alpha')).toMatchObject({ response_time: 0.5, throughput: 2 });
  });
});
