// The only module that imports prom-client (docs/design.md#conventions 4): upstream is being renamed, the switch is this line.
export { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
export type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration, Metric } from 'prom-client';
