// The shard sink keeps a sharded replica's own swarms of a mixed batch and refuses the others by index, naming each owner.
import { describe, expect, it } from 'vitest';
import { ownedSwarmsOnly } from '../../src/ingest/shard-sink.js';
import type { IngestOutcome, Sample } from '../../src/model/sample.js';
import { ownerShard } from '../../src/model/shard.js';

const COUNT = 4;

/** A sink that accepts every sample it is given and remembers them. */
function recordingSink(): { seen: Sample[]; ingest(samples: readonly Sample[]): IngestOutcome } {
  const seen: Sample[] = [];
  return {
    seen,
    ingest(samples) {
      seen.push(...samples);
      return { accepted: samples.length, rejected: 0, errors: [] };
    },
  };
}

describe('ownedSwarmsOnly', () => {
  it('keeps exactly the owned samples of a batch interleaving many swarms and names the owner of each refused one', () => {
    // 40 swarms, their samples interleaved (a swarm recurs far apart in the batch), with the
    // per-request memo of each swarm's owner in play.
    const swarms = Array.from({ length: 40 }, (_, k) => `swarm-${k}`);
    const samples: Sample[] = Array.from({ length: 1000 }, (_, i) => ({
      swarm: swarms[(i * 7) % swarms.length] ?? '',
      agent: `a-${i % 25}`,
      metric: 'cpu_usage',
      value: i / 1000,
      timestamp: 1_700_000_000_000 + i,
    }));
    for (let index = 0; index < COUNT; index += 1) {
      const inner = recordingSink();
      const outcome = ownedSwarmsOnly(inner, { index, count: COUNT }).ingest(samples, 'scrape');
      const expectedKept = samples.filter((s) => ownerShard(s.swarm, COUNT) === index);
      expect(inner.seen).toEqual(expectedKept);
      expect(outcome.accepted).toBe(expectedKept.length);
      expect(outcome.rejected).toBe(samples.length - expectedKept.length);
      for (const error of outcome.errors) {
        const sample = samples[error.index];
        expect(sample).toBeDefined();
        const owner = ownerShard(sample?.swarm ?? '', COUNT);
        expect(owner).not.toBe(index);
        expect(error.reason).toContain(`belongs to shard ${owner}/${COUNT}`);
      }
      expect(outcome.errors.map((e) => e.index)).toEqual(samples.flatMap((s, i) => (ownerShard(s.swarm, COUNT) === index ? [] : [i])));
    }
  });
});
