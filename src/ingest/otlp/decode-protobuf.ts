// Decodes an OTLP/HTTP protobuf ExportMetricsServiceRequest into the OtlpRequest model (subset we use).
// Field numbers: opentelemetry-proto v1 metrics.proto, common.proto, resource.proto.
import type {
  AttributeValue,
  DecodeResult,
  HistogramPoint,
  MetricData,
  NumberPoint,
  OtlpMetric,
  ResourceMetrics,
  SummaryPoint,
} from './otlp-model.js';
import { temporalityFromEnum } from './otlp-model.js';
import { ProtoError, ProtoReader, WIRE } from './protobuf-reader.js';

/** Bounds on what one request may hold, so a hostile body cannot make us allocate without limit. */
const MAX_ATTRIBUTES = 128;
const MAX_BUCKETS = 4096;

/** AnyValue → scalar; arrays, maps and bytes are skipped (undefined). */
function readAnyValue(r: ProtoReader): AttributeValue | undefined {
  let value: AttributeValue | undefined;
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 1:
        r.expect(f.wire, WIRE.LEN, 'string_value');
        value = r.string();
        break;
      case 2:
        r.expect(f.wire, WIRE.VARINT, 'bool_value');
        value = r.varint() !== 0;
        break;
      case 3:
        r.expect(f.wire, WIRE.VARINT, 'int_value');
        value = r.int64();
        break;
      case 4:
        r.expect(f.wire, WIRE.I64, 'double_value');
        value = r.double();
        break;
      default:
        r.skip(f.wire);
    }
  }
  return value;
}

/** KeyValue (key = 1, value = 2) into the map. */
function readKeyValue(r: ProtoReader, into: Map<string, AttributeValue>): void {
  let key = '';
  let value: AttributeValue | undefined;
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1 && f.wire === WIRE.LEN) key = r.string();
    else if (f.field === 2 && f.wire === WIRE.LEN) value = readAnyValue(r.message());
    else r.skip(f.wire);
  }
  if (key !== '' && value !== undefined) {
    if (into.size >= MAX_ATTRIBUTES && !into.has(key)) throw new ProtoError(`more than ${MAX_ATTRIBUTES} attributes`);
    into.set(key, value);
  }
}

/** Resource (attributes = 1). */
function readResource(r: ProtoReader): Map<string, AttributeValue> {
  const attributes = new Map<string, AttributeValue>();
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1 && f.wire === WIRE.LEN) readKeyValue(r.message(), attributes);
    else r.skip(f.wire);
  }
  return attributes;
}

/** NumberDataPoint: attributes 7, start 2, time 3, as_double 4, as_int 6. */
function readNumberPoint(r: ProtoReader): NumberPoint {
  const attributes = new Map<string, AttributeValue>();
  let startTimeNs = 0n;
  let timeNs = 0n;
  let value = NaN;
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 7:
        r.expect(f.wire, WIRE.LEN, 'attributes');
        readKeyValue(r.message(), attributes);
        break;
      case 2:
        r.expect(f.wire, WIRE.I64, 'start_time_unix_nano');
        startTimeNs = r.fixed64Big();
        break;
      case 3:
        r.expect(f.wire, WIRE.I64, 'time_unix_nano');
        timeNs = r.fixed64Big();
        break;
      case 4:
        r.expect(f.wire, WIRE.I64, 'as_double');
        value = r.double();
        break;
      case 6:
        r.expect(f.wire, WIRE.I64, 'as_int');
        value = r.sfixed64();
        break;
      default:
        r.skip(f.wire);
    }
  }
  return { attributes, startTimeNs, timeNs, value };
}

const readFixed64 = (r: ProtoReader): number => r.fixed64();
const readDouble = (r: ProtoReader): number => r.double();

/**
 * HistogramDataPoint: attributes 9, start 2, time 3, count 4, sum 5, bucket_counts 6, bounds 7.
 * ExponentialHistogramDataPoint shares start/time/count/sum numbers but has attributes at 1;
 * its buckets are not read.
 */
function readHistogramPoint(r: ProtoReader, exponential: boolean): HistogramPoint {
  const attributes = new Map<string, AttributeValue>();
  let startTimeNs = 0n;
  let timeNs = 0n;
  let count = 0;
  let sum: number | undefined;
  const bucketCounts: number[] = [];
  const bounds: number[] = [];
  const attributesField = exponential ? 1 : 9;
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === attributesField) {
      r.expect(f.wire, WIRE.LEN, 'attributes');
      readKeyValue(r.message(), attributes);
      continue;
    }
    switch (f.field) {
      case 2:
        r.expect(f.wire, WIRE.I64, 'start_time_unix_nano');
        startTimeNs = r.fixed64Big();
        break;
      case 3:
        r.expect(f.wire, WIRE.I64, 'time_unix_nano');
        timeNs = r.fixed64Big();
        break;
      case 4:
        r.expect(f.wire, WIRE.I64, 'count');
        count = r.fixed64();
        break;
      case 5:
        r.expect(f.wire, WIRE.I64, 'sum');
        sum = r.double();
        break;
      case 6:
        if (exponential) r.skip(f.wire);
        else r.packed(f.wire, readFixed64, bucketCounts);
        break;
      case 7:
        if (exponential) r.skip(f.wire);
        else r.packed(f.wire, readDouble, bounds);
        break;
      default:
        r.skip(f.wire);
    }
    if (bucketCounts.length > MAX_BUCKETS || bounds.length > MAX_BUCKETS) throw new ProtoError(`more than ${MAX_BUCKETS} buckets`);
  }
  return { attributes, startTimeNs, timeNs, count, sum, bucketCounts, bounds };
}

/** SummaryDataPoint: attributes 7, start 2, time 3, count 4, sum 5, quantile_values 6 (quantile 1, value 2). */
function readSummaryPoint(r: ProtoReader): SummaryPoint {
  const attributes = new Map<string, AttributeValue>();
  let startTimeNs = 0n;
  let timeNs = 0n;
  let count = 0;
  let sum = 0;
  const quantiles: { quantile: number; value: number }[] = [];
  for (let f = r.next(); f; f = r.next()) {
    switch (f.field) {
      case 7:
        r.expect(f.wire, WIRE.LEN, 'attributes');
        readKeyValue(r.message(), attributes);
        break;
      case 2:
        r.expect(f.wire, WIRE.I64, 'start_time_unix_nano');
        startTimeNs = r.fixed64Big();
        break;
      case 3:
        r.expect(f.wire, WIRE.I64, 'time_unix_nano');
        timeNs = r.fixed64Big();
        break;
      case 4:
        r.expect(f.wire, WIRE.I64, 'count');
        count = r.fixed64();
        break;
      case 5:
        r.expect(f.wire, WIRE.I64, 'sum');
        sum = r.double();
        break;
      case 6: {
        r.expect(f.wire, WIRE.LEN, 'quantile_values');
        const q = r.message();
        let quantile = NaN;
        let value = NaN;
        for (let g = q.next(); g; g = q.next()) {
          if (g.field === 1 && g.wire === WIRE.I64) quantile = q.double();
          else if (g.field === 2 && g.wire === WIRE.I64) value = q.double();
          else q.skip(g.wire);
        }
        if (quantiles.length >= MAX_BUCKETS) throw new ProtoError(`more than ${MAX_BUCKETS} quantiles`);
        quantiles.push({ quantile, value });
        break;
      }
      default:
        r.skip(f.wire);
    }
  }
  return { attributes, startTimeNs, timeNs, count, sum, quantiles };
}

/** Gauge/Sum/Histogram/ExponentialHistogram/Summary body: data_points 1, temporality 2, is_monotonic 3. */
function readData<P>(r: ProtoReader, readPoint: (p: ProtoReader) => P): { points: P[]; temporality: number; monotonic: boolean } {
  const points: P[] = [];
  let temporality = 0;
  let monotonic = false;
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1 && f.wire === WIRE.LEN) points.push(readPoint(r.message()));
    else if (f.field === 2 && f.wire === WIRE.VARINT) temporality = r.varint();
    else if (f.field === 3 && f.wire === WIRE.VARINT) monotonic = r.varint() !== 0;
    else r.skip(f.wire);
  }
  return { points, temporality, monotonic };
}

/** Metric: name 1, unit 3, gauge 5, sum 7, histogram 9, exponential_histogram 10, summary 11. */
function readMetric(r: ProtoReader): OtlpMetric {
  let name = '';
  let unit = '';
  let data: MetricData = { kind: 'none' };
  for (let f = r.next(); f; f = r.next()) {
    if (f.wire !== WIRE.LEN) {
      r.skip(f.wire);
      continue;
    }
    switch (f.field) {
      case 1:
        name = r.string();
        break;
      case 3:
        unit = r.string();
        break;
      case 5:
        data = { kind: 'gauge', points: readData(r.message(), readNumberPoint).points };
        break;
      case 7: {
        const d = readData(r.message(), readNumberPoint);
        data = { kind: 'sum', points: d.points, monotonic: d.monotonic, temporality: temporalityFromEnum(d.temporality) };
        break;
      }
      case 9: {
        const d = readData(r.message(), (p) => readHistogramPoint(p, false));
        data = { kind: 'histogram', points: d.points, temporality: temporalityFromEnum(d.temporality) };
        break;
      }
      case 10: {
        const d = readData(r.message(), (p) => readHistogramPoint(p, true));
        data = { kind: 'exponential_histogram', points: d.points, temporality: temporalityFromEnum(d.temporality) };
        break;
      }
      case 11:
        data = { kind: 'summary', points: readData(r.message(), readSummaryPoint).points };
        break;
      default:
        r.skip(f.wire);
    }
  }
  return { name, unit, data };
}

/** ScopeMetrics: metrics = 2 (scope = 1 is not needed). */
function readScopeMetrics(r: ProtoReader, into: OtlpMetric[]): void {
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 2 && f.wire === WIRE.LEN) into.push(readMetric(r.message()));
    else r.skip(f.wire);
  }
}

/** ResourceMetrics: resource = 1, scope_metrics = 2. */
function readResourceMetrics(r: ProtoReader): ResourceMetrics {
  let resource = new Map<string, AttributeValue>();
  const metrics: OtlpMetric[] = [];
  for (let f = r.next(); f; f = r.next()) {
    if (f.field === 1 && f.wire === WIRE.LEN) resource = readResource(r.message());
    else if (f.field === 2 && f.wire === WIRE.LEN) readScopeMetrics(r.message(), metrics);
    else r.skip(f.wire);
  }
  return { resource, metrics };
}

/** ExportMetricsServiceRequest: resource_metrics = 1. Never throws: malformed input is a reason. */
export function decodeProtobufRequest(body: Uint8Array): DecodeResult {
  try {
    const r = new ProtoReader(body);
    const resourceMetrics: ResourceMetrics[] = [];
    for (let f = r.next(); f; f = r.next()) {
      if (f.field === 1 && f.wire === WIRE.LEN) resourceMetrics.push(readResourceMetrics(r.message()));
      else r.skip(f.wire);
    }
    return { ok: true, request: { resourceMetrics } };
  } catch (error) {
    if (error instanceof ProtoError) return { ok: false, reason: `protobuf: ${error.message}` };
    // A RangeError from DataView on a corrupt length is the same problem.
    if (error instanceof RangeError) return { ok: false, reason: `protobuf: ${error.message}` };
    throw error;
  }
}
