import { describe, expect, it } from 'vitest';
import { RecoveryTimes } from '../../src/analysis/recovery-times.js';
import { scalabilityPoints, type StateRow } from '../../src/analysis/scalability-points.js';
import { swarmTotals } from '../../src/analysis/swarm-totals.js';

describe('swarmTotals', () => {
  it('sums throughput and messages over live agents and weights coordination by capacity', () => {
    const t = swarmTotals([
      { up: true, capacity: 10, throughput: 4, coordinationLoad: 0.5, messagesPerSecond: 2 },
      { up: true, capacity: undefined, throughput: 1, coordinationLoad: 0.1, messagesPerSecond: Number.NaN },
      { up: false, capacity: 100, throughput: 50, coordinationLoad: 1, messagesPerSecond: 9 },
    ]);
    expect(t.agentsUp).toBe(2);
    expect(t.throughput).toBe(5);
    expect(t.coordinationOverhead).toBeCloseTo((10 * 0.5 + 1 * 0.1) / 11, 12);
    expect(t.messagesPerSecond).toBe(2);
  });

  it('answers NaN for what no live agent reports, never 0', () => {
    const t = swarmTotals([{ up: true, capacity: 2, throughput: Number.NaN, coordinationLoad: Number.NaN, messagesPerSecond: Number.NaN }]);
    expect(t.throughput).toBeNaN();
    expect(t.coordinationOverhead).toBeNaN();
    expect(t.messagesPerSecond).toBeNaN();
    expect(swarmTotals([]).agentsUp).toBe(0);
  });
});

describe('RecoveryTimes', () => {
  it('measures failed → good, keeps the clock running through degraded, ignores repeats', () => {
    const r = new RecoveryTimes();
    expect(r.observe('a', 'optimal', 0)).toBeUndefined();
    expect(r.observe('a', 'failed', 10_000)).toBeUndefined();
    expect(r.observe('a', 'failed', 20_000)).toBeUndefined(); // still the same failure
    expect(r.observe('a', 'degraded', 30_000)).toBeUndefined(); // answering, not recovered
    expect(r.observe('a', 'good', 55_000)).toBe(45);
    expect(r.observe('a', 'good', 60_000)).toBeUndefined();
  });

  it('forgets an agent that expired while failed', () => {
    const r = new RecoveryTimes();
    r.observe('a', 'failed', 0);
    r.forget('a');
    expect([...r.failing()]).toEqual([]);
    expect(r.observe('a', 'optimal', 5000)).toBeUndefined();
  });
});

describe('scalabilityPoints', () => {
  const row = (agent: string, bucketStart: number, status: string, metrics: Record<string, number>): StateRow => ({
    agent,
    bucketStart,
    status,
    metrics,
  });

  it('counts live agents and sums their throughput per bucket, oldest first', () => {
    const points = scalabilityPoints([
      row('b', 600, 'good', { throughput: 2, queue_depth: 3 }),
      row('a', 300, 'optimal', { throughput: 1 }),
      row('b', 300, 'failed', { throughput: 9 }),
      row('a', 600, 'degraded', { throughput: 1.5, queue_depth: 1 }),
    ]);
    expect(points).toEqual([
      { agents: 1, throughput: 1 },
      { agents: 2, throughput: 3.5 },
    ]);
  });

  it('skips buckets below saturation (fewer waiting tasks than live agents) and buckets without throughput', () => {
    const points = scalabilityPoints([
      row('a', 0, 'good', { throughput: 1, queue_depth: 0 }),
      row('b', 0, 'good', { throughput: 1, queue_depth: 1 }),
      row('a', 300, 'good', { cpu_usage: 0.5 }),
    ]);
    expect(points).toEqual([]);
  });
});
