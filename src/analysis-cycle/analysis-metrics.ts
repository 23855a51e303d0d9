// The analysis cycle's own metrics: duration histogram and last success time.
import { METRICS } from '../model/metric-catalogue.js';
import { Gauge, Histogram, type Registry } from '../runtime/prom.js';

export class AnalysisMetrics {
  private readonly duration: Histogram;
  private readonly lastSuccess: Gauge;

  constructor(registry: Registry) {
    this.duration = new Histogram({
      name: METRICS.analysisDuration.name,
      help: METRICS.analysisDuration.help,
      // From a few ms (small swarms) to several seconds (thousands of agents).
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.lastSuccess = new Gauge({ name: METRICS.analysisLastSuccess.name, help: METRICS.analysisLastSuccess.help, registers: [registry] });
  }

  /** Every cycle, failed or not: how long it took. */
  observeDuration(seconds: number): void {
    this.duration.observe(seconds);
  }

  /** A cycle that analysed every swarm finished at `finishedAtMs` (ms since the epoch). */
  markSuccess(finishedAtMs: number): void {
    this.lastSuccess.set(finishedAtMs / 1000);
  }
}
