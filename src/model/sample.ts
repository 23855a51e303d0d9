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

/** Why one sample of a request was not accepted. */
export interface SampleRejection {
  /** Position of the sample in its request. */
  readonly index: number;
  /** Names the field and the rule, e.g. "metrics.cpu_usage: expected a ratio in [0, 1], got 1.5". */
  readonly reason: string;
}

export interface IngestOutcome {
  readonly accepted: number;
  readonly rejected: number;
  readonly errors: readonly SampleRejection[];
}

/**
 * Where every ingest mode delivers samples. The agent registry implements it: it validates each
 * sample (agent id, metric name, value range, timestamp window, caps), keeps the valid ones and
 * reports the rest per index.
 */
export interface SampleSink {
  ingest(samples: readonly Sample[], source: IngestSource): IngestOutcome;
}

/** What the agent registry adds to an outcome: how many rejections were the agent cap (HTTP 429). */
export interface RegistryIngestOutcome extends IngestOutcome {
  readonly agentLimitRejections: number;
}
