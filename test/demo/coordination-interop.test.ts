// The exporter's own plan builder and action delivery against the demo receiver and a running simulated swarm.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { postTask, resolveActionTargets } from '../../src/coordination/action-delivery.js';
import { buildPlan } from '../../src/coordination/plans.js';
import type { PlanAgent, PlanContext } from '../../src/coordination/plan-context.js';
import type { CoordinationType } from '../../src/model/coordination-vocabulary.js';
import { startCoordinationReceiver } from '../../src/demo/coordination-receiver.js';
import type { CoordinationReceiver } from '../../src/demo/coordination-receiver.js';
import { startSimulatedSwarm } from '../../src/demo/simulated-swarm.js';
import { SwarmModel } from '../../src/demo/swarm-model.js';
import type { SimulatedSwarm } from '../../src/demo/simulated-swarm.js';
import { FakeExporter } from '../client/fake-exporter.js';
import { ManualTimers } from '../client/manual-timers.js';

const SECRET = `whsec_${Buffer.from('interop secret of exactly 32 b!!').toString('base64')}`;
// 1 s steps, 2 s phase units; where each phase falls comes from the model itself.
const TIME = { stepMs: 1000, phaseMs: 2000 } as const;
const LAYOUT = new SwarmModel({ scenario: 'day', ...TIME }).schedule;
const BOTTLENECK = LAYOUT.find((s) => s.phase === 'bottleneck') ?? { start: 0, length: 0 };
const FAILURE_START = LAYOUT.find((s) => s.phase === 'failure')?.start ?? 0;

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

interface Loop {
  exporter: FakeExporter;
  timers: ManualTimers;
  sim: SimulatedSwarm;
  receiver: CoordinationReceiver;
  step: number;
}

async function loop(): Promise<Loop> {
  const exporter = await new FakeExporter().start();
  cleanup.push(() => exporter.close());
  const timers = new ManualTimers();
  const sim = await startSimulatedSwarm({ target: exporter.url, scenario: 'day', swarm: 'demo', clock: timers, timers, ...TIME });
  cleanup.push(async () => {
    const stopped = sim.stop();
    timers.advance(60_000);
    await stopped;
  });
  const receiver = await startCoordinationReceiver({ simulator: sim, secret: SECRET });
  cleanup.push(() => receiver.close());
  return { exporter, timers, sim, receiver, step: 0 };
}

/** Waits until every request started has been answered (and, when `drained`, nothing is buffered). */
async function settle(l: Loop, drained: boolean): Promise<void> {
  await vi.waitFor(
    () => {
      const stats = l.sim.status().reporter;
      expect({ arrived: l.exporter.requests.length, open: l.exporter.openRequests, buffered: drained ? stats.buffered : 0 }).toEqual({
        arrived: stats.requests,
        open: 0,
        buffered: 0,
      });
    },
    { timeout: 10_000, interval: 2 },
  );
}

/**
 * Plays until step `last` is recorded and flushed. Time moves one step at a time with real I/O
 * settling in between, as it would in production: jumping a minute at once would fire request
 * timeouts before any byte could move.
 */
async function playTo(l: Loop, last: number): Promise<void> {
  for (;;) {
    l.timers.advance(250);
    await settle(l, true);
    if (l.step >= last) return;
    l.step += 1;
    l.timers.advance(750);
    await settle(l, false);
  }
}

/** What the exporter's registry would know: the latest pushed value of each metric per agent. */
function registryView(l: Loop, failed: ReadonlySet<string> = new Set()): PlanContext {
  const latest = new Map<string, { at: number; values: Record<string, number> }>();
  for (const s of l.exporter.batchedSamples()) {
    const agent = s['agent'] as string;
    const at = s['timestamp'] as number;
    const entry = latest.get(agent) ?? { at, values: {} };
    if (at >= entry.at) {
      entry.at = at;
      entry.values[s['metric'] as string] = s['value'] as number;
    }
    latest.set(agent, entry);
  }
  const agents: PlanAgent[] = l.sim.agents.map((a) => ({
    id: a.id,
    type: a.type,
    variant: a.variant,
    status: failed.has(a.id) ? 'failed' : 'good',
    healthScore: failed.has(a.id) ? 0 : 0.8,
    lastSeen: latest.get(a.id)?.at ?? 0,
    capacity: a.capacity,
    values: latest.get(a.id)?.values ?? {},
  }));
  return { swarms: () => ['demo'], agents: () => agents, analysis: () => undefined };
}

/** Delivers a task exactly as the exporter's runner does: payload, signature, fetch, outcome. */
async function deliver(
  l: Loop,
  id: string,
  type: CoordinationType,
  agents: string[],
  context: PlanContext,
  attempt: number,
): Promise<string> {
  const target = resolveActionTargets({ default: { url: l.receiver.url, secret_file: 'demo-secret' } }, () => SECRET)(type);
  if (target === undefined) throw new Error('no target');
  const plan = buildPlan({ type, swarm: 'demo', agents }, context, l.timers.now());
  const body = JSON.stringify({
    id,
    type,
    priority: 'high',
    swarm: 'demo',
    agents,
    reason: 'interop',
    alerts: [],
    plan,
    attempt,
    created_at: new Date(l.timers.now()).toISOString(),
  });
  const report = await postTask(target, id, body, Date.now(), AbortSignal.timeout(5000));
  return report.outcome.kind;
}

function queueOf(l: Loop, agent: string): number {
  const samples = l.exporter.batchedSamples().filter((s) => s['agent'] === agent && s['metric'] === 'queue_depth');
  return (samples[samples.length - 1]?.['value'] as number | undefined) ?? Number.NaN;
}

describe("coordination loop with the exporter's plans and delivery", () => {
  it('balances the bottleneck with a resource_balancing plan built from what the swarm pushed', async () => {
    const l = await loop();
    await playTo(l, BOTTLENECK.start + BOTTLENECK.length - 2);
    const before = queueOf(l, 'gamma');
    expect(before).toBeGreaterThan(5);

    expect(await deliver(l, 'task-balance', 'resource_balancing', [], registryView(l), 1)).toBe('succeeded');

    const [received] = l.receiver.received();
    expect(received?.action).toMatch(/^balanced: [1-9]\d* moves, [\d.]+ tasks moved$/);
    await playTo(l, BOTTLENECK.start + BOTTLENECK.length - 1);
    expect(queueOf(l, 'gamma')).toBeLessThan(before);
  });

  it('restarts the failed agent once although the task is delivered twice', async () => {
    const l = await loop();
    await playTo(l, FAILURE_START + 5);
    expect(l.sim.downAgents()).toEqual(['delta']);
    const context = registryView(l, new Set(['delta']));

    expect(await deliver(l, 'task-heal', 'cross_system_healing', ['delta'], context, 1)).toBe('succeeded');
    expect(await deliver(l, 'task-heal', 'cross_system_healing', ['delta'], context, 2)).toBe('succeeded');

    expect(l.sim.downAgents()).toEqual([]);
    expect(l.receiver.received().map((t) => [t.attempt, t.action, t.duplicate])).toEqual([
      [1, 'restarted delta', false],
      [2, 'restarted delta', true],
    ]);
  });
});
