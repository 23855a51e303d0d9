// Renders the swarm-as-a-system families (docs/swarm-system.md) from the latest SwarmSystem
// snapshots. Values that are not finite (nothing reported, fit not identifiable) are left out.
import { RECOVERY_BUCKETS, type SwarmSystemSnapshot } from '../analysis-cycle/swarm-system.js';
import { METRICS, type MetricSpec } from '../model/metric-catalogue.js';
import { familyHeader, labelPairs } from './text-writer.js';

type Labels = readonly (readonly [string, string])[];

function line(name: string, labels: Labels, value: number): string {
  return Number.isFinite(value) ? `${name}{${labelPairs(labels)}} ${value}\n` : '';
}

function family(spec: MetricSpec, snapshots: readonly SwarmSystemSnapshot[], lines: (s: SwarmSystemSnapshot) => string): string {
  let body = '';
  for (const s of snapshots) body += lines(s);
  return body === '' ? '' : familyHeader(spec) + body;
}

export function renderSystemFamilies(latest: ReadonlyMap<string, SwarmSystemSnapshot>): string[] {
  const snaps = [...latest.values()];
  const M = METRICS;
  const swarm = (s: SwarmSystemSnapshot): Labels => [['swarm', s.swarm]];
  return [
    family(M.swarmThroughput, snaps, (s) => line(M.swarmThroughput.name, swarm(s), s.totals.throughput)),
    family(M.swarmCoordinationOverhead, snaps, (s) => line(M.swarmCoordinationOverhead.name, swarm(s), s.totals.coordinationOverhead)),
    family(M.swarmMessages, snaps, (s) => line(M.swarmMessages.name, swarm(s), s.totals.messagesPerSecond)),
    // Every swarm gets its histogram from the start (zeros), so rate() and histogram_quantile() see it.
    family(M.agentRecovery, snaps, (s) => {
      const name = M.agentRecovery.name;
      let out = '';
      RECOVERY_BUCKETS.forEach((bound, i) => {
        out += `${name}_bucket{${labelPairs([
          ['swarm', s.swarm],
          ['le', String(bound)],
        ])}} ${s.recovery.cumulative[i] ?? 0}\n`;
      });
      out += `${name}_bucket{${labelPairs([
        ['swarm', s.swarm],
        ['le', '+Inf'],
      ])}} ${s.recovery.count}\n`;
      out += `${name}_sum{${labelPairs(swarm(s))}} ${s.recovery.sum}\n`;
      out += `${name}_count{${labelPairs(swarm(s))}} ${s.recovery.count}\n`;
      return out;
    }),
    family(M.swarmScalabilityContention, snaps, (s) =>
      s.scalability ? line(M.swarmScalabilityContention.name, swarm(s), s.scalability.sigma) : '',
    ),
    family(M.swarmScalabilityCoherency, snaps, (s) =>
      s.scalability ? line(M.swarmScalabilityCoherency.name, swarm(s), s.scalability.kappa) : '',
    ),
    family(M.swarmScalabilityPeakAgents, snaps, (s) =>
      s.scalability?.peakAgents !== undefined ? line(M.swarmScalabilityPeakAgents.name, swarm(s), s.scalability.peakAgents) : '',
    ),
    family(M.swarmScalabilityFitR2, snaps, (s) => (s.scalability ? line(M.swarmScalabilityFitR2.name, swarm(s), s.scalability.r2) : '')),
    family(M.agentBaseline, snaps, (s) =>
      s.baselines
        .map((b) =>
          (['lower', 'center', 'upper'] as const)
            .map((bound) =>
              line(
                M.agentBaseline.name,
                [
                  ['swarm', s.swarm],
                  ['agent', b.agent],
                  ['metric', b.metric],
                  ['bound', bound],
                ],
                b[bound],
              ),
            )
            .join(''),
        )
        .join(''),
    ),
  ].filter((part) => part !== '');
}
