import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../src/ingest/otlp/decode-json.js';
import { decodeProtobufRequest } from '../../../src/ingest/otlp/decode-protobuf.js';
import { encodeExportResponse, exportResponseJson } from '../../../src/ingest/otlp/encode-response.js';
import type { OtlpRequest } from '../../../src/ingest/otlp/otlp-model.js';
import { ProtoReader } from '../../../src/ingest/otlp/protobuf-reader.js';
import { sdkAgent } from './otel-sdk.js';

/** Captures the bodies the official exporters send, one request per protocol. */
async function captureExports(): Promise<{ json: unknown; protobuf: Uint8Array }> {
  const bodies: { type: string; body: Buffer }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
  try {
    for (const protocol of ['json', 'protobuf'] as const) {
      const agent = sdkAgent({ url, protocol, resource: { 'service.name': 'svc', 'deployment.environment': 'test', 'host.cpus': '8' } });
      const meter = agent.provider.getMeter('m');
      const h = meter.createHistogram('gen_ai.invoke_agent.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1, 10] } });
      h.record(0.05, { 'gen_ai.agent.name': 'alpha', 'gen_ai.request.model': 'm-1' });
      h.record(4, { 'gen_ai.agent.name': 'alpha', 'error.type': 'timeout' });
      meter.createCounter('tasks.done').add(7, { queue: 'a' });
      meter.createUpDownCounter('tasks.active').add(-2);
      meter.createGauge('cpu.ratio').record(0.25, { core: 1 });
      meter.createCounter('tokens', { valueType: 1 /* INT */ }).add(12);
      await agent.flush();
      await agent.shutdown();
    }
  } finally {
    server.close();
  }
  const json = bodies.find((b) => b.type.includes('json'));
  const protobuf = bodies.find((b) => b.type.includes('protobuf'));
  if (!json || !protobuf) throw new Error(`expected one JSON and one protobuf export, got ${bodies.map((b) => b.type).join(', ')}`);
  return { json: JSON.parse(json.body.toString('utf8')), protobuf: new Uint8Array(protobuf.body) };
}

/** The model without timestamps (the two exports ran at different times). */
function shape(request: OtlpRequest): unknown {
  return request.resourceMetrics.map((rm) => ({
    resource: Object.fromEntries(rm.resource),
    metrics: rm.metrics
      .map((m) => ({
        name: m.name,
        unit: m.unit,
        kind: m.data.kind,
        extra: m.data.kind === 'sum' ? [m.data.monotonic, m.data.temporality] : m.data.kind === 'histogram' ? [m.data.temporality] : [],
        points:
          m.data.kind === 'none'
            ? []
            : m.data.points.map((p) => {
                const { startTimeNs, timeNs, attributes, ...rest } = p;
                expect(timeNs).toBeGreaterThan(0n);
                expect(startTimeNs).toBeLessThanOrEqual(timeNs);
                return { attributes: Object.fromEntries(attributes), ...rest };
              }),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

describe('OTLP decoders on bodies from the official exporters', () => {
  let captured: { json: unknown; protobuf: Uint8Array };
  beforeAll(async () => {
    captured = await captureExports();
  }, 20_000);
  afterAll(() => undefined);

  it('decode JSON and protobuf exports of the same measurements to the same model', () => {
    const fromJson = decodeJsonRequest(captured.json);
    const fromProto = decodeProtobufRequest(captured.protobuf);
    if (!fromJson.ok) throw new Error(fromJson.reason);
    if (!fromProto.ok) throw new Error(fromProto.reason);
    expect(shape(fromProto.request)).toEqual(shape(fromJson.request));
    const metrics = fromProto.request.resourceMetrics.flatMap((rm) => rm.metrics);
    const invoke = metrics.find((m) => m.name === 'gen_ai.invoke_agent.duration');
    expect(invoke?.data).toMatchObject({ kind: 'histogram', temporality: 'cumulative' });
    if (invoke?.data.kind === 'histogram') {
      const failed = invoke.data.points.find((p) => p.attributes.get('error.type') === 'timeout');
      expect(failed).toMatchObject({ count: 1, sum: 4, bounds: [0.1, 1, 10], bucketCounts: [0, 0, 1, 0] });
    }
    expect(metrics.find((m) => m.name === 'tasks.active')?.data).toMatchObject({ kind: 'sum', monotonic: false });
    expect(metrics.find((m) => m.name === 'cpu.ratio')?.data).toMatchObject({ kind: 'gauge', points: [{ value: 0.25 }] });
    expect(metrics.find((m) => m.name === 'tokens')?.data).toMatchObject({ kind: 'sum', monotonic: true, points: [{ value: 12 }] });
  });

  it('never throws on random bytes or on corrupted real exports', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        expect(typeof decodeProtobufRequest(bytes).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.nat(captured.protobuf.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(50), (at, byte, cut) => {
        const mutated = Uint8Array.from(captured.protobuf);
        mutated[at] = byte;
        // CPU time, not wall time: the bound must not depend on other processes of a shared machine.
        const started = process.cpuUsage();
        decodeProtobufRequest(mutated.subarray(0, mutated.length - cut));
        const used = process.cpuUsage(started);
        expect((used.user + used.system) / 1000).toBeLessThan(250);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(typeof decodeJsonRequest(value).ok).toBe('boolean');
        expect(typeof decodeJsonRequest({ resourceMetrics: [{ scopeMetrics: [{ metrics: [value] }] }] }).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps a __proto__ attribute key as a plain key', () => {
    const decoded = decodeJsonRequest(
      JSON.parse('{"resourceMetrics":[{"resource":{"attributes":[{"key":"__proto__","value":{"stringValue":"x"}}]}}]}'),
    );
    expect(decoded.ok && decoded.request.resourceMetrics[0]?.resource.get('__proto__')).toBe('x');
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});

describe('OTLP responses', () => {
  it('encode full success as an empty message and partial success with its fields', () => {
    expect(encodeExportResponse({ rejected: 0, message: '' })).toEqual(new Uint8Array(0));
    expect(exportResponseJson({ rejected: 0, message: '' })).toEqual({});
    const bytes = encodeExportResponse({ rejected: 300, message: 'no agent' });
    const outer = new ProtoReader(bytes);
    const field = outer.next();
    expect(field).toEqual({ field: 1, wire: 2 });
    const inner = outer.message();
    const got: Record<number, unknown> = {};
    for (let f = inner.next(); f; f = inner.next()) got[f.field] = f.field === 1 ? inner.varint() : inner.string();
    expect(got).toEqual({ 1: 300, 2: 'no agent' });
    expect(exportResponseJson({ rejected: 300, message: 'no agent' })).toEqual({
      partialSuccess: { rejectedDataPoints: '300', errorMessage: 'no agent' },
    });
  });
});
