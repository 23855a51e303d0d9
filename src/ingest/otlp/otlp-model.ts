// The subset of an OTLP ExportMetricsServiceRequest we use, shared by the protobuf and JSON decoders.

/** Attribute values we keep: scalars. Arrays, maps and bytes are dropped (never an agent id or a matcher). */
export type AttributeValue = string | number | boolean;
/** A Map, so attribute keys such as `__proto__` are plain keys. */
export type Attributes = ReadonlyMap<string, AttributeValue>;

/** AggregationTemporality of OTLP: 1 = delta, 2 = cumulative; 0 (unspecified) is treated as cumulative. */
export type Temporality = 'delta' | 'cumulative';

interface PointBase {
  readonly attributes: Attributes;
  /** ns since the epoch; 0n when absent. */
  readonly startTimeNs: bigint;
  readonly timeNs: bigint;
}

export interface NumberPoint extends PointBase {
  readonly value: number;
}

export interface HistogramPoint extends PointBase {
  readonly count: number;
  readonly sum: number | undefined;
  /** Per-bucket (not cumulative) counts; bounds.length + 1 entries when present. */
  readonly bucketCounts: readonly number[];
  readonly bounds: readonly number[];
}

export interface SummaryPoint extends PointBase {
  readonly count: number;
  readonly sum: number;
  readonly quantiles: readonly { readonly quantile: number; readonly value: number }[];
}

export type MetricData =
  | { readonly kind: 'gauge'; readonly points: readonly NumberPoint[] }
  | { readonly kind: 'sum'; readonly points: readonly NumberPoint[]; readonly monotonic: boolean; readonly temporality: Temporality }
  | { readonly kind: 'histogram'; readonly points: readonly HistogramPoint[]; readonly temporality: Temporality }
  /** Exponential histograms keep count and sum only (no quantiles from them). */
  | { readonly kind: 'exponential_histogram'; readonly points: readonly HistogramPoint[]; readonly temporality: Temporality }
  | { readonly kind: 'summary'; readonly points: readonly SummaryPoint[] }
  | { readonly kind: 'none' };

export interface OtlpMetric {
  readonly name: string;
  readonly unit: string;
  readonly data: MetricData;
}

export interface ResourceMetrics {
  readonly resource: Attributes;
  readonly metrics: readonly OtlpMetric[];
}

export interface OtlpRequest {
  readonly resourceMetrics: readonly ResourceMetrics[];
}

export type DecodeResult = { readonly ok: true; readonly request: OtlpRequest } | { readonly ok: false; readonly reason: string };

/** Data points in a request (for partial-success accounting). */
export function countPoints(request: OtlpRequest): number {
  let n = 0;
  for (const rm of request.resourceMetrics) {
    for (const m of rm.metrics) if (m.data.kind !== 'none') n += m.data.points.length;
  }
  return n;
}

export function temporalityFromEnum(value: number): Temporality {
  return value === 1 ? 'delta' : 'cumulative';
}
