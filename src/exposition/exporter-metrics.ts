// The exporter's own prom-client metrics (build info, ingest counters) on the registry passed in.
import { type IngestOutcome, type IngestSource, type Sample, type SampleSink } from '../model/sample.js';
import { METRICS } from '../model/metric-catalogue.js';
import { Counter, Gauge, type Registry } from '../runtime/prom.js';
import type { BuildInfo } from '../runtime/build-info.js';

export class ExporterMetrics {
  readonly ingestSamples: Counter<'source' | 'result'>;

  constructor(registry: Registry, build: BuildInfo) {
    const info = new Gauge({
      name: METRICS.buildInfo.name,
      help: METRICS.buildInfo.help,
      labelNames: [...METRICS.buildInfo.labels],
      registers: [registry],
    });
    info.set({ version: build.version, revision: build.revision, nodeversion: build.nodeVersion }, 1);
    this.ingestSamples = new Counter({
      name: METRICS.ingestSamples.name,
      help: METRICS.ingestSamples.help,
      labelNames: ['source', 'result'],
      registers: [registry],
    });
    // Zero-initialise push so dashboards and rate() see the series before the first sample.
    this.ingestSamples.inc({ source: 'push', result: 'accepted' }, 0);
    this.ingestSamples.inc({ source: 'push', result: 'rejected' }, 0);
  }

  countIngest(source: IngestSource, outcome: IngestOutcome): void {
    if (outcome.accepted > 0) this.ingestSamples.inc({ source, result: 'accepted' }, outcome.accepted);
    if (outcome.rejected > 0) this.ingestSamples.inc({ source, result: 'rejected' }, outcome.rejected);
  }
}

/** Wraps a sink so every ingest mode is counted in agentswarm_ingest_samples_total. */
export function countingSink<O extends IngestOutcome>(
  sink: { ingest(samples: readonly Sample[], source: IngestSource): O },
  metrics: ExporterMetrics,
): SampleSink & { ingest(samples: readonly Sample[], source: IngestSource): O } {
  return {
    ingest(samples, source) {
      const outcome = sink.ingest(samples, source);
      metrics.countIngest(source, outcome);
      return outcome;
    },
  };
}
