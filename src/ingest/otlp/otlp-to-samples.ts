// Maps an OTLP request onto agent samples following the OTLP mapping; pure apart from the delta state.
import type { Sample } from '../../model/sample.js';
import { counterIncrease } from '../../analysis/counter-rate.js';
import { type Bucket, histogramQuantile } from '../../analysis/histogram-quantile.js';
import type { Attributes, HistogramPoint, NumberPoint, OtlpRequest, SummaryPoint, Temporality } from './otlp-model.js';
import { type OtlpMapping, type OtlpMappingEntry, statQuantile } from '../../config/otlp-mapping.js';

/** What a cumulative series looked like at its previous export. */
interface Previous {
  readonly startTimeNs: bigint;
  readonly timeNs: bigint;
  readonly count: number;
  readonly sum: number;
  /** Per-bucket counts (histograms) or [value] (sums). */
  readonly buckets: readonly number[];
}

/**
 * Previous points of cumulative series, and when each (entry, swarm, agent) last exported, least
 * recently seen first (a Map keeps insertion order; a touched key is re-inserted at the end).
 * Both maps are bounded by `maxSeries`.
 */
export class OtlpDeltaState {
  private readonly series = new Map<string, Previous>();
  private readonly exports = new Map<string, bigint>();
  constructor(private readonly maxSeries: number) {}

  get size(): number {
    return this.series.size;
  }

  /** Returns the previous point and stores the current one. */
  swap(key: string, current: Previous): Previous | undefined {
    const previous = this.series.get(key);
    touch(this.series, key, current, this.maxSeries);
    return previous;
  }

  /** Time (ns) of the previous export of an (entry, swarm, agent), if any. */
  lastExport(key: string): bigint | undefined {
    return this.exports.get(key);
  }

  recordExport(key: string, timeNs: bigint): void {
    touch(this.exports, key, timeNs, this.maxSeries);
  }
}

function touch<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}

export interface OtlpMappingResult {
  readonly samples: Sample[];
  /** Every (swarm, agent) the request named, with or without samples: a first export registers its agent. */
  readonly agents: readonly { readonly swarm: string; readonly agent: string }[];
  /** Points of mapped metrics that named no agent: rejected (reported as partial success). */
  readonly unattributed: number;
}

/** Everything observed for one (mapping entry, swarm, agent) in one request. */
interface Accumulator {
  count: number;
  sum: number;
  errors: number;
  /** Σ per-series (increase of count / seconds): a rate summed over series, like sum(rate()). */
  rate: number;
  sumRate: number;
  hasRate: boolean;
  value: number;
  hasValue: boolean;
  /** Upper bound → increase of that (non-cumulative) bucket. */
  buckets: Map<number, number>;
  /** Summary quantile → highest value across series. */
  quantiles: Map<number, number>;
  timeNs: bigint;
  /** When this agent's entry exported before this request (ns), if it did. */
  previousExportNs: bigint | undefined;
}

/** The first of `keys` on the data point; only when none is there, the first on the resource. */
function lookup(keys: readonly string[], point: Attributes, resource: Attributes): string | undefined {
  for (const attributes of [point, resource]) {
    for (const key of keys) {
      const value = attributes.get(key);
      if (value !== undefined && value !== '') return String(value);
    }
  }
  return undefined;
}

function matches(entry: OtlpMappingEntry, attributes: Attributes): boolean {
  for (const [key, expected] of Object.entries(entry.match)) {
    const actual = attributes.get(key);
    if (actual === undefined || String(actual) !== expected) return false;
  }
  return true;
}

function seriesKey(entryIndex: number, swarm: string, agent: string, attributes: Attributes): string {
  const parts = [...attributes].map(([k, v]) => `${k}\u0000${String(v)}`).sort();
  return `${entryIndex}\u0001${swarm}\u0001${agent}\u0001${parts.join('\u0001')}`;
}

const NS_PER_S = 1e9;

/** An increase of a series since the previous export, over `seconds`. */
interface Delta {
  readonly count: number;
  readonly sum: number;
  readonly buckets: readonly number[];
  readonly seconds: number;
}

/**
 * The increase since the previous export and its duration in seconds. Delta points are their own
 * increase over [start, time]. A cumulative point is compared with the series' previous point;
 * a changed start time or a decreasing count means a restart, whose increase is the whole point
 * since its start. A series seen for the first time counts whole when its agent exported before
 * (cumulative exports carry every series each time, so it had no observations then); when the
 * agent itself is new to us, the point counts whole over [start, time] if it started at or after
 * `firstSinceNs` (after the exporter started, or within the window: its whole history is then
 * known, as the Collector's cumulativetodelta processor assumes with `initial_value: auto`), and
 * otherwise only primes the state, as its history is unknown.
 */
function delta(
  temporality: Temporality,
  state: OtlpDeltaState,
  key: string,
  current: Previous,
  previousExportNs: bigint | undefined,
  firstSinceNs?: bigint,
): Delta | undefined {
  // Without a start time the interval of a delta (or of a restart) is unknown: no rate then.
  const sinceStart = current.startTimeNs > 0n ? Number(current.timeNs - current.startTimeNs) / NS_PER_S : 0;
  if (temporality === 'delta') return { count: current.count, sum: current.sum, buckets: current.buckets, seconds: sinceStart };
  const previous = state.swap(key, current);
  if (previous === undefined) {
    if (previousExportNs === undefined) {
      const knownStart =
        firstSinceNs !== undefined &&
        current.startTimeNs > 0n &&
        current.startTimeNs >= firstSinceNs &&
        current.timeNs > current.startTimeNs;
      return knownStart ? { count: current.count, sum: current.sum, buckets: current.buckets, seconds: sinceStart } : undefined;
    }
    if (current.timeNs <= previousExportNs) return undefined;
    // The agent's interval, not the series' own start: SDKs start a new attribute set at its first
    // measurement, and summing per-series rates over such short spans would inflate the rate.
    return {
      count: current.count,
      sum: current.sum,
      buckets: current.buckets,
      seconds: Number(current.timeNs - previousExportNs) / NS_PER_S,
    };
  }
  const restarted = previous.startTimeNs !== current.startTimeNs || current.count < previous.count || current.timeNs < previous.timeNs;
  if (restarted) return { count: current.count, sum: current.sum, buckets: current.buckets, seconds: sinceStart };
  return {
    count: current.count - previous.count,
    sum: current.sum - previous.sum,
    buckets: current.buckets.map((c, i) => counterIncrease(previous.buckets[i] ?? 0, c) ?? 0),
    seconds: Number(current.timeNs - previous.timeNs) / NS_PER_S,
  };
}

function newAccumulator(previousExportNs: bigint | undefined): Accumulator {
  return {
    count: 0,
    sum: 0,
    errors: 0,
    rate: 0,
    sumRate: 0,
    hasRate: false,
    value: 0,
    hasValue: false,
    buckets: new Map(),
    quantiles: new Map(),
    timeNs: 0n,
    previousExportNs,
  };
}

/**
 * Evaluates the mapping over one request. Points of metrics that no entry names are ignored;
 * points that match an entry but name no agent are counted as unattributed. Values that are not
 * finite are never delivered; statistics without observations in the interval (mean, ratios,
 * quantiles) give no sample rather than 0.
 */
export interface OtlpMappingOptions {
  /**
   * A new agent's first cumulative point whose start time is at or after this (ns since the epoch)
   * is used as data over [start, time]; earlier (or absent) starts only prime the state.
   */
  readonly firstCumulativeSinceNs?: bigint;
}

export function mapOtlpRequest(
  request: OtlpRequest,
  mapping: OtlpMapping,
  state: OtlpDeltaState,
  options: OtlpMappingOptions = {},
): OtlpMappingResult {
  const since = options.firstCumulativeSinceNs;
  const bySource = new Map<string, number[]>();
  mapping.metrics.forEach((entry, i) => {
    const list = bySource.get(entry.source);
    if (list) list.push(i);
    else bySource.set(entry.source, [i]);
  });
  const accumulators = new Map<string, { key: string; entry: number; swarm: string; agent: string; acc: Accumulator }>();
  let unattributed = 0;

  const accumulatorFor = (entry: number, swarm: string, agent: string): Accumulator => {
    const key = `${entry}\u0001${swarm}\u0001${agent}`;
    let slot = accumulators.get(key);
    if (!slot) {
      slot = { key, entry, swarm, agent, acc: newAccumulator(state.lastExport(key)) };
      accumulators.set(key, slot);
    }
    return slot.acc;
  };

  for (const rm of request.resourceMetrics) {
    for (const metric of rm.metrics) {
      const entries = bySource.get(metric.name);
      if (!entries || metric.data.kind === 'none') continue;
      const data = metric.data;
      for (const point of data.points) {
        for (const entryIndex of entries) {
          const entry = mapping.metrics[entryIndex];
          if (!entry || !matches(entry, point.attributes)) continue;
          const agent = lookup(mapping.agent_attributes, point.attributes, rm.resource);
          if (agent === undefined) {
            unattributed += 1;
            continue;
          }
          const swarm = lookup(mapping.swarm_attributes, point.attributes, rm.resource) ?? mapping.default_swarm;
          const acc = accumulatorFor(entryIndex, swarm, agent);
          if (point.timeNs > acc.timeNs) acc.timeNs = point.timeNs;
          const key = seriesKey(entryIndex, swarm, agent, point.attributes);
          const failed = point.attributes.has(mapping.error_attribute);
          switch (data.kind) {
            case 'gauge':
              addValue(acc, point as NumberPoint);
              break;
            case 'sum':
              if (data.monotonic) addMonotonicSum(acc, point as NumberPoint, data.temporality, state, key, since);
              else addValue(acc, point as NumberPoint);
              break;
            case 'histogram':
            case 'exponential_histogram':
              addHistogram(acc, point as HistogramPoint, data.temporality, state, key, failed, since);
              break;
            case 'summary':
              addSummary(acc, point as SummaryPoint, state, key, failed, since);
              break;
          }
        }
      }
    }
  }

  const samples: Sample[] = [];
  const agents = new Map<string, { swarm: string; agent: string }>();
  for (const { key, entry, swarm, agent, acc } of accumulators.values()) {
    agents.set(`${swarm}\u0001${agent}`, { swarm, agent });
    if (acc.timeNs > (acc.previousExportNs ?? -1n)) state.recordExport(key, acc.timeNs);
    const outputs = mapping.metrics[entry]?.outputs ?? {};
    const timestamp = Number(acc.timeNs / 1_000_000n);
    for (const [metric, stat] of Object.entries(outputs)) {
      const value = statistic(acc, stat);
      if (value !== undefined && Number.isFinite(value)) samples.push({ swarm, agent, metric, value, timestamp });
    }
  }
  return { samples, agents: [...agents.values()], unattributed };
}

function addValue(acc: Accumulator, point: NumberPoint): void {
  if (!Number.isFinite(point.value)) return;
  acc.value += point.value;
  acc.hasValue = true;
}

function addMonotonicSum(
  acc: Accumulator,
  point: NumberPoint,
  temporality: Temporality,
  state: OtlpDeltaState,
  key: string,
  since: bigint | undefined,
): void {
  addValue(acc, point);
  if (!Number.isFinite(point.value)) return;
  const d = delta(
    temporality,
    state,
    key,
    { startTimeNs: point.startTimeNs, timeNs: point.timeNs, count: point.value, sum: 0, buckets: [] },
    acc.previousExportNs,
    since,
  );
  if (d && d.seconds > 0 && d.count >= 0) {
    acc.rate += d.count / d.seconds;
    // A counter's value is its own sum (tokens, dollars): sum_rate reads the same increase.
    acc.sumRate += d.count / d.seconds;
    acc.hasRate = true;
  }
}

function addHistogram(
  acc: Accumulator,
  point: HistogramPoint,
  temporality: Temporality,
  state: OtlpDeltaState,
  key: string,
  failed: boolean,
  since: bigint | undefined,
): void {
  const d = delta(
    temporality,
    state,
    key,
    { startTimeNs: point.startTimeNs, timeNs: point.timeNs, count: point.count, sum: point.sum ?? 0, buckets: point.bucketCounts },
    acc.previousExportNs,
    since,
  );
  if (!addObservations(acc, d, failed)) return;
  // Explicit buckets: bucket i holds (bounds[i-1], bounds[i]]; the last one is (bounds[n-1], +Inf).
  if (d.buckets.length === point.bounds.length + 1) {
    d.buckets.forEach((c, i) => {
      const upper = point.bounds[i] ?? Infinity;
      acc.buckets.set(upper, (acc.buckets.get(upper) ?? 0) + c);
    });
  }
}

function addSummary(
  acc: Accumulator,
  point: SummaryPoint,
  state: OtlpDeltaState,
  key: string,
  failed: boolean,
  since: bigint | undefined,
): void {
  // Summaries are always cumulative in OTLP.
  const d = delta(
    'cumulative',
    state,
    key,
    { startTimeNs: point.startTimeNs, timeNs: point.timeNs, count: point.count, sum: point.sum, buckets: [] },
    acc.previousExportNs,
    since,
  );
  for (const { quantile, value } of point.quantiles) {
    if (Number.isFinite(value)) acc.quantiles.set(quantile, Math.max(acc.quantiles.get(quantile) ?? -Infinity, value));
  }
  addObservations(acc, d, failed);
}

/**
 * Adds a histogram's or a summary's observations (count, sum, errors, rates) of one interval.
 * False, adding nothing, when the interval is unusable (no delta, or a negative count).
 */
function addObservations(acc: Accumulator, d: Delta | undefined, failed: boolean): d is Delta {
  if (!d || d.count < 0) return false;
  acc.count += d.count;
  acc.sum += d.sum;
  if (failed) acc.errors += d.count;
  if (d.seconds > 0) {
    acc.rate += d.count / d.seconds;
    acc.sumRate += d.sum / d.seconds;
    acc.hasRate = true;
  }
  return true;
}

function statistic(acc: Accumulator, stat: string): number | undefined {
  switch (stat) {
    case 'value':
      return acc.hasValue ? acc.value : undefined;
    case 'rate':
      return acc.hasRate ? acc.rate : undefined;
    case 'sum_rate':
      return acc.hasRate ? acc.sumRate : undefined;
    case 'mean':
      return acc.count > 0 ? acc.sum / acc.count : undefined;
    case 'error_ratio':
      return acc.count > 0 ? acc.errors / acc.count : undefined;
    default: {
      const q = statQuantile(stat);
      if (q === undefined) return undefined;
      const reported = acc.quantiles.get(q);
      if (reported !== undefined) return reported;
      let cumulative = 0;
      const buckets: Bucket[] = [...acc.buckets]
        .sort(([a], [b]) => a - b)
        .map(([upperBound, count]) => ({ upperBound, count: (cumulative += count) }));
      return histogramQuantile(q, buckets);
    }
  }
}
