import { afterEach, describe, expect, it, vi } from 'vitest';
import { CANONICAL_METRICS } from '../../src/model/canonical-metrics.js';
import { startSimulatedSwarm } from '../../src/demo/simulated-swarm.js';
import { SwarmModel } from '../../src/demo/swarm-model.js';
import { DEMO_AGENT_IDS } from '../../src/demo/topology.js';
import type { SimulatedSwarm, SimulatedSwarmOptions } from '../../src/demo/simulated-swarm.js';
import { FakeExporter } from '../client/fake-exporter.js';
import { ManualTimers } from '../client/manual-timers.js';

// One step per second and one step per phase unit; the layout comes from the model itself (the
// day's phase lengths follow the rules pack's `for:` times, src/demo/pack-timing.ts).
const LAYOUT = new SwarmModel({ scenario: 'day', stepMs: 1000, phaseMs: 1000 });
function phaseSteps(name: string): { first: number; last: number } {
  const slot = LAYOUT.schedule.find((s) => s.phase === name);
  if (slot === undefined) throw new Error(`no phase ${name}`);
  return { first: slot.start, last: slot.start + slot.length - 1 };
}
const FAILURE = phaseSteps('failure');
const BOTTLENECK = phaseSteps('bottleneck');
const CYCLE = LAYOUT.stepsPerCycle;

interface Harness {
  server: FakeExporter;
  timers: ManualTimers;
  sim: SimulatedSwarm;
  logs: string[];
  t0: number;
  step: number;
}

const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    const stopped = h.sim.stop();
    h.timers.advance(3_600_000);
    await h.server.close();
    await stopped;
  }
});

async function start(extra: Partial<SimulatedSwarmOptions> = {}): Promise<Harness> {
  const server = await new FakeExporter().start();
  const timers = new ManualTimers();
  const logs: string[] = [];
  const t0 = timers.now();
  const sim = await startSimulatedSwarm({
    target: server.url,
    scenario: 'day',
    swarm: 'demo',
    stepMs: 1000,
    phaseMs: 1000,
    heartbeatMs: 2000,
    clock: timers,
    timers,
    log: (line) => logs.push(line),
    ...extra,
  });
  const harness = { server, timers, sim, logs, t0, step: 0 };
  open.push(harness);
  return harness;
}

/**
 * Waits until every request the reporter started has reached the fake exporter and been answered,
 * and (when `drained`) nothing is left in the batch buffer.
 */
async function settle(h: Harness, drained: boolean): Promise<void> {
  await vi.waitFor(
    () => {
      const stats = h.sim.status().reporter;
      expect({ arrived: h.server.requests.length, open: h.server.openRequests, buffered: drained ? stats.buffered : 0 }).toEqual({
        arrived: stats.requests,
        open: 0,
        buffered: 0,
      });
    },
    { timeout: 10_000, interval: 2 },
  );
}

/** Plays until step `last` has been recorded and flushed; requests are tagged with their step. */
async function playTo(h: Harness, last: number): Promise<void> {
  for (;;) {
    h.server.tag = h.step;
    h.timers.advance(250); // the batch deadline: this step's samples leave
    await settle(h, true);
    if (h.step >= last) return;
    h.step += 1;
    h.server.tag = h.step;
    h.timers.advance(750); // the next tick
    await settle(h, false);
  }
}

function stepsWithSamples(h: Harness, agent: string): number[] {
  const steps = h.server
    .batchedSamples()
    .filter((s) => s['agent'] === agent)
    .map((s) => ((s['timestamp'] as number) - h.t0) / 1000);
  return [...new Set(steps)].sort((a, b) => a - b);
}

function heartbeatTags(h: Harness, agent: string): number[] {
  return h.server.to(`/api/v1/agents/${agent}/heartbeat`).map((r) => r.tag);
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('startSimulatedSwarm', () => {
  it('registers the twelve demo agents, then pushes each step as one batch of their canonical metrics', async () => {
    const h = await start();
    expect(h.sim.agents.map((a) => a.id)).toEqual([...DEMO_AGENT_IDS]);
    const registrations = h.server.requests.filter((r) => r.path.endsWith('/heartbeat'));
    // One registration per agent; they leave over up to 8 connections at once, so the order in which
    // the server sees them is not the agents' order (mu arrived before zeta in one CI run).
    expect(registrations.map((r) => r.path).sort()).toEqual(DEMO_AGENT_IDS.map((a) => `/api/v1/agents/${a}/heartbeat`).sort());
    expect(registrations.find((r) => r.path === '/api/v1/agents/alpha/heartbeat')?.body).toEqual({
      swarm: 'demo',
      type: 'planner',
      variant: 'v1',
      capacity: h.sim.agents[0]?.capacity,
      labels: { simulated: 'true', scenario: 'day' },
    });
    expect(h.logs).toContain('simulator: registered 12/12 agents');

    await playTo(h, 0);

    const batches = h.server.to('/api/v1/samples');
    expect(batches).toHaveLength(1);
    const samples = h.server.batchedSamples();
    expect(samples).toHaveLength(DEMO_AGENT_IDS.length * CANONICAL_METRICS.length);
    expect(new Set(samples.map((s) => s['swarm']))).toEqual(new Set(['demo']));
    expect(new Set(samples.map((s) => s['timestamp']))).toEqual(new Set([h.t0]));
    expect(new Set(samples.map((s) => s['metric']))).toEqual(new Set(CANONICAL_METRICS));
    expect(h.logs.some((l) => l.includes('phase calm (cycle 0)'))).toBe(true);
  });

  it('silences the failing agent for the whole failure phase and heartbeats it as soon as it is back', async () => {
    const h = await start();
    await playTo(h, CYCLE + 1);

    const all = range(0, CYCLE + 1);
    const failure = range(FAILURE.first, FAILURE.last);
    expect(stepsWithSamples(h, 'delta')).toEqual(all.filter((s) => !failure.includes(s)));
    for (const peer of ['alpha', 'beta', 'gamma', 'epsilon']) expect(stepsWithSamples(h, peer)).toEqual(all);
    const beats = heartbeatTags(h, 'delta');
    expect(beats.filter((t) => failure.includes(t))).toEqual([]);
    expect(beats).toContain(FAILURE.last + 1);
    // Spread heartbeats: every 2 steps for a live agent; beta (index 1) on the odd ones.
    expect(heartbeatTags(h, 'beta').filter((t) => t > 0)).toEqual(range(1, CYCLE + 1).filter((s) => s % 2 === 1));
    expect(h.logs).toContain('simulator: delta failed: no heartbeats, no samples');
    expect(h.logs).toContain('simulator: delta is back (restarted by the script)');
    expect(h.logs).toContain('simulator: gamma is becoming a bottleneck');
    expect(h.logs).toContain('simulator: correlated anomaly in delta, epsilon, zeta');
  });

  it('brings a failed agent back when asked, before the script would', async () => {
    const h = await start();
    await playTo(h, FAILURE.first + 2);
    expect(h.sim.downAgents()).toEqual(['delta']);
    expect(h.sim.status()).toMatchObject({ phase: 'failure', down: ['delta'] });

    expect(h.sim.restartAgent('delta')).toBe(true);
    expect(h.sim.restartAgent('delta')).toBe(false);
    await playTo(h, FAILURE.first + 4);

    expect(h.sim.downAgents()).toEqual([]);
    expect(stepsWithSamples(h, 'delta').filter((s) => s >= FAILURE.first)).toEqual([FAILURE.first + 3, FAILURE.first + 4]);
    expect(heartbeatTags(h, 'delta')).toContain(FAILURE.first + 3);
    expect(h.logs).toContain('simulator: restarting delta on request');
  });

  it('applies a resource_balancing plan from the exporter', async () => {
    const h = await start();
    await playTo(h, BOTTLENECK.first + 5);
    const plan = {
      kind: 'resource_balancing',
      moves: [
        { from: 'gamma', to: 'beta', load: 2 },
        { from: 'gamma', to: 'delta', load: 'lots' },
      ],
    };
    const outcome = h.sim.applyBalancing(plan);
    expect(outcome.moves).toBe(1);
    expect(outcome.movedTasks).toBeGreaterThan(0);
    expect(h.logs.some((l) => l.startsWith('simulator: balancing plan applied: 1/1 moves'))).toBe(true);
  });

  it('flushes the last step on stop and then sends nothing more', async () => {
    const h = await start();
    await playTo(h, 2);
    h.step += 1;
    h.timers.advance(750); // tick 3 is recorded but its batch deadline has not passed
    await settle(h, false);
    expect(stepsWithSamples(h, 'alpha')).toEqual([0, 1, 2]);

    await h.sim.stop();
    expect(stepsWithSamples(h, 'alpha')).toEqual([0, 1, 2, 3]);
    const sent = h.server.requests.length;
    expect(h.timers.pending).toBe(0);
    h.timers.advance(60_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.server.requests.length).toBe(sent);
    await h.sim.stop();
  });

  it('pushes 5,000 agents in batches of 1,000 without exceeding its concurrency bound', async () => {
    const h = await start({ scenario: 'steady', agents: 5000, swarm: 'load', heartbeatMs: 3_600_000, maxConcurrentRequests: 4 });
    expect(h.server.to('/api/v1/samples')).toHaveLength(0);
    expect(h.server.requests).toHaveLength(5000);

    await playTo(h, 1);

    const batches = h.server.to('/api/v1/samples');
    expect(batches.map((b) => (b.body as { samples: unknown[] }).samples.length)).toEqual(
      new Array((2 * 5000 * CANONICAL_METRICS.length) / 1000).fill(1000),
    );
    expect(h.server.maxConcurrent).toBeLessThanOrEqual(4);
    // The last answers may still be on their way back to the client.
    await vi.waitFor(
      () =>
        expect(h.sim.status().reporter).toMatchObject({
          samplesAccepted: 2 * 5000 * CANONICAL_METRICS.length,
          samplesDropped: 0,
          failures: 0,
        }),
      { timeout: 10_000, interval: 5 },
    );
  }, 60_000);
});
