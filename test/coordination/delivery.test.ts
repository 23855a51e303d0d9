import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/client/webhook-verifier.js';
import { PRIORITIES, type Priority } from '../../src/model/coordination-vocabulary.js';
import { backoffCeilingMs } from '../../src/coordination/retry-policy.js';
import { ActionTarget, waitFor, type Answer } from './fixtures/action-target.js';
import { ServiceHarness, type HarnessOptions } from './fixtures/service-harness.js';
import { alert, notification } from './fixtures/alertmanager.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const open: { stop(): Promise<void> }[] = [];
let harness: ServiceHarness | undefined;

async function target(respond?: (index: number) => Answer): Promise<ActionTarget> {
  const t = await new ActionTarget().start();
  if (respond) t.respond = (_r, i) => respond(i);
  open.push(t);
  return t;
}

async function start(coordination: Record<string, unknown>, extra: HarnessOptions = {}): Promise<ServiceHarness> {
  harness = await new ServiceHarness({ coordination, secrets: { '/secret': SECRET }, ...extra }).start();
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
  for (const t of open.splice(0)) await t.stop();
});

const status = (h: ServiceHarness, id: string) => h.store.getTask(id)?.status;

describe('coordination delivery (docs/reliability.md tests 17-20)', () => {
  it('17. 500, 500, 200: three attempts, same webhook-id, fresh timestamp, valid signature, delays within the jitter bounds', async () => {
    const t = await target((i) => ({ status: i < 2 ? 500 : 200 }));
    const draws = [0.3, 0.9];
    const h = await start(
      { backoff: { initial: '10s', max: '5m' }, actions: { default: { url: `${t.url}/hook`, secret_file: '/secret' } } },
      { service: { random: () => draws.shift() ?? 0.5 } },
    );
    const created = await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'f17' })]));
    const id = (created.json.tasks_created as string[])[0] ?? '';
    const sentAt: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await h.scheduler.advance(0);
      await waitFor(() => t.received.length === attempt, `attempt ${attempt} at the target`);
      sentAt.push(h.clock.now());
      if (attempt === 3) break;
      await waitFor(() => status(h, id) === 'queued' && h.store.listAttempts(id).length === attempt, `attempt ${attempt} committed`);
      const delay = (h.store.getTask(id)?.nextAttemptAt ?? 0) - h.clock.now();
      const ceiling = backoffCeilingMs(attempt, { initialMs: 10_000, maxMs: 300_000, maxAttempts: 4, retryAfterCapMs: 300_000 });
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(ceiling);
      expect(delay).toBe(Math.floor((attempt === 1 ? 0.3 : 0.9) * ceiling));
      // Not a moment early.
      await h.scheduler.advance(delay - 1);
      expect(t.received).toHaveLength(attempt);
      await h.scheduler.advance(1);
    }
    await waitFor(() => status(h, id) === 'succeeded', 'success committed');

    const ids = t.received.map((r) => r.headers['webhook-id']);
    expect(ids).toEqual([id, id, id]);
    const stamps = t.received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(stamps).toEqual(sentAt.map((ms) => Math.floor(ms / 1000)));
    expect(new Set(stamps).size).toBe(3);
    for (const [i, r] of t.received.entries()) {
      expect(verifyWebhook(SECRET, r.headers, r.body, { now: () => sentAt[i] ?? 0 })).toMatchObject({ ok: true, id });
      expect(r.json).toMatchObject({
        id,
        type: 'cross_system_healing',
        attempt: i + 1,
        swarm: 'demo',
        agents: ['alpha'],
        plan: { kind: 'cross_system_healing' },
      });
      expect(r.headers['content-type']).toBe('application/json');
    }
    // The body differs only by attempt: the plan is computed once.
    expect(t.received.map((r) => JSON.stringify({ ...r.json, attempt: 0 }))).toEqual(
      Array(3).fill(JSON.stringify({ ...t.received[0]?.json, attempt: 0 })),
    );
    expect(h.store.listAttempts(id).map((a) => [a.outcome, a.statusCode])).toEqual([
      ['retryable', 500],
      ['retryable', 500],
      ['succeeded', 200],
    ]);
    expect(
      await h.metric('agentswarm_coordination_tasks_total', {
        coordination_type: 'cross_system_healing',
        priority: 'medium',
        outcome: 'succeeded',
      }),
    ).toBe(1);
  });

  it.each([400, 401, 404, 422])('18. %i fails the task at once', async (code) => {
    const t = await target(() => ({ status: code }));
    const h = await start({ actions: { default: { url: t.url } } });
    const task = h.service.createTask({ type: 'performance_sync', priority: 'low' });
    await h.scheduler.advance(0);
    await waitFor(() => status(h, task.id) === 'failed', 'failure committed');
    expect(h.store.getTask(task.id)).toMatchObject({ attempts: 1, lastError: `HTTP ${code}` });
    await h.scheduler.advance(600_000);
    expect(t.received).toHaveLength(1);
    expect(
      await h.metric('agentswarm_coordination_tasks_total', { coordination_type: 'performance_sync', priority: 'low', outcome: 'failed' }),
    ).toBe(1);
  });

  it.each([
    [429, '7', 7000],
    [503, '30', 30_000],
    [503, '86400', 60_000],
    [429, new Date(Date.UTC(2026, 0, 1, 0, 0, 20)).toUTCString(), 20_000],
  ])('18. %i with Retry-After %s waits %i ms (capped at backoff.max)', async (code, retryAfter, expected) => {
    const t = await target((i) => (i === 0 ? { status: code, headers: { 'retry-after': retryAfter } } : { status: 200 }));
    const h = await start(
      { backoff: { initial: '1s', max: '1m' }, actions: { default: { url: t.url } } },
      { service: { random: () => 0 } },
    );
    const task = h.service.createTask({ type: 'performance_sync', priority: 'low' });
    await h.scheduler.advance(0);
    await waitFor(() => h.store.listAttempts(task.id).length === 1, 'first attempt committed');
    expect((h.store.getTask(task.id)?.nextAttemptAt ?? 0) - h.clock.now()).toBe(expected);
    await h.scheduler.advance(expected - 1);
    expect(t.received).toHaveLength(1);
    await h.scheduler.advance(1);
    await waitFor(() => status(h, task.id) === 'succeeded', 'retry succeeded');
  });

  it('19. aborts a slow target at task_timeout, bounds concurrency per target (measured there), and other targets are unaffected', async () => {
    const slow = await target(() => 'hang');
    const fast = await target(() => ({ status: 200 }));
    const h = await start({
      concurrency: 5,
      per_target_concurrency: 2,
      task_timeout: '15s',
      actions: { default: { url: slow.url }, resource_balancing: { url: fast.url } },
    });
    const stuck = Array.from({ length: 6 }, () => h.service.createTask({ type: 'cross_system_healing', priority: 'emergency' }));
    const quick = Array.from({ length: 3 }, () => h.service.createTask({ type: 'resource_balancing', priority: 'low' }));
    await h.scheduler.advance(0);
    await waitFor(() => slow.received.length === 2, 'two deliveries at the slow target');
    for (const task of quick) await waitFor(() => status(h, task.id) === 'succeeded', `fast task ${task.id}`);
    expect(slow.maxInFlight).toBe(2);
    expect(fast.received).toHaveLength(3);

    await h.scheduler.advance(14_999);
    expect(slow.hangingCount).toBe(2);
    await h.scheduler.advance(1);
    // Aborted at the timeout: the target sees the connections close, the attempts are retryable.
    await h.until(() => slow.hangingCount === 2 && slow.received.length === 4, 'next two deliveries after the timeout');
    const timedOut = stuck.slice(0, 2).map((t) => h.store.listAttempts(t.id)[0]);
    expect(timedOut).toMatchObject([
      { outcome: 'retryable', error: 'timed out after 15000 ms' },
      { outcome: 'retryable', error: 'timed out after 15000 ms' },
    ]);
    expect(slow.maxInFlight).toBe(2);
  });

  it('20. a redirect to another host is not followed and fails the task', async () => {
    const elsewhere = await target(() => ({ status: 200 }));
    const t = await target(() => ({ status: 307, headers: { location: `${elsewhere.url}/steal` } }));
    const h = await start({ actions: { default: { url: t.url } } });
    const task = h.service.createTask({ type: 'performance_sync', priority: 'low' });
    await h.scheduler.advance(0);
    await waitFor(() => status(h, task.id) === 'failed', 'failure committed');
    expect(h.store.getTask(task.id)?.lastError).toMatch(/HTTP 307: redirects are not followed/);
    expect(elsewhere.received).toHaveLength(0);
    expect(
      await h.metric('agentswarm_coordination_tasks_total', { coordination_type: 'performance_sync', priority: 'low', outcome: 'failed' }),
    ).toBe(1);
  });

  it('retries a network error (connection refused)', async () => {
    const t = await target();
    const url = t.url;
    await t.stop();
    const h = await start({ actions: { default: { url } } });
    const task = h.service.createTask({ type: 'performance_sync', priority: 'low' });
    await h.scheduler.advance(0);
    await waitFor(() => h.store.listAttempts(task.id).length === 1, 'attempt committed');
    expect(h.store.getTask(task.id)).toMatchObject({ status: 'queued', lastError: expect.stringMatching(/^network error: /) });
  });

  it('fails a task whose type has no action and no default', async () => {
    const h = await start({ actions: {} });
    const task = h.service.createTask({ type: 'performance_sync', priority: 'low' });
    await h.scheduler.advance(0);
    await waitFor(() => status(h, task.id) === 'failed', 'failure committed');
    expect(h.store.getTask(task.id)?.lastError).toMatch(/no coordination.actions entry/);
  });

  it('starts 20 queued mixed-priority tasks in priority order with never more than 5 at the target', async () => {
    const t = await target(() => 'hang');
    const h = await start({ concurrency: 5, per_target_concurrency: 5, actions: { default: { url: t.url } } });
    const priorities: Priority[] = Array.from({ length: 20 }, (_, i) => PRIORITIES[(i * 3 + (i % 4)) % 5] as Priority);
    const tasks = priorities.map((priority) => h.service.createTask({ type: 'performance_sync', priority }));
    const expected = [...tasks].sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.seq - b.seq);
    await h.scheduler.advance(0);
    await waitFor(() => t.received.length === 5, 'first five at the target');
    const idOf = (i: number): unknown => t.received[i]?.headers['webhook-id'];
    // The first five start together: as a set they are the five most urgent.
    expect(new Set([0, 1, 2, 3, 4].map(idOf))).toEqual(new Set(expected.slice(0, 5).map((x) => x.id)));
    for (let next = 5; next < 20; next += 1) {
      expect(t.release(200)).toBe(1);
      await h.until(() => t.received.length === next + 1, `delivery ${next + 1}`);
      // Each freed slot goes to the most urgent task still waiting.
      expect(idOf(next)).toBe(expected[next]?.id);
      expect(t.inFlight).toBeLessThanOrEqual(5);
    }
    t.release(200, true);
    for (const task of tasks) await h.until(() => status(h, task.id) === 'succeeded', `task ${task.id}`);
    expect(t.maxInFlight).toBe(5);
    expect(t.received).toHaveLength(20);
  });
});
