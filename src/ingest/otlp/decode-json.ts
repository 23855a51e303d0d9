// Decodes an OTLP/HTTP JSON ExportMetricsServiceRequest (already JSON.parsed) into the OtlpRequest model.
// OTLP/JSON rules: lowerCamelCase keys (snake_case accepted too), 64-bit integers as strings or
// numbers, enums as integers (names accepted), unknown fields ignored.
import type {
  AttributeValue,
  DecodeResult,
  HistogramPoint,
  MetricData,
  NumberPoint,
  OtlpMetric,
  ResourceMetrics,
  SummaryPoint,
  Temporality,
} from './otlp-model.js';

class JsonShapeError extends Error {}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Own field by its camelCase or snake_case name. */
function field(obj: Json, camel: string): unknown {
  if (Object.hasOwn(obj, camel)) return obj[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return Object.hasOwn(obj, snake) ? obj[snake] : undefined;
}

function list(obj: Json, key: string, where: string): unknown[] {
  const value = field(obj, key);
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new JsonShapeError(`${where}.${key}: expected an array`);
  return value;
}

function object(value: unknown, where: string): Json {
  if (!isObject(value)) throw new JsonShapeError(`${where}: expected an object`);
  return value;
}

/** A number given as a JSON number or a decimal string (int64/fixed64 in OTLP/JSON). */
function num(value: unknown, where: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$|^(NaN|-?Infinity)$/.test(value)) return Number(value);
  throw new JsonShapeError(`${where}: expected a number`);
}

/** A nanosecond timestamp, exact. */
function nanos(value: unknown, where: string): bigint {
  if (value === undefined || value === null) return 0n;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.round(value));
  throw new JsonShapeError(`${where}: expected unsigned nanoseconds`);
}

function temporality(value: unknown): Temporality {
  return value === 1 || value === '1' || value === 'AGGREGATION_TEMPORALITY_DELTA' ? 'delta' : 'cumulative';
}

function anyValue(value: unknown): AttributeValue | undefined {
  if (!isObject(value)) return undefined;
  const s = field(value, 'stringValue');
  if (typeof s === 'string') return s;
  const b = field(value, 'boolValue');
  if (typeof b === 'boolean') return b;
  const i = field(value, 'intValue');
  if (typeof i === 'number' || typeof i === 'string') return Number(i);
  const d = field(value, 'doubleValue');
  if (typeof d === 'number') return d;
  return undefined;
}

function attributes(obj: Json, key: string, where: string): Map<string, AttributeValue> {
  const out = new Map<string, AttributeValue>();
  for (const [i, raw] of list(obj, key, where).entries()) {
    const kv = object(raw, `${where}.${key}[${i}]`);
    const name = field(kv, 'key');
    const value = anyValue(field(kv, 'value'));
    if (typeof name === 'string' && name !== '' && value !== undefined) out.set(name, value);
  }
  return out;
}

function numberPoint(raw: unknown, where: string): NumberPoint {
  const p = object(raw, where);
  const asDouble = field(p, 'asDouble');
  const asInt = field(p, 'asInt');
  return {
    attributes: attributes(p, 'attributes', where),
    startTimeNs: nanos(field(p, 'startTimeUnixNano'), `${where}.startTimeUnixNano`),
    timeNs: nanos(field(p, 'timeUnixNano'), `${where}.timeUnixNano`),
    value: asDouble !== undefined ? num(asDouble, `${where}.asDouble`) : asInt !== undefined ? num(asInt, `${where}.asInt`) : NaN,
  };
}

function histogramPoint(raw: unknown, where: string): HistogramPoint {
  const p = object(raw, where);
  const sum = field(p, 'sum');
  return {
    attributes: attributes(p, 'attributes', where),
    startTimeNs: nanos(field(p, 'startTimeUnixNano'), `${where}.startTimeUnixNano`),
    timeNs: nanos(field(p, 'timeUnixNano'), `${where}.timeUnixNano`),
    count: num(field(p, 'count'), `${where}.count`),
    sum: sum === undefined || sum === null ? undefined : num(sum, `${where}.sum`),
    bucketCounts: list(p, 'bucketCounts', where).map((c, i) => num(c, `${where}.bucketCounts[${i}]`)),
    bounds: list(p, 'explicitBounds', where).map((c, i) => num(c, `${where}.explicitBounds[${i}]`)),
  };
}

function summaryPoint(raw: unknown, where: string): SummaryPoint {
  const p = object(raw, where);
  return {
    attributes: attributes(p, 'attributes', where),
    startTimeNs: nanos(field(p, 'startTimeUnixNano'), `${where}.startTimeUnixNano`),
    timeNs: nanos(field(p, 'timeUnixNano'), `${where}.timeUnixNano`),
    count: num(field(p, 'count'), `${where}.count`),
    sum: num(field(p, 'sum'), `${where}.sum`),
    quantiles: list(p, 'quantileValues', where).map((q, i) => {
      const o = object(q, `${where}.quantileValues[${i}]`);
      return {
        quantile: num(field(o, 'quantile'), `${where}.quantileValues[${i}].quantile`),
        value: num(field(o, 'value'), `${where}.quantileValues[${i}].value`),
      };
    }),
  };
}

function metric(raw: unknown, where: string): OtlpMetric {
  const m = object(raw, where);
  const name = field(m, 'name');
  const unit = field(m, 'unit');
  let data: MetricData = { kind: 'none' };
  const points = <P>(body: Json, read: (p: unknown, w: string) => P, w: string): P[] =>
    list(body, 'dataPoints', w).map((p, i) => read(p, `${w}.dataPoints[${i}]`));
  const gauge = field(m, 'gauge');
  const sum = field(m, 'sum');
  const histogram = field(m, 'histogram');
  const exponential = field(m, 'exponentialHistogram');
  const summary = field(m, 'summary');
  if (isObject(gauge)) data = { kind: 'gauge', points: points(gauge, numberPoint, `${where}.gauge`) };
  else if (isObject(sum))
    data = {
      kind: 'sum',
      points: points(sum, numberPoint, `${where}.sum`),
      monotonic: field(sum, 'isMonotonic') === true,
      temporality: temporality(field(sum, 'aggregationTemporality')),
    };
  else if (isObject(histogram))
    data = {
      kind: 'histogram',
      points: points(histogram, histogramPoint, `${where}.histogram`),
      temporality: temporality(field(histogram, 'aggregationTemporality')),
    };
  else if (isObject(exponential))
    data = {
      kind: 'exponential_histogram',
      // Exponential buckets are not read: only count and sum are used.
      points: points(exponential, (p, w) => ({ ...histogramPoint(p, w), bucketCounts: [], bounds: [] }), `${where}.exponentialHistogram`),
      temporality: temporality(field(exponential, 'aggregationTemporality')),
    };
  else if (isObject(summary)) data = { kind: 'summary', points: points(summary, summaryPoint, `${where}.summary`) };
  return { name: typeof name === 'string' ? name : '', unit: typeof unit === 'string' ? unit : '', data };
}

/** Never throws on any parsed JSON: a wrong shape is a reason naming the path. */
export function decodeJsonRequest(body: unknown): DecodeResult {
  try {
    const root = object(body, 'body');
    const resourceMetrics: ResourceMetrics[] = list(root, 'resourceMetrics', 'body').map((raw, i) => {
      const where = `resourceMetrics[${i}]`;
      const rm = object(raw, where);
      const resource = field(rm, 'resource');
      const metrics: OtlpMetric[] = [];
      for (const [j, sm] of list(rm, 'scopeMetrics', where).entries()) {
        const scope = object(sm, `${where}.scopeMetrics[${j}]`);
        for (const [k, m] of list(scope, 'metrics', `${where}.scopeMetrics[${j}]`).entries())
          metrics.push(metric(m, `${where}.scopeMetrics[${j}].metrics[${k}]`));
      }
      return { resource: isObject(resource) ? attributes(resource, 'attributes', `${where}.resource`) : new Map(), metrics };
    });
    return { ok: true, request: { resourceMetrics } };
  } catch (error) {
    if (error instanceof JsonShapeError) return { ok: false, reason: error.message };
    throw error;
  }
}
