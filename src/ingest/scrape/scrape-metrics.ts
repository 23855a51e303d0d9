// agentswarm_scrape_target_up / agentswarm_scrape_duration_seconds per target, on the registry passed in.
import { METRICS } from '../../model/metric-catalogue.js';
import { Gauge, type Registry } from '../../runtime/prom.js';

/** Returns the registry's gauge of that name, creating it once (scrape and query modes share these). */
function sharedGauge(
  registry: Registry,
  spec: { readonly name: string; readonly help: string; readonly labels: readonly string[] },
): Gauge<string> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] });
}

/** Per-target pull health. `target` is a URL (scrape) or an upstream base URL (query mode). */
export class ScrapeMetrics {
  private readonly up: Gauge<string>;
  private readonly duration: Gauge<string>;

  constructor(registry: Registry) {
    this.up = sharedGauge(registry, METRICS.scrapeTargetUp);
    this.duration = sharedGauge(registry, METRICS.scrapeDuration);
  }

  /** Records one pull: up 1/0 and its duration in seconds. */
  record(target: string, up: boolean, seconds: number): void {
    this.up.set({ target }, up ? 1 : 0);
    this.duration.set({ target }, seconds);
  }

  /** Removes the series of a target that is no longer configured. */
  forget(target: string): void {
    this.up.remove({ target });
    this.duration.remove({ target });
  }
}
