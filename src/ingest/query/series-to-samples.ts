// Query results to samples: one series per agent, identified by the agent and swarm labels; pure.
import type { Sample } from '../../model/sample.js';
import type { QuerySeries } from './prometheus-api.js';

export interface SeriesMapping {
  /** Canonical or custom metric the query feeds. */
  readonly metric: string;
  readonly agentLabel: string;
  readonly swarmLabel: string;
  /** Swarm for series without the swarm label. */
  readonly defaultSwarm: string;
}

export interface SeriesConversion {
  readonly samples: Sample[];
  /** Series without the agent label (the query is missing a `by (agent)`). */
  readonly unlabelled: number;
  /** Series that named an agent already seen in the same result (the query does not aggregate enough). */
  readonly duplicates: number;
}

/**
 * One sample per point of each series. A series without the agent label is skipped (counted);
 * when two series name the same swarm/agent only the first is kept (counted), since a value per
 * agent cannot be picked from several without a rule the query should express.
 */
export function seriesToSamples(series: readonly QuerySeries[], mapping: SeriesMapping): SeriesConversion {
  const samples: Sample[] = [];
  const seen = new Set<string>();
  let unlabelled = 0;
  let duplicates = 0;
  for (const s of series) {
    const agent = Object.hasOwn(s.labels, mapping.agentLabel) ? s.labels[mapping.agentLabel] : undefined;
    if (agent === undefined || agent === '') {
      unlabelled += 1;
      continue;
    }
    const swarmLabel = Object.hasOwn(s.labels, mapping.swarmLabel) ? s.labels[mapping.swarmLabel] : undefined;
    const swarm = swarmLabel === undefined || swarmLabel === '' ? mapping.defaultSwarm : swarmLabel;
    const key = `${swarm}\u0000${agent}`;
    if (seen.has(key)) {
      duplicates += 1;
      continue;
    }
    seen.add(key);
    for (const [timestamp, value] of s.points) samples.push({ swarm, agent, metric: mapping.metric, value, timestamp });
  }
  return { samples, unlabelled, duplicates };
}
