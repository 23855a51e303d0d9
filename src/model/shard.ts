// Which replica owns a swarm: Prometheus' hashmod relabel action on the swarm name, and the shard a replica serves.
import { createHash } from 'node:crypto';
import { DEFAULT_SWARM } from './canonical-metrics.js';

/** `shard: {index, count}` / `--shard=index/count`: this replica owns the swarms with hashmod(swarm, count) == index. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/**
 * Prometheus' `action: hashmod` exactly (model/relabel/relabel.go): the MD5 sum of the value, its
 * last 8 bytes read as a big-endian unsigned 64-bit integer, modulo `modulus`. So a relabel rule
 * `source_labels: [swarm]`, `modulus: n`, `action: hashmod` puts every series of a swarm on the
 * same shard number as this function (docs/high-availability.md shows the scrape config).
 */
export function hashmod(value: string, modulus: number): number {
  if (!Number.isInteger(modulus) || modulus < 1) throw new RangeError(`modulus: expected an integer >= 1, got ${modulus}`);
  const sum = createHash('md5').update(value, 'utf8').digest();
  return Number(sum.readBigUInt64BE(8) % BigInt(modulus));
}

/** The shard index owning `swarm` among `count` shards (the default swarm when the name is empty). */
export function ownerShard(swarm: string, count: number): number {
  return hashmod(swarm === '' ? DEFAULT_SWARM : swarm, count);
}

/** True when `shard` is unset (one replica owns everything) or owns `swarm`. */
export function ownsSwarm(shard: Shard | undefined, swarm: string): boolean {
  return shard === undefined || shard.count === 1 || ownerShard(swarm, shard.count) === shard.index;
}

/** "i/n", as on the command line. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
