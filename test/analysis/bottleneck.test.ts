import { describe, expect, it } from 'vitest';
import { BOTTLENECK_WEIGHTS, bottleneckScores, type BottleneckInputs, type LeadEdge } from '../../src/analysis/bottleneck.js';
import { leadLag } from '../../src/analysis/lead-lag.js';
import { linearTrend } from '../../src/analysis/linear-trend.js';
import { seeded } from './support/random.js';

const STEP_S = 15;

describe('bottleneckScores', () => {
  it('ranks the saturating middle stage of a 3-stage pipeline first and finds it leading downstream', () => {
    // A → B → C. Arrivals 10 tasks/s; capacities 20, 9.5, 15 tasks/s: B cannot keep up.
    const rng = seeded(1);
    const w = 120;
    const arrivals = 10;
    const capacity = [20, 9.5, 15];
    const queueB: number[] = [];
    const latency: number[][] = [[], [], []];
    let q = 5;
    const bLatency: number[] = [];
    for (let t = 0; t < w; t += 1) {
      const burst = arrivals + 2 * rng.gauss();
      q = Math.max(0, q + (burst - capacity[1]!) * STEP_S * 0.05);
      queueB.push(q);
      const rb = 0.2 + q / capacity[1]! + 0.05 * rng.gauss(); // Little: wait = queue / throughput
      bLatency.push(rb);
      latency[0]!.push(0.1 + 0.01 * rng.gauss());
      latency[1]!.push(rb);
      // C's latency follows B's output with a 3-step delay.
      latency[2]!.push(0.15 + 0.3 * ((bLatency[t - 3] ?? rb) - 0.2) + 0.02 * rng.gauss());
    }
    const leads: LeadEdge[] = [];
    for (const [a, b] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const found = leadLag(latency[a]!, latency[b]!, 10, { difference: true });
      if (found === null || found.lag === 0) continue;
      leads.push(
        found.lag > 0
          ? { leader: a, follower: b, lagSteps: found.lag, r: found.r }
          : { leader: b, follower: a, lagSteps: -found.lag, r: found.r },
      );
    }
    expect(leads).toContainEqual(expect.objectContaining({ leader: 1, follower: 2 }));
    const edge = leads.find((e) => e.leader === 1 && e.follower === 2)!;
    expect(Math.abs(edge.lagSteps - 3)).toBeLessThanOrEqual(1);

    const inputs: BottleneckInputs = {
      utilisation: [arrivals / capacity[0]!, 1, capacity[1]! / capacity[2]!],
      queueSlope: [0, linearTrend(queueB).slope / STEP_S, 0],
      throughput: [arrivals, capacity[1]!, capacity[1]!],
      queueDepth: [0, queueB.reduce((s, v) => s + v, 0) / w, 0],
      windowSeconds: w * STEP_S,
      latency: latency.map((l) => [...l].sort((x, y) => x - y)[w >> 1]!),
      leads,
    };
    const scores = bottleneckScores(inputs);
    const ranking = [0, 1, 2].sort((x, y) => scores.score[y]! - scores.score[x]!);
    expect(ranking[0]).toBe(1);
    expect(scores.utilisation[1]).toBe(1);
    expect(scores.queueGrowth[1]).toBeGreaterThan(0);
    expect(scores.latencyInflation[1]).toBeGreaterThan(0.5);
    expect(scores.upstreamImpact[1]).toBeGreaterThan(0.4);
    for (const s of scores.score) expect(s).toBeGreaterThanOrEqual(0);
    for (const s of scores.score) expect(s).toBeLessThanOrEqual(1);
  });

  it('computes each documented component', () => {
    const scores = bottleneckScores({
      utilisation: [0.5, 1.7, -1],
      queueSlope: [1, -2, 3],
      throughput: [4, 1, NaN],
      queueDepth: [0, 0, 30],
      windowSeconds: 20,
      latency: [1, 2, 4],
      leads: [
        { leader: 0, follower: 1, lagSteps: 2, r: 0.9 },
        { leader: 0, follower: 2, lagSteps: 1, r: -0.4 },
        { leader: 2, follower: 0, lagSteps: 0, r: 1 },
      ],
    });
    expect(Array.from(scores.utilisation)).toEqual([0.5, 1, 0]);
    // g = 1/4 → 0.2; negative slope → 0; no throughput: g = 3·20/30 = 2 → 2/3.
    expect(scores.queueGrowth[0]).toBeCloseTo(0.2, 15);
    expect(scores.queueGrowth[1]).toBe(0);
    expect(scores.queueGrowth[2]).toBeCloseTo(2 / 3, 15);
    // Median latency 2: 1 and 2 are not inflated, 4 is → 1 − 2/4.
    expect(Array.from(scores.latencyInflation)).toEqual([0, 0, 0.5]);
    // Only the 0 → 1 lead counts (|r| 0.4 < 0.5, lag 0 is not a lead).
    expect(scores.upstreamImpact[0]).toBeCloseTo(1 - Math.exp(-0.9), 15);
    expect(scores.upstreamImpact[2]).toBe(0);
    const w = BOTTLENECK_WEIGHTS;
    expect(scores.score[0]).toBeCloseTo(0.5 * w.utilisation + 0.2 * w.queueGrowth + (1 - Math.exp(-0.9)) * w.upstreamImpact, 15);
  });

  it('renormalises over the known components and reports NaN when none is known', () => {
    const scores = bottleneckScores({
      utilisation: [0.8, NaN],
      queueSlope: [NaN, NaN],
      throughput: [NaN, NaN],
      queueDepth: [NaN, NaN],
      windowSeconds: NaN,
      latency: [NaN, NaN],
      leads: null,
    });
    expect(scores.score[0]).toBeCloseTo(0.8, 15);
    expect(scores.score[1]).toBeNaN();
    expect(scores.upstreamImpact[0]).toBeNaN();
  });
});
