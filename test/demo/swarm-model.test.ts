import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANONICAL_METRICS, CANONICAL_METRIC_SPECS } from '../../src/model/canonical-metrics.js';
import { SwarmModel } from '../../src/demo/swarm-model.js';
import { DEMO_AGENT_IDS } from '../../src/demo/topology.js';
import type { StepFrame } from '../../src/demo/swarm-model.js';

// The demo's time scale: one frame per second, 45 s phase units.
const DEMO = { stepMs: 1000, phaseMs: 45_000 } as const;

function run(model: SwarmModel, steps: number): StepFrame[] {
  return Array.from({ length: steps }, () => model.step());
}

function metric(frame: StepFrame | undefined, agent: string, name: keyof NonNullable<StepFrame['agents'][number]['metrics']>): number {
  const found = frame?.agents.find((a) => a.id === agent);
  if (found?.metrics === undefined) throw new Error(`${agent} has no metrics at step ${frame?.step}`);
  return found.metrics[name];
}

function phaseFrames(frames: readonly StepFrame[], phase: string, cycle = 0): StepFrame[] {
  return frames.filter((f) => f.phase === phase && f.cycle === cycle);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('SwarmModel', () => {
  it('casts the day with the twelve demo agents in a planner -> workers -> reviewer pipeline', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    expect(model.agents.map((a) => [a.id, a.type])).toEqual([
      ['alpha', 'planner'],
      ...['beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda'].map((id) => [id, 'worker']),
      ['mu', 'reviewer'],
    ]);
    expect(model.agents.every((a) => a.capacity >= 1)).toBe(true);
    const ids = (indices: readonly number[]): string[] => indices.map((i) => model.agents[i]?.id ?? '?');
    expect({
      bottleneck: ids([model.cast.bottleneck ?? -1]),
      anomaly: ids(model.cast.anomaly),
      failing: ids([model.cast.failing ?? -1]),
    }).toEqual({
      bottleneck: ['gamma'],
      anomaly: ['delta', 'epsilon', 'zeta'],
      failing: ['delta'],
    });
    // The canary experiment runs on the workers the script leaves alone, three a side (an
    // agent-level test has no p-value with fewer); the cast's workers are not enrolled.
    const variants = Object.fromEntries(model.agents.filter((a) => a.type === 'worker').map((a) => [a.id, a.variant]));
    expect(variants).toEqual({
      beta: 'v1',
      gamma: '',
      delta: '',
      epsilon: '',
      zeta: '',
      eta: 'v2',
      theta: 'v1',
      iota: 'v2',
      kappa: 'v1',
      lambda: 'v2',
    });
  });

  it('enrols every worker in the canary experiment when too few remain outside the cast for three a side', () => {
    const model = new SwarmModel({ scenario: 'day', agents: 5, ...DEMO });
    expect(model.agents.map((a) => [a.id, a.type, a.variant])).toEqual([
      ['alpha', 'planner', 'v1'],
      ['beta', 'worker', 'v1'],
      ['gamma', 'worker', 'v2'],
      ['delta', 'worker', 'v1'],
      ['epsilon', 'reviewer', 'v1'],
    ]);
  });

  it('is deterministic for a seed and different for another seed', () => {
    const a = run(new SwarmModel({ scenario: 'day', seed: 7, ...DEMO }), 500);
    const b = run(new SwarmModel({ scenario: 'day', seed: 7, ...DEMO }), 500);
    const c = run(new SwarmModel({ scenario: 'day', seed: 8, ...DEMO }), 500);
    expect(b).toEqual(a);
    expect(c.map((f) => f.agents)).not.toEqual(a.map((f) => f.agents));
  });

  it('plays the day phases in order and loops', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    const frames = run(model, model.stepsPerCycle + 10);
    const order: string[] = [];
    for (const f of frames) if (order[order.length - 1] !== f.phase) order.push(f.phase);
    expect(order).toEqual(['calm', 'load_wave', 'hot_spot', 'bottleneck', 'correlated_anomaly', 'failure', 'recovery', 'calm']);
    expect(frames[model.stepsPerCycle]?.cycle).toBe(1);
    // 97 phase units (pack minutes, src/demo/pack-timing.ts) of 45 s at one frame per second.
    expect(model.stepsPerCycle).toBe(97 * 45);
  });

  it('drives a load wave through the pipeline with the planner leading and the reviewer following', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    const frames = run(model, model.stepsPerCycle);
    const wave = phaseFrames(frames, 'load_wave');
    const calm = phaseFrames(frames, 'calm');
    const peakStep = (agent: string): number => {
      let best = wave[0] as StepFrame;
      for (const f of wave) if (metric(f, agent, 'throughput') > metric(best, agent, 'throughput')) best = f;
      return best.step;
    };
    for (const worker of ['beta', 'gamma', 'delta']) {
      expect(Math.max(...wave.map((f) => metric(f, worker, 'cpu_usage')))).toBeGreaterThan(
        1.8 * mean(calm.map((f) => metric(f, worker, 'cpu_usage'))),
      );
    }
    // Work takes lagMs (10 s) per hop: the reviewer's peak comes well after the planner's.
    expect(peakStep('mu') - peakStep('alpha')).toBeGreaterThanOrEqual(10);
  });

  it('turns gamma into a bottleneck: its queue grows and its latency inflates while its peers stay clear', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    const frames = run(model, model.stepsPerCycle);
    const bottleneck = phaseFrames(frames, 'bottleneck');
    const queue = bottleneck.map((f) => metric(f, 'gamma', 'queue_depth'));
    const quarter = Math.floor(queue.length / 4);
    expect(queue[0]).toBe(0);
    // Grows through the phase: each quarter ends higher than the one before.
    expect(queue[2 * quarter]).toBeGreaterThan(queue[quarter] ?? Infinity);
    expect(queue[3 * quarter]).toBeGreaterThan(queue[2 * quarter] ?? Infinity);
    expect(queue[queue.length - 1]).toBeGreaterThan(queue[3 * quarter] ?? Infinity);
    expect(queue[queue.length - 1]).toBeGreaterThanOrEqual(20);
    const calmLatency = mean(phaseFrames(frames, 'calm').map((f) => metric(f, 'gamma', 'response_time')));
    expect(metric(bottleneck[bottleneck.length - 1], 'gamma', 'response_time')).toBeGreaterThan(5 * calmLatency);
    for (const peer of ['beta', 'delta']) expect(Math.max(...bottleneck.map((f) => metric(f, peer, 'queue_depth')))).toBeLessThanOrEqual(1);
    expect(bottleneck[0]?.events).toContainEqual({ kind: 'bottleneck_started', agent: 'gamma' });
  });

  it('hits delta, epsilon and zeta (the workers sharing a tool backend) with the correlated anomaly in the same step, and only them', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    const frames = run(model, model.stepsPerCycle);
    const anomaly = phaseFrames(frames, 'correlated_anomaly');
    const start = anomaly.findIndex((f) => f.events.some((e) => e.kind === 'anomaly_started'));
    expect(start).toBeGreaterThan(0);
    const before = anomaly[start - 1];
    const at = anomaly[start];
    const jumped = DEMO_AGENT_IDS.filter(
      (agent) =>
        metric(at, agent, 'error_rate') - metric(before, agent, 'error_rate') > 0.1 &&
        metric(at, agent, 'cpu_usage') > metric(before, agent, 'cpu_usage'),
    );
    expect(jumped).toEqual(['delta', 'epsilon', 'zeta']);
    for (const worker of ['delta', 'zeta'])
      expect(metric(at, worker, 'response_time')).toBeGreaterThan(2.5 * metric(before, worker, 'response_time'));
    expect(at?.events).toContainEqual({ kind: 'anomaly_started', agents: ['delta', 'epsilon', 'zeta'] });
    // It ends within the phase, for all of them together.
    const end = anomaly.findIndex((f) => f.events.some((e) => e.kind === 'anomaly_ended'));
    expect(end).toBeGreaterThan(start);
    expect(metric(anomaly[end], 'delta', 'error_rate')).toBeLessThan(0.05);
  });

  it('takes delta down for the failure phase, lets its peers absorb the load, and brings it back', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    const frames = run(model, model.stepsPerCycle + 1);
    const failure = phaseFrames(frames, 'failure');
    // The pack's AgentDown `for:` (1m), the heartbeat timeout and the detection margin: 6 units.
    expect(failure.length).toBe(6 * 45);
    expect(failure.every((f) => f.agents.find((a) => a.id === 'delta')?.up === false)).toBe(true);
    expect(failure.every((f) => f.agents.filter((a) => a.id !== 'delta').every((a) => a.up && a.metrics !== undefined))).toBe(true);
    expect(failure[0]?.events).toContainEqual({ kind: 'agent_failed', agent: 'delta' });
    // Demand eases to the night level (0.6, as in calm) over the first half of the phase, and
    // reaches the workers 10 s later; delta held 9 of the workers' 81 slots, so each peer then
    // takes about an eighth more than in calm.
    const calm = phaseFrames(frames, 'calm');
    expect(mean(failure.slice(failure.length / 2 + 20).map((f) => metric(f, 'beta', 'throughput')))).toBeGreaterThan(
      1.08 * mean(calm.map((f) => metric(f, 'beta', 'throughput'))),
    );
    const recovery = phaseFrames(frames, 'recovery');
    expect(recovery[0]?.agents.find((a) => a.id === 'delta')?.up).toBe(true);
    expect(recovery[0]?.events).toContainEqual({ kind: 'agent_restarted', agent: 'delta', by: 'script' });
  });

  it('restarts a down agent on request and keeps it up for the rest of the phase', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    const failureStart = model.schedule.find((s) => s.phase === 'failure')?.start ?? -1;
    run(model, failureStart + 10);
    expect(model.isDown('delta')).toBe(true);
    expect(model.downAgents()).toEqual(['delta']);
    expect(model.restartAgent('beta')).toBe(false);
    expect(model.restartAgent('nobody')).toBe(false);

    expect(model.restartAgent('delta')).toBe(true);
    const after = run(model, 30);
    expect(after[0]?.events).toContainEqual({ kind: 'agent_restarted', agent: 'delta', by: 'request' });
    expect(after.every((f) => f.phase === 'failure' && f.agents.find((a) => a.id === 'delta')?.up === true)).toBe(true);
    // Cold start: slower answers right after the restart than once warm.
    expect(metric(after[0], 'delta', 'response_time')).toBeGreaterThan(metric(after[29], 'delta', 'response_time'));
  });

  it('applies a balancing plan: queued tasks move and the bottleneck stops piling up', () => {
    const model = new SwarmModel({ scenario: 'day', ...DEMO });
    const bottleneck = model.schedule.find((s) => s.phase === 'bottleneck');
    // Demand ramps up and gamma slows down over the first part of the phase: its queue builds after that.
    const frames = run(model, (bottleneck?.start ?? 0) + 200);
    const queued = metric(frames[frames.length - 1], 'gamma', 'queue_depth');
    expect(queued).toBeGreaterThan(15);

    const outcome = model.applyBalancing([
      { from: 'gamma', to: 'beta', load: 10 },
      { from: 'gamma', to: 'delta', load: 5 },
      { from: 'gamma', to: 'ghost', load: 5 },
      { from: 'gamma', to: 'beta', load: Number.NaN },
    ]);
    expect(outcome).toEqual({ movedTasks: 15, moves: 2 });
    const next = model.step();
    expect(next.events).toContainEqual({ kind: 'balancing_applied', movedTasks: 15, moves: 2 });
    expect(metric(next, 'gamma', 'queue_depth')).toBeLessThanOrEqual(queued - 15 + 1);
    expect(metric(next, 'beta', 'queue_depth')).toBeGreaterThan(0);
    // The router now weighs gamma by its measured rate: its queue drains instead of growing.
    const later = run(model, 25);
    expect(metric(later[later.length - 1], 'gamma', 'queue_depth')).toBeLessThan(metric(next, 'gamma', 'queue_depth'));
  });

  it('scales to 5,000 agents with agent-0001 style ids and a 10/80/10 role split', () => {
    const model = new SwarmModel({ scenario: 'steady', agents: 5000, ...DEMO });
    const frame = model.step();
    expect(frame.agents).toHaveLength(5000);
    expect(model.agents[0]?.id).toBe('agent-0001');
    expect(model.agents[4999]?.id).toBe('agent-5000');
    const count = (type: string): number => model.agents.filter((a) => a.type === type).length;
    expect([count('planner'), count('worker'), count('reviewer')]).toEqual([500, 4000, 500]);
    expect(new Set(model.agents.map((a) => a.id)).size).toBe(5000);
  });

  it.each([
    { options: { scenario: 'nope' }, message: /scenario: expected one of day, steady, wave, got "nope"/ },
    { options: { scenario: 'day', agents: 3 }, message: /agents: scenario day expects an integer >= 5, got 3/ },
    { options: { scenario: 'steady', agents: 0 }, message: /agents: scenario steady expects an integer >= 1, got 0/ },
    { options: { scenario: 'steady', stepMs: 0 }, message: /stepMs/ },
    { options: { scenario: 'steady', phaseMs: 10 }, message: /phaseMs/ },
  ])('refuses $options', ({ options, message }) => {
    expect(() => new SwarmModel({ ...DEMO, ...options })).toThrow(message);
  });

  it('only ever reports finite values within each canonical metric range', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom('day', 'steady', 'wave'), fc.integer({ min: 5, max: 40 }), (seed, scenario, agents) => {
        const model = new SwarmModel({ scenario, agents, seed, stepMs: 1000, phaseMs: 8000 });
        for (const frame of run(model, model.stepsPerCycle)) {
          for (const agent of frame.agents) {
            if (agent.metrics === undefined) continue;
            for (const name of CANONICAL_METRICS) {
              const value = agent.metrics[name];
              const spec = CANONICAL_METRIC_SPECS[name];
              if (!Number.isFinite(value) || value < spec.min || value > spec.max)
                throw new Error(`${agent.id} ${name} = ${value} at step ${frame.step}`);
            }
          }
        }
      }),
      { numRuns: 25, seed: 1 },
    );
  });
});
