import { describe, expect, it } from 'vitest';
import { findAnomalyClusters, type AnomalyLayer } from '../../src/analysis/anomaly-clusters.js';
import { RobustWindowBank } from '../../src/analysis/robust-window-bank.js';
import { seeded } from './support/random.js';

const W = 120;
const RECENT = 5;
const THRESHOLD = 3.5;
const BAR = 0.6;

/**
 * Runs the real kernels over a simulated swarm: robust z per step (the anomaly track's bank), the
 * flags of the last RECENT steps, then the cluster search on the final windows.
 */
/** Agents flagged anomalous at some recent step in the last clustersOf call (to show a test is not vacuous). */
let lastFlagged = 0;

function clustersOf(n: number, value: (agent: number, step: number) => number, metrics = 1) {
  const steps = W + 60;
  lastFlagged = 0;
  const layers: AnomalyLayer[] = [];
  const windows: number[][][] = [];
  for (let m = 0; m < metrics; m += 1) {
    const bank = new RobustWindowBank({ series: n, window: W });
    const z = new Float64Array(n);
    const history: number[][] = Array.from({ length: n }, () => []);
    const flags = new Uint8Array(n * RECENT);
    for (let t = 0; t < steps; t += 1) {
      const column = Float64Array.from({ length: n }, (_, i) => value(i + m * n, t));
      bank.push(column, z);
      column.forEach((v, i) => history[i]!.push(v));
      const s = t - (steps - RECENT);
      if (s >= 0) for (let i = 0; i < n; i += 1) flags[i * RECENT + s] = Math.abs(z[i]!) >= THRESHOLD ? 1 : 0;
    }
    for (let i = 0; i < n; i += 1) if (flags.subarray(i * RECENT, (i + 1) * RECENT).some((f) => f !== 0)) lastFlagged += 1;
    layers.push({ metric: `m${m}`, anomalous: flags });
    windows.push(history.map((h) => h.slice(-W)));
  }
  return findAnomalyClusters({
    agents: n,
    steps: RECENT,
    layers,
    threshold: THRESHOLD,
    minAbsR: BAR,
    minOverlap: 30,
    series: (layer, slot) => windows[layer]?.[slot],
  });
}

describe('findAnomalyClusters', () => {
  it('groups four correlated agents spiking together into one cluster of 4, not the independent agent spiking with them', () => {
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
      expect(link.metric).toBe('m0');
    }
  });

  it('does not chain: a correlated trio and two independent agents spiking together once at 12σ give one cluster of 3', () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const rng = seeded(100 + seed);
      const shared: number[] = Array.from({ length: 400 }, () => rng.gauss());
      const spikeAt = W + 60 - 1;
      const trio = [0, 1, 2];
      const clusters = clustersOf(8, (i, t) => {
        const noise = trio.includes(i) ? shared[t]! + 0.3 * rng.gauss() : rng.gauss();
        // Trio and agents 3, 4 spike in the same step; 5–7 stay calm.
        return 50 + noise + (i <= 4 && t === spikeAt ? 12 : 0);
      });
      expect(lastFlagged).toBeGreaterThanOrEqual(5);
      expect(
        clusters.map((c) => c.members),
        `seed ${seed}`,
      ).toEqual([trio]);
    }
  });

  it('finds no cluster when the same spikes hit four uncorrelated agents at different times', () => {
    const rng = seeded(2);
    const end = W + 60;
    const spikes = new Map([
      [1, end - 5],
      [3, end - 4],
      [4, end - 3],
      [7, end - 1],
    ]);
    expect(clustersOf(10, (i, t) => 100 + 5 * rng.gauss() + (spikes.get(i) === t ? 60 : 0))).toEqual([]);
  });

  it('finds no cluster when uncorrelated agents spike at the same step', () => {
    const rng = seeded(3);
    const spikeAt = W + 60 - 1;
    expect(clustersOf(10, (i, t) => 100 + 5 * rng.gauss() + ([1, 3, 4, 7].includes(i) && t === spikeAt ? 30 : 0))).toEqual([]);
  });

  it('finds no cluster in a shared load wave that lifts every agent far above its window median', () => {
    for (let seed = 1; seed <= 10; seed += 1) {
      const rng = seeded(200 + seed);
      // Calm for most of the window, then every agent rises smoothly to 3× within 40 steps.
      const wave = (t: number): number => (t < W + 20 ? 1 : 1 + 2 * Math.sin((Math.PI / 2) * Math.min(1, (t - W - 20) / 40)));
      const clusters = clustersOf(6, (i, t) => 10 * (1 + 0.1 * i) * wave(t) + 0.5 * rng.gauss());
      expect(lastFlagged, 'every agent is anomalous by its level').toBe(6);
      expect(clusters, `seed ${seed}`).toEqual([]);
    }
  });

  it('links across metrics only where every pair of a cluster is linked (complete linkage)', () => {
    const rng = seeded(4);
    const shared: number[][] = Array.from({ length: 3 }, () => Array.from({ length: 400 }, () => rng.gauss()));
    const spikeAt = W + 60 - 1;
    // Metric 0 couples agents 0–1, metric 1 couples 1–2: a chain 0–1–2 with no link 0–2.
    // Metric 0 and 1 also couple 3–4–5 all together: that one is a cluster of 3.
    const clusters = clustersOf(
      6,
      (k, t) => {
        const m = Math.floor(k / 6);
        const i = k % 6;
        const coupled = m === 0 ? [0, 1, 3, 4, 5] : [1, 2, 3, 4, 5];
        const group = i >= 3 ? 2 : m;
        const base = coupled.includes(i) ? shared[group]![t]! + 0.2 * rng.gauss() : rng.gauss();
        return 20 + base + (coupled.includes(i) && t === spikeAt ? 15 : 0);
      },
      2,
    );
    expect(clusters.map((c) => c.members)).toEqual([
      [3, 4, 5],
      [0, 1],
    ]);
    expect(new Set(clusters[0]!.links.map((l) => l.metric))).toEqual(new Set(['m0', 'm1']));
  });

  it('needs the agents\u2019 windows: no series, no link', () => {
    const flags = Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(
      findAnomalyClusters({
        agents: 2,
        steps: 5,
        layers: [{ metric: 'm', anomalous: flags }],
        threshold: 3.5,
        minAbsR: 0.6,
        minOverlap: 10,
        series: () => undefined,
      }),
    ).toEqual([]);
  });
});
