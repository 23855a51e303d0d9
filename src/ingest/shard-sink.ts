// A sample sink that keeps only the swarms this shard owns (scrape, query and OTLP ingest of a sharded replica).
import { formatShard, ownerShard, ownsSwarm, type Shard } from '../model/shard.js';
import type { IngestOutcome, IngestSource, Sample, SampleRejection, SampleSink } from '../model/sample.js';

/**
 * Passes owned samples to `sink` and rejects the others by index, naming the owner shard, so a
 * replica never analyses or exposes another shard's swarm whatever its ingest mode.
 */
export function ownedSwarmsOnly<O extends IngestOutcome>(
  sink: { ingest(samples: readonly Sample[], source: IngestSource): O },
  shard: Shard | undefined,
): SampleSink {
  if (shard === undefined || shard.count === 1) return sink;
  return {
    ingest(samples, source) {
      const kept: Sample[] = [];
      const keptIndex: number[] = [];
      const refused: SampleRejection[] = [];
      // Each distinct swarm hashed once per call (an MD5 per sample would dominate the ingest).
      const owned = new Map<string, boolean>();
      samples.forEach((sample, index) => {
        let mine = owned.get(sample.swarm);
        if (mine === undefined) {
          mine = ownsSwarm(shard, sample.swarm);
          owned.set(sample.swarm, mine);
        }
        if (mine) {
          kept.push(sample);
          keptIndex.push(index);
        } else {
          refused.push({
            index,
            reason: `swarm: ${JSON.stringify(sample.swarm)} belongs to shard ${formatShard({ index: ownerShard(sample.swarm, shard.count), count: shard.count })}`,
          });
        }
      });
      if (refused.length === 0) return sink.ingest(samples, source);
      const inner = kept.length > 0 ? sink.ingest(kept, source) : { accepted: 0, rejected: 0, errors: [] };
      const errors = [...inner.errors.map((e) => ({ index: keptIndex[e.index] ?? e.index, reason: e.reason })), ...refused].sort(
        (a, b) => a.index - b.index,
      );
      return { accepted: inner.accepted, rejected: inner.rejected + refused.length, errors };
    },
  };
}
