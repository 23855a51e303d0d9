// One ingested observation, whatever the ingest mode (push, scrape, query, OTLP).

export type IngestSource = 'push' | 'scrape' | 'query' | 'otlp';
export const INGEST_SOURCES: readonly IngestSource[] = ['push', 'scrape', 'query', 'otlp'];

export interface Sample {
  readonly swarm: string;
  readonly agent: string;
  /** Canonical or custom metric name. */
  readonly metric: string;
  /** Finite value in the metric's base unit. */
  readonly value: number;
  /** Observation time in ms since the epoch. */
  readonly timestamp: number;
}
