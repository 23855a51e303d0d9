import { describe, expect, it } from 'vitest';
import { findAnomalyClusters } from '../../src/analysis/anomaly-clusters.js';
import { exactCorrelation } from '../../src/analysis/correlation-matrix.js';
import { pairIndex } from '../../src/analysis/packed-triangle.js';
import { RobustWindowBank } from '../../src/analysis/robust-window-bank.js';
import { seeded } from './support/random.js';

const W = 120;
const RECENT = 5;
const THRESHOLD = 3.5;
const BAR = 0.7;

/**
 * Runs the real kernels over a simulated swarm: robust z per step, then the correlation over the
 * final window and the cluster search over the last RECENT steps.
 */
function clustersOf(n: number, value: (agent: number, step: number) => number) {
  const bank = new RobustWindowBank({ series: n, window: W });
  const z = new Float64Array(n);
  const history: number[][] = Array.from({ length: n }, () => []);
  const flags = new Uint8Array(n * RECENT);
  const steps = W + 60;
  for (let t = 0; t < steps; t += 1) {
    const column = Float64Array.from({ length: n }, (_, i) => value(i, t));
    bank.push(column, z);
    column.forEach((v, i) => history[i]!.push(v));
    const s = t - (steps - RECENT);
    if (s >= 0) for (let i = 0; i < n; i += 1) flags[i * RECENT + s] = Math.abs(z[i]!) >= THRESHOLD ? 1 : 0;
  }
  const m = exactCorrelation(history.map((h) => h.slice(-W)));
  return findAnomalyClusters({
    agents: n,
    steps: RECENT,
    minAbsR: BAR,
    layers: [{ metric: 'response_time', anomalous: flags, correlation: (i, j) => m.r[pairIndex(n, i, j)]! }],
  });
}

describe('findAnomalyClusters', () => {
  it('groups four correlated agents spiking together into one cluster of 4', () => {
    const rng = seeded(1);
    const shared: number[] = Array.from({ length: 400 }, () => rng.gauss());
    const spikeAt = W + 60 - 2;
    const members = [1, 3, 4, 7];
    const clusters = clustersOf(10, (i, t) => {
      const base = members.includes(i) ? 5 * shared[t]! + rng.gauss() : 5 * rng.gauss();
      return 100 + base + (members.includes(i) && t === spikeAt ? 60 : 0) + (i === 9 && t === spikeAt ? 60 : 0);
    });
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.members).toEqual(members);
    for (const link of clusters[0]!.links) {
      expect(link.steps).toContain(RECENT - 2);
      expect(Math.abs(link.r)).toBeGreaterThanOrEqual(BAR);
      expect(link.metric).toBe('response_time');
    }
  });

  it('finds no cluster when the same spikes hit four uncorrelated agents at different times', () => {
    const rng = seeded(2);
    const end = W + 60;
    const spikes = new Map([[1, end - 5], [3, end - 4], [4, end - 3], [7, end - 1]]);
    const clusters = clustersOf(10, (i, t) => 100 + 5 * rng.gauss() + (spikes.get(i) === t ? 60 : 0));
    expect(clusters).toEqual([]);
  });

  it('finds no cluster when uncorrelated agents spike at the same step', () => {
    const rng = seeded(3);
    const spikeAt = W + 60 - 1;
    const clusters = clustersOf(10, (i, t) => 100 + 5 * rng.gauss() + ([1, 3, 4, 7].includes(i) && t === spikeAt ? 30 : 0));
    expect(clusters).toEqual([]);
  });

  it('merges links across metrics and orders clusters by size', () => {
    const flagsA = Uint8Array.from([1, 1, 0, 0, 0, 0]); // agents 0..5, one step
    const flagsB = Uint8Array.from([0, 1, 1, 0, 1, 1]);
    const clusters = findAnomalyClusters({
      agents: 6,
      steps: 1,
      minAbsR: 0.5,
      layers: [
        { metric: 'cpu_usage', anomalous: flagsA, correlation: () => 0.9 },
        { metric: 'queue_depth', anomalous: flagsB, correlation: (i, j) => (i + j === 3 || i + j === 9 ? -0.8 : 0.1) },
      ],
    });
    expect(clusters.map((c) => c.members)).toEqual([[0, 1, 2], [4, 5]]);
    expect(clusters[0]!.links.map((l) => l.metric).sort()).toEqual(['cpu_usage', 'queue_depth']);
  });

  it('requires minSharedSteps shared steps and ignores NaN correlations', () => {
    const flags = Uint8Array.from([1, 0, 1, 1]); // two agents, two steps: share step 0 only
    const base = { agents: 2, steps: 2, layers: [{ metric: 'm', anomalous: flags, correlation: () => 0.95 }], minAbsR: 0.5 };
    expect(findAnomalyClusters(base)).toHaveLength(1);
    expect(findAnomalyClusters({ ...base, minSharedSteps: 2 })).toEqual([]);
    expect(findAnomalyClusters({ ...base, layers: [{ metric: 'm', anomalous: flags, correlation: () => NaN }] })).toEqual([]);
  });
});
