import { request } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
// The exporter's own signer: the receiver must accept exactly what the real sender produces.
import { decodeSigningSecret, webhookHeaders } from '../../src/coordination/webhook-signature.js';
import { startCoordinationReceiver } from '../../src/demo/coordination-receiver.js';
import type { ActionTarget, CoordinationReceiver, CoordinationReceiverOptions } from '../../src/demo/coordination-receiver.js';
import type { BalancingOutcome } from '../../src/demo/swarm-model.js';
import { startSimulatedSwarm } from '../../src/demo/simulated-swarm.js';
import { SwarmModel } from '../../src/demo/swarm-model.js';
import { FakeExporter } from '../client/fake-exporter.js';
import { ManualTimers } from '../client/manual-timers.js';

const SECRET = `whsec_${Buffer.from('demo-receiver-test-secret-32-bytes!').toString('base64')}`;

/** Records what the receiver asks of the simulator. */
class FakeSwarm implements ActionTarget {
  readonly swarm = 'demo';
  readonly down = new Set<string>(['delta']);
  readonly restarts: string[] = [];
  readonly plans: unknown[] = [];
  failNext = false;
  restartAgent(id: string): boolean {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('orchestrator busy');
    }
    if (!this.down.delete(id)) return false;
    this.restarts.push(id);
    return true;
  }
  applyBalancing(plan: unknown): BalancingOutcome {
    this.plans.push(plan);
    return { movedTasks: 4, moves: 2 };
  }
  downAgents(): string[] {
    return [...this.down];
  }
}

const receivers: CoordinationReceiver[] = [];
const servers: FakeExporter[] = [];

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function receiver(simulator: ActionTarget, extra: Partial<CoordinationReceiverOptions> = {}): Promise<CoordinationReceiver> {
  const r = await startCoordinationReceiver({ simulator, secret: SECRET, ...extra });
  receivers.push(r);
  return r;
}

function task(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'task-1',
    type: 'cross_system_healing',
    priority: 'emergency',
    swarm: 'demo',
    agents: ['delta'],
    reason: 'AgentSwarmAgentDown: delta',
    alerts: [],
    plan: { kind: 'cross_system_healing', swarm: 'demo', actions: [{ agent: 'delta', action: 'restart' }] },
    attempt: 1,
    created_at: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

interface DeliverOptions {
  readonly id?: string;
  readonly secret?: string;
  readonly nowMs?: number;
  /** Changes the body after signing. */
  readonly tamper?: (body: string) => string;
  readonly omit?: string;
  readonly method?: string;
  readonly path?: string;
}

/** Sends `payload` signed the way the exporter's action delivery signs it. */
async function deliver(
  r: CoordinationReceiver,
  payload: unknown,
  options: DeliverOptions = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const id = options.id ?? (payload as { id?: string }).id ?? 'task-x';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...webhookHeaders(decodeSigningSecret(options.secret ?? SECRET), id, options.nowMs ?? Date.now(), body),
  };
  if (options.omit !== undefined) delete headers[options.omit];
  const url = options.path === undefined ? r.url : r.url.replace('/coordination', options.path);
  const method = options.method ?? 'POST';
  const response = await fetch(url, { method, headers, ...(method === 'GET' ? {} : { body: options.tamper?.(body) ?? body }) });
  const text = await response.text();
  return { status: response.status, body: text.length > 0 ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

describe('startCoordinationReceiver', () => {
  it('restarts the failed agent of a running simulated swarm on a signed cross_system_healing task', async () => {
    const exporter = await new FakeExporter().start();
    servers.push(exporter);
    const timers = new ManualTimers();
    const sim = await startSimulatedSwarm({
      target: exporter.url,
      scenario: 'day',
      swarm: 'demo',
      stepMs: 1000,
      phaseMs: 1000,
      clock: timers,
      timers,
    });
    try {
      // One step into the failure phase (one step per phase unit here).
      const failureStart =
        new SwarmModel({ scenario: 'day', stepMs: 1000, phaseMs: 1000 }).schedule.find((s) => s.phase === 'failure')?.start ?? 0;
      timers.advance((failureStart + 1) * 1000);
      expect(sim.downAgents()).toEqual(['delta']);
      const logs: string[] = [];
      const r = await receiver(sim, { log: (line) => logs.push(line) });

      const answer = await deliver(r, task());

      expect(answer).toEqual({ status: 200, body: { status: 'done', action: 'restarted delta' } });
      expect(sim.downAgents()).toEqual([]);
      expect(r.received()).toEqual([
        { id: 'task-1', type: 'cross_system_healing', swarm: 'demo', attempt: 1, action: 'restarted delta', duplicate: false },
      ]);
      expect(logs).toContain('coordination receiver: emergency cross_system_healing task task-1 (attempt 1): restarted delta');
      // The restarted agent pushes again from the next step.
      timers.advance(1000);
      await vi.waitFor(
        () => expect(exporter.batchedSamples().some((s) => s['agent'] === 'delta' && s['timestamp'] === timers.now())).toBe(true),
        { timeout: 5000, interval: 5 },
      );
    } finally {
      const stopped = sim.stop();
      timers.advance(60_000);
      await stopped;
    }
  });

  it('answers a retry of the same task (same webhook-id, new attempt, fresh signature) without acting twice', async () => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm);

    const first = await deliver(r, task(), { nowMs: Date.now() - 5000 });
    const retry = await deliver(r, task({ attempt: 2 }));

    expect(first).toEqual({ status: 200, body: { status: 'done', action: 'restarted delta' } });
    expect(retry).toEqual({ status: 200, body: { status: 'duplicate', action: 'restarted delta' } });
    expect(swarm.restarts).toEqual(['delta']);
    expect(r.stats()).toEqual({ accepted: 2, duplicates: 1, refused: 0 });
    expect(r.received().map((t) => [t.attempt, t.duplicate])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it.each([
    { name: 'a body changed after signing', options: { tamper: (b: string) => b.replace('delta', 'gamma') } },
    { name: 'another secret', options: { secret: 'whsec_' + Buffer.from('someone else entirely, 32 bytes').toString('base64') } },
    { name: 'a timestamp ten minutes old', options: { nowMs: Date.now() - 600_000 } },
    { name: 'no signature header', options: { omit: 'webhook-signature' } },
    { name: 'no webhook-id header', options: { omit: 'webhook-id' } },
  ])('refuses $name with 401 and does nothing', async ({ options }) => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm);

    const answer = await deliver(r, task(), options);

    expect(answer.status).toBe(401);
    expect(answer.body['error']).toMatch(/signature/);
    expect(swarm.restarts).toEqual([]);
    expect(r.stats()).toEqual({ accepted: 0, duplicates: 0, refused: 1 });
  });

  it.each([
    { name: 'a GET', payload: task(), options: { method: 'GET' }, status: 405 },
    { name: 'another path', payload: task(), options: { path: '/elsewhere' }, status: 404 },
    { name: 'a body that is not JSON', payload: '{"id": "task-1",', options: { id: 'task-1' }, status: 400 },
    { name: 'a task without swarm', payload: task({ swarm: undefined }), options: {}, status: 400 },
    { name: 'agents that are not strings', payload: task({ agents: [1, 2] }), options: {}, status: 400 },
    { name: 'a plan that is not an object', payload: task({ plan: 'restart' }), options: {}, status: 400 },
  ])('refuses $name with $status', async ({ payload, options, status }) => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm);
    const answer = await deliver(r, payload, options);
    expect(answer.status).toBe(status);
    expect(typeof answer.body['error']).toBe('string');
    expect(swarm.restarts).toEqual([]);
  });

  it('answers GET /-/healthy with 200 for a container healthcheck, and acts on nothing', async () => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm);
    const res = await fetch(new URL('/-/healthy', r.url));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('Healthy\n');
    expect((await fetch(new URL('/-/healthy', r.url), { method: 'POST', body: '{}' })).status).toBe(404);
    expect(swarm.restarts).toEqual([]);
  });

  it('refuses a body above the limit with 413', async () => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm, { maxBodyBytes: 1024 });
    const answer = await deliver(r, task({ reason: 'x'.repeat(4096) }));
    expect(answer.status).toBe(413);
    expect(swarm.restarts).toEqual([]);
  });

  it('refuses a chunked body that grows past the limit with 413', async () => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm, { maxBodyBytes: 1024 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        r.url,
        { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(`{"id":"task-1","reason":"${'x'.repeat(800)}`);
      req.write('y'.repeat(800));
      req.end('"}');
    });
    expect(status).toBe(413);
    expect(swarm.restarts).toEqual([]);
  });

  it('applies a resource_balancing plan', async () => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm);
    const plan = { kind: 'resource_balancing', moves: [{ from: 'gamma', to: 'beta', load: 4 }] };

    const answer = await deliver(r, task({ id: 'task-2', type: 'resource_balancing', priority: 'medium', agents: [], plan }));

    expect(answer).toEqual({ status: 200, body: { status: 'done', action: 'balanced: 2 moves, 4 tasks moved' } });
    expect(swarm.plans).toEqual([plan]);
  });

  it.each([
    {
      name: 'restarts the agents of a task whose plan has no actions',
      overrides: { plan: {}, agents: ['delta'] },
      action: 'restarted delta',
      restarts: ['delta'],
    },
    {
      name: 'restarts any down agent when the task names none',
      overrides: { plan: {}, agents: [] },
      action: 'restarted delta',
      restarts: ['delta'],
    },
    {
      name: 'restarts nothing when the plan only says investigate',
      overrides: { plan: { actions: [{ agent: 'beta', action: 'investigate' }] }, agents: ['beta'] },
      action: 'nothing to restart',
      restarts: [],
    },
    {
      name: 'acknowledges a task type it has no action for',
      overrides: { type: 'performance_sync' },
      action: 'acknowledged',
      restarts: [],
    },
    { name: 'ignores a task for another swarm', overrides: { swarm: 'prod' }, action: 'ignored: swarm prod is not demo', restarts: [] },
  ])('$name', async ({ overrides, action, restarts }) => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm);
    const answer = await deliver(r, task(overrides));
    expect(answer).toEqual({ status: 200, body: { status: 'done', action } });
    expect(swarm.restarts).toEqual(restarts);
  });

  it('answers 500 when the action fails and acts on the retry', async () => {
    const swarm = new FakeSwarm();
    swarm.failNext = true;
    const r = await receiver(swarm);

    expect((await deliver(r, task())).status).toBe(500);
    expect(await deliver(r, task({ attempt: 2 }))).toEqual({ status: 200, body: { status: 'done', action: 'restarted delta' } });
    expect(swarm.restarts).toEqual(['delta']);
  });

  it('uses an injected verify function instead of a secret', async () => {
    const swarm = new FakeSwarm();
    const seen: string[] = [];
    const r = await receiver(swarm, {
      secret: undefined,
      verify: (headers, raw) => {
        seen.push(raw.toString('utf8'));
        return headers['x-test-allow'] === 'yes';
      },
    });
    const body = JSON.stringify(task());
    const post = (allow: string): Promise<Response> =>
      fetch(r.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': 'task-1', 'x-test-allow': allow },
        body,
      });

    expect((await post('no')).status).toBe(401);
    expect((await post('yes')).status).toBe(200);
    expect(seen).toEqual([body, body]);
    expect(swarm.restarts).toEqual(['delta']);
  });

  it('will not start without a way to check signatures', async () => {
    await expect(startCoordinationReceiver({ simulator: new FakeSwarm() })).rejects.toThrow(/secret or a verify function/);
  });

  it('forgets the oldest ids beyond its memory bound', async () => {
    const swarm = new FakeSwarm();
    const r = await receiver(swarm, { maxRememberedIds: 2 });
    for (const id of ['a', 'b', 'c']) await deliver(r, task({ id, type: 'performance_sync' }));
    expect((await deliver(r, task({ id: 'c', type: 'performance_sync' }))).body['status']).toBe('duplicate');
    expect((await deliver(r, task({ id: 'a', type: 'performance_sync' }))).body['status']).toBe('done');
  });
});
