// Renders the swarm-as-a-system families (docs/swarm-system.md) from the latest SwarmSystem
// snapshots, as a stream of chunks (family-chunks.ts). Values that are not finite (nothing reported,
// fit not identifiable) are left out.
import { RECOVERY_BUCKETS, type SwarmSystemSnapshot } from '../analysis-cycle/swarm-system.js';
import { METRICS } from '../model/metric-catalogue.js';
import { familyChunks, sampleLine as line, type Labels } from './family-chunks.js';
import { labelPairs } from './text-writer.js';

/** Every system family of every swarm, in order, in chunks of about 64 KiB (see analysis-families.ts). */
export function* renderSystemFamilies(latest: ReadonlyMap<string, SwarmSystemSnapshot>): Generator<string> {
  const snaps = [...latest.values()];
  const M = METRICS;
  const swarm = (s: SwarmSystemSnapshot): Labels => [['swarm', s.swarm]];
  yield* familyChunks(M.swarmThroughput, snaps, (s) => [line(M.swarmThroughput.name, swarm(s), s.totals.throughput)]);
  yield* familyChunks(M.swarmCoordinationOverhead, snaps, (s) => [
    line(M.swarmCoordinationOverhead.name, swarm(s), s.totals.coordinationOverhead),
  ]);
  yield* familyChunks(M.swarmMessages, snaps, (s) => [line(M.swarmMessages.name, swarm(s), s.totals.messagesPerSecond)]);
  // Every swarm gets its histogram from the start (zeros), so rate() and histogram_quantile() see it.
  yield* familyChunks(M.agentRecovery, snaps, function* (s) {
    const name = M.agentRecovery.name;
    for (const [i, bound] of RECOVERY_BUCKETS.entries())
      yield `${name}_bucket{${labelPairs([
        ['swarm', s.swarm],
        ['le', String(bound)],
      ])}} ${s.recovery.cumulative[i] ?? 0}\n`;
    yield `${name}_bucket{${labelPairs([
      ['swarm', s.swarm],
      ['le', '+Inf'],
    ])}} ${s.recovery.count}\n`;
    yield `${name}_sum{${labelPairs(swarm(s))}} ${s.recovery.sum}\n`;
    yield `${name}_count{${labelPairs(swarm(s))}} ${s.recovery.count}\n`;
  });
  yield* familyChunks(M.swarmScalabilityContention, snaps, (s) =>
    s.scalability ? [line(M.swarmScalabilityContention.name, swarm(s), s.scalability.sigma)] : [],
  );
  yield* familyChunks(M.swarmScalabilityCoherency, snaps, (s) =>
    s.scalability ? [line(M.swarmScalabilityCoherency.name, swarm(s), s.scalability.kappa)] : [],
  );
  yield* familyChunks(M.swarmScalabilityPeakAgents, snaps, (s) =>
    s.scalability?.peakAgents !== undefined ? [line(M.swarmScalabilityPeakAgents.name, swarm(s), s.scalability.peakAgents)] : [],
  );
  yield* familyChunks(M.swarmScalabilityFitR2, snaps, (s) =>
    s.scalability ? [line(M.swarmScalabilityFitR2.name, swarm(s), s.scalability.r2)] : [],
  );
  yield* familyChunks(M.agentBaseline, snaps, function* (s) {
    for (const b of s.baselines)
      for (const bound of ['lower', 'center', 'upper'] as const)
        yield line(
          M.agentBaseline.name,
          [
            ['swarm', s.swarm],
            ['agent', b.agent],
            ['metric', b.metric],
            ['bound', bound],
          ],
          b[bound],
        );
  });
}
