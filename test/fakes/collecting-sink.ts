// A SampleSink that keeps what it receives, for ingest-mode tests (fake over mock).
import type { IngestOutcome, IngestSource, Sample, SampleRejection, SampleSink } from '../../src/model/sample.js';

export interface CollectedBatch {
  readonly source: IngestSource;
  readonly samples: readonly Sample[];
}

/**
 * Collects every batch. An optional `reject` predicate returns a reason for samples the test wants
 * refused, so callers' handling of partial acceptance can be exercised.
 */
export class CollectingSink implements SampleSink {
  readonly batches: CollectedBatch[] = [];

  constructor(private readonly reject?: (sample: Sample) => string | undefined) {}

  ingest(samples: readonly Sample[], source: IngestSource): IngestOutcome {
    const errors: SampleRejection[] = [];
    const kept: Sample[] = [];
    samples.forEach((sample, index) => {
      const reason = this.reject?.(sample);
      if (reason === undefined) kept.push(sample);
      else errors.push({ index, reason });
    });
    this.batches.push({ source, samples: kept });
    return { accepted: kept.length, rejected: errors.length, errors };
  }

  /** Every accepted sample, in arrival order. */
  get samples(): Sample[] {
    return this.batches.flatMap((b) => b.samples);
  }

  /** Accepted samples of one agent and metric, in arrival order. */
  series(agent: string, metric: string, swarm?: string): Sample[] {
    return this.samples.filter((s) => s.agent === agent && s.metric === metric && (swarm === undefined || s.swarm === swarm));
  }

  clear(): void {
    this.batches.length = 0;
  }
}
