// The exporter's own process and Node.js runtime metrics (prom-client's default process_* and nodejs_* families), made promtool-clean.
import { PROCESS_METRICS } from '../model/metric-catalogue.js';
import { collectDefaultMetrics, type Registry } from '../runtime/prom.js';

/** Resolution of the event-loop delay histogram in ms (prom-client's default is 10). */
const EVENT_LOOP_RESOLUTION_MS = 10;

/**
 * prom-client's gauges with a `_total` suffix: `promtool check metrics` rejects a non-counter named
 * `_total`, and each has a twin without the suffix broken down by `type` (sum it for the total).
 */
const LINT_FAILING_FAMILIES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'] as const;

/** Event-loop delay statistics read from a histogram that is reset on every scrape. */
const LAG_STATISTICS = [
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
] as const;

/**
 * An empty histogram reports NaN mean/stddev and its sentinel minimum (2^63 ns, about 292 years);
 * such values are dropped so the page never carries NaN or a nonsense lag (a scrape right after
 * start, or two scrapes within one resolution tick).
 */
const EMPTY_HISTOGRAM_SECONDS = 9e9;

function plausibleLag(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value < EMPTY_HISTOGRAM_SECONDS;
}

/**
 * Registers `process_*` and `nodejs_*` (CPU, memory, file descriptors, heap, GC, event-loop lag) on
 * `registry`, exactly the families listed in PROCESS_METRICS (docs/design.md#metrics).
 */
export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_RESOLUTION_MS });
  for (const name of LINT_FAILING_FAMILIES) registry.removeSingleMetric(name);
  for (const name of LAG_STATISTICS) {
    const metric = registry.getSingleMetric(name);
    if (metric === undefined) continue;
    // prom-client offers no hook to skip an empty histogram, so the gauge's read is filtered here.
    const read = metric.get.bind(metric);
    metric.get = async () => {
      const data = await read();
      return { ...data, values: data.values.filter((v) => plausibleLag(v.value)) };
    };
  }
}

/** Names of the process families, for checks that the catalogue and the registry agree. */
export function processMetricNames(): readonly string[] {
  return PROCESS_METRICS.map((m) => m.name);
}
