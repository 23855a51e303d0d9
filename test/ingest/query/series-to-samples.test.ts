import { describe, expect, it } from 'vitest';
import { seriesToSamples } from '../../../src/ingest/query/series-to-samples.js';

const mapping = { metric: 'cpu_usage', agentLabel: 'agent', swarmLabel: 'swarm', defaultSwarm: 'default' };

describe('seriesToSamples', () => {
  it('gives one sample per point, with the swarm label or the default swarm', () => {
    const result = seriesToSamples(
      [
        {
          labels: { agent: 'a', swarm: 's1' },
          points: [
            [1000, 0.5],
            [2000, 0.6],
          ],
        },
        { labels: { agent: 'b' }, points: [[1000, 0.1]] },
      ],
      mapping,
    );
    expect(result.samples).toEqual([
      { swarm: 's1', agent: 'a', metric: 'cpu_usage', value: 0.5, timestamp: 1000 },
      { swarm: 's1', agent: 'a', metric: 'cpu_usage', value: 0.6, timestamp: 2000 },
      { swarm: 'default', agent: 'b', metric: 'cpu_usage', value: 0.1, timestamp: 1000 },
    ]);
  });

  it('skips and counts series without an agent and duplicate agents', () => {
    const result = seriesToSamples(
      [
        { labels: { instance: 'x' }, points: [[1, 1]] },
        { labels: { agent: '' }, points: [[1, 1]] },
        { labels: { agent: 'a', mode: 'user' }, points: [[1, 1]] },
        { labels: { agent: 'a', mode: 'system' }, points: [[1, 2]] },
      ],
      mapping,
    );
    expect(result).toMatchObject({ unlabelled: 2, duplicates: 1 });
    expect(result.samples.map((s) => s.value)).toEqual([1]);
  });
});
