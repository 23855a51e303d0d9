// Turns one scraped page into samples per agent following the mapping; pure apart from the state it carries.
import type { Sample } from '../../model/sample.js';
import { parseFloatToken } from '../text-format/parse-float.js';
import type { ExpositionSample, MetricFamily, MetricType } from '../text-format/types.js';
import { counterIncrease, counterRate } from '../../analysis/counter-rate.js';
import { type Bucket, histogramQuantile } from '../../analysis/histogram-quantile.js';
import { matchesAll, type LabelMatcher } from './label-matcher.js';
import type { Aggregation, MappingEntry, MappingKind, ScrapeMapping } from './mapping-schema.js';
import type { ScrapeTarget } from './scrape-target.js';

/** Previous observations of one target, carried from one scrape to the next. */
export class MappingState {
  /** Counter series → last point. */
  counters = new Map<string, { value: number; timestampMs: number }>();
  /** Histogram series (labels without `le`) → last cumulative count per bound, and its time. */
  histograms = new Map<string, { bounds: Map<string, number>; timestampMs: number }>();
}

export interface MappingResult {
  readonly samples: Sample[];
  /** Agents that had at least one series on the page, even without a value yet (first scrape of a rate). */
  readonly agents: ReadonlySet<string>;
}

interface Located {
  readonly sample: ExpositionSample;
  readonly type: MetricType;
}

/** A source series with the agent it belongs to. */
interface AgentSeries {
  readonly agent: string;
  readonly sample: ExpositionSample;
  readonly type: MetricType;
}

/** Stable identity of a label set (sorted), optionally leaving one label out. */
function labelKey(labels: Readonly<Record<string, string>>, omit?: string): string {
  const names = Object.keys(labels)
    .filter((n) => n !== omit)
    .sort();
  let key = '';
  for (const n of names) key += `${n}\u0000${labels[n] ?? ''}\u0001`;
  return key;
}

function aggregate(values: readonly number[], how: Aggregation): number | undefined {
  if (values.length === 0) return undefined;
  switch (how) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
  }
}

/** Groups a value list per agent. */
function pushTo(map: Map<string, number[]>, agent: string, value: number): void {
  const list = map.get(agent);
  if (list) list.push(value);
  else map.set(agent, [value]);
}

/**
 * Evaluates the mapping on one page of one target. `scrapeTimeMs` stamps the samples and times
 * rates unless the page carries its own timestamps (then the newest one of the series a value was
 * computed from stamps it, so it lands in the step the page names). Values that are NaN or infinite are dropped,
 * never delivered; a rate or histogram quantile needs two scrapes, so the first gives nothing
 * for those metrics. `state` is updated in place and keeps only series seen on this page.
 */
export function applyMapping(
  families: readonly MetricFamily[],
  target: ScrapeTarget,
  mapping: ScrapeMapping,
  state: MappingState,
  scrapeTimeMs: number,
): MappingResult {
  const wanted = new Set<string>();
  for (const entry of Object.values(mapping)) {
    for (const name of sourceNames(entry.metric, entry.kind)) wanted.add(name);
    if (entry.divide_by) for (const name of sourceNames(entry.divide_by.metric, entry.kind)) wanted.add(name);
  }
  const byName = new Map<string, Located[]>();
  for (const family of families) {
    for (const sample of family.samples) {
      if (!wanted.has(sample.name)) continue;
      const list = byName.get(sample.name);
      const located = { sample, type: family.type };
      if (list) list.push(located);
      else byName.set(sample.name, [located]);
    }
  }

  const nextCounters = new Map<string, { value: number; timestampMs: number }>();
  const nextHistograms = new Map<string, { bounds: Map<string, number>; timestampMs: number }>();
  const agents = new Set<string>();
  const samples: Sample[] = [];
  /** Newest page timestamp of the series each (mapping entry, agent) was computed from, when the page gave one. */
  const stamps = new Map<string, number>();
  const stamp = (key: string, agent: string, timestampMs: number | undefined): void => {
    if (timestampMs === undefined) return;
    const k = `${key}\u0001${agent}`;
    stamps.set(k, Math.max(stamps.get(k) ?? -Infinity, timestampMs));
  };

  const seriesOf = (metric: string, matchers: readonly LabelMatcher[], suffix = ''): AgentSeries[] => {
    const out: AgentSeries[] = [];
    for (const { sample, type } of byName.get(metric + suffix) ?? []) {
      if (!matchesAll(matchers, sample.labels)) continue;
      let agent: string | undefined;
      if ('fixed' in target.agent) agent = target.agent.fixed;
      else agent = Object.hasOwn(sample.labels, target.agent.label) ? sample.labels[target.agent.label] : undefined;
      if (agent === undefined || agent === '') continue;
      agents.add(agent);
      out.push({ agent, sample, type });
    }
    return out;
  };

  /** Per-agent values of one source for the entry's kind; `role` keeps numerator and denominator state apart. */
  const evaluate = (
    key: string,
    role: string,
    metric: string,
    matchers: readonly LabelMatcher[],
    entry: MappingEntry,
  ): Map<string, number[]> => {
    const perAgent = new Map<string, number[]>();
    if (entry.kind === 'histogram_quantile') {
      evaluateHistogram(
        `${key}|${role}`,
        seriesOf(metric, matchers, '_bucket'),
        entry.quantile ?? 0.5,
        scrapeTimeMs,
        state,
        nextHistograms,
        perAgent,
      );
      return perAgent;
    }
    for (const { agent, sample, type } of seriesOf(metric, matchers)) {
      const kind = resolveKind(entry.kind, type);
      if (kind === 'summary_quantile') {
        if (parseFloatToken(sample.labels['quantile'] ?? '') !== entry.quantile || !Number.isFinite(sample.value)) continue;
        pushTo(perAgent, agent, sample.value);
        stamp(key, agent, sample.timestampMs);
      } else if (kind === 'counter') {
        const seriesKey = `${key}|${role}|${labelKey(sample.labels)}`;
        const current = { value: sample.value, timestampMs: sample.timestampMs ?? scrapeTimeMs };
        const previous = state.counters.get(seriesKey);
        if (Number.isFinite(current.value)) nextCounters.set(seriesKey, current);
        if (previous === undefined) continue;
        const rate = counterRate(previous, current);
        if (rate !== undefined) {
          pushTo(perAgent, agent, rate);
          stamp(key, agent, sample.timestampMs);
        }
      } else if (Number.isFinite(sample.value)) {
        pushTo(perAgent, agent, sample.value);
        stamp(key, agent, sample.timestampMs);
      }
    }
    return perAgent;
  };

  for (const [key, entry] of Object.entries(mapping)) {
    const how = entry.aggregate ?? (entry.kind === 'histogram_quantile' || entry.kind === 'summary_quantile' ? 'max' : 'sum');
    const numerators = evaluate(key, 'num', entry.metric, entry.matchers, entry);
    const denominators = entry.divide_by ? evaluate(key, 'den', entry.divide_by.metric, entry.divide_by.matchers, entry) : undefined;
    for (const [agent, values] of numerators) {
      let value = aggregate(values, how);
      if (value === undefined) continue;
      if (denominators) {
        const denominator = aggregate(denominators.get(agent) ?? [], how);
        // No denominator activity (e.g. zero requests in the interval): no ratio, rather than 0 or Inf.
        if (denominator === undefined || denominator === 0) continue;
        value /= denominator;
      }
      value *= entry.scale;
      // A page that stamps its samples (the exposition format's optional timestamp) names their step.
      if (Number.isFinite(value))
        samples.push({ swarm: target.swarm, agent, metric: key, value, timestamp: stamps.get(`${key}\u0001${agent}`) ?? scrapeTimeMs });
    }
  }
  state.counters = nextCounters;
  state.histograms = nextHistograms;
  return { samples, agents };
}

/** Sample names a mapping entry reads. */
function sourceNames(metric: string, kind: MappingKind): string[] {
  return kind === 'histogram_quantile' ? [`${metric}_bucket`] : [metric];
}

function resolveKind(kind: MappingKind, type: MetricType): MappingKind {
  if (kind !== 'auto') return kind;
  return type === 'counter' ? 'counter' : 'gauge';
}

/**
 * Quantile of the observations between the previous and this scrape, per agent: per series the
 * bucket increases (reset-aware: any decreasing bucket means a restart, so the whole current
 * histogram counts), summed per agent and bound, then PromQL's bucket interpolation.
 */
function evaluateHistogram(
  prefix: string,
  series: readonly AgentSeries[],
  q: number,
  scrapeTimeMs: number,
  state: MappingState,
  next: Map<string, { bounds: Map<string, number>; timestampMs: number }>,
  perAgent: Map<string, number[]>,
): void {
  // Group bucket samples into histograms: one per agent and label set without `le`.
  const groups = new Map<string, { agent: string; bounds: Map<string, number>; timestampMs: number }>();
  for (const { agent, sample } of series) {
    const le = sample.labels['le'];
    if (le === undefined) continue;
    const key = `${prefix}|${agent}|${labelKey(sample.labels, 'le')}`;
    let group = groups.get(key);
    if (!group) {
      group = { agent, bounds: new Map(), timestampMs: sample.timestampMs ?? scrapeTimeMs };
      groups.set(key, group);
    }
    group.bounds.set(le, sample.value);
  }
  const increases = new Map<string, Map<number, number>>();
  for (const [key, group] of groups) {
    next.set(key, { bounds: group.bounds, timestampMs: group.timestampMs });
    const previous = state.histograms.get(key);
    if (previous === undefined || !(group.timestampMs > previous.timestampMs)) continue;
    let reset = false;
    for (const [le, count] of group.bounds) {
      const before = previous.bounds.get(le);
      if (before !== undefined && count < before) reset = true;
    }
    let agentIncrease = increases.get(group.agent);
    if (!agentIncrease) {
      agentIncrease = new Map();
      increases.set(group.agent, agentIncrease);
    }
    for (const [le, count] of group.bounds) {
      // `le` uses the exposition float grammar ("+Inf", "1e-05"), which Number() does not fully accept.
      const bound = parseFloatToken(le);
      const increase = reset ? count : counterIncrease(previous.bounds.get(le) ?? 0, count);
      if (bound === undefined || Number.isNaN(bound) || increase === undefined) continue;
      agentIncrease.set(bound, (agentIncrease.get(bound) ?? 0) + increase);
    }
  }
  for (const [agent, bounds] of increases) {
    const buckets: Bucket[] = [...bounds].map(([upperBound, count]) => ({ upperBound, count }));
    const value = histogramQuantile(q, buckets);
    if (value !== undefined) pushTo(perAgent, agent, value);
  }
}
