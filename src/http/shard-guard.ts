// Refuses pushes for swarms another shard owns: 421 Misdirected Request naming the owner shard.
import type { ServerResponse } from 'node:http';
import { DEFAULT_SWARM } from '../model/canonical-metrics.js';
import { formatShard, ownerShard, ownsSwarm, type Shard } from '../model/shard.js';
import { sendJson } from './problem.js';

/** The swarm a raw pushed sample names (the default swarm when absent; a bad value is the registry's to reject). */
export function swarmOfRaw(sample: { readonly swarm?: unknown }): string | undefined {
  if (sample.swarm === undefined) return DEFAULT_SWARM;
  return typeof sample.swarm === 'string' ? sample.swarm : undefined;
}

/**
 * With `shard` set and any of `swarms` owned by another shard: answers 421 (the whole request, so
 * a client never has to split a partial success) with the owner of each such swarm, and returns
 * true. The reporter (src/client) routes by the same hash and never sees it.
 */
export function refuseMisdirected(res: ServerResponse, shard: Shard | undefined, swarms: Iterable<string | undefined>): boolean {
  if (shard === undefined || shard.count === 1) return false;
  const owners: Record<string, string> = {};
  // Each distinct swarm hashed once: a 1,000-sample batch names a handful of swarms, and an MD5 per
  // sample cost more than the rest of the request (bench/ingest-sharded.bench.mjs).
  for (const swarm of new Set(swarms)) {
    if (swarm === undefined || ownsSwarm(shard, swarm)) continue;
    owners[swarm] = formatShard({ index: ownerShard(swarm, shard.count), count: shard.count });
  }
  const misdirected = Object.keys(owners);
  if (misdirected.length === 0) return false;
  const first = misdirected[0] ?? '';
  sendJson(res, 421, {
    error: `swarm: ${JSON.stringify(first)} belongs to shard ${owners[first] ?? ''}, this replica is shard ${formatShard(shard)} (hashmod of the swarm name, docs/high-availability.md)`,
    shard: formatShard(shard),
    owners,
  });
  return true;
}
