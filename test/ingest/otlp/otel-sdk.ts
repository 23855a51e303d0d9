// Builds meter providers with the official OpenTelemetry SDK and OTLP exporters, as agents would.
import { AggregationTemporalityPreference, OTLPMetricExporter as JsonExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';

export interface SdkAgent {
  readonly provider: MeterProvider;
  /** Exports now (the periodic reader's interval is an hour, so exports happen only here). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface SdkAgentOptions {
  readonly url: string;
  readonly protocol: 'json' | 'protobuf';
  readonly resource: Record<string, string>;
  readonly temporality?: 'cumulative' | 'delta';
  readonly headers?: Record<string, string>;
}

export function sdkAgent(options: SdkAgentOptions): SdkAgent {
  const config = {
    url: options.url,
    headers: options.headers ?? {},
    temporalityPreference:
      options.temporality === 'delta' ? AggregationTemporalityPreference.DELTA : AggregationTemporalityPreference.CUMULATIVE,
  };
  const exporter = options.protocol === 'json' ? new JsonExporter(config) : new ProtoExporter(config);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000, exportTimeoutMillis: 5000 });
  const provider = new MeterProvider({ resource: resourceFromAttributes(options.resource), readers: [reader] });
  return {
    provider,
    flush: () => reader.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
