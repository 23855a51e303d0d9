import { describe, expect, it } from 'vitest';
import { PRIORITIES, type Priority } from '../../src/model/coordination-vocabulary.js';
import { backoffCeilingMs } from '../../src/coordination/retry-policy.js';
import { MemoryTaskStore } from '../../src/persistence/memory-task-store.js';
import { Harness, fail, ok, retry } from './runner-harness.js';

describe('TaskRunner', () => {
  it('delivers a queued task and records the attempt', async () => {
    const h = new Harness();
    const task = h.add('high');
    h.runner.start();
    await h.settle();
    expect(h.started.map((s) => s.task.id)).toEqual([task.id]);
    expect(h.store.getTask(task.id)).toMatchObject({ status: 'running', attempts: 1, leaseOwner: 'runner-1' });
    h.attemptOf(task.id).resolve(ok);
    await h.settle();
    expect(h.store.getTask(task.id)).toMatchObject({ status: 'succeeded', leaseOwner: undefined });
    expect(h.store.listAttempts(task.id)).toMatchObject([{ attempt: 1, outcome: 'succeeded', statusCode: 200 }]);
    expect(h.finals).toEqual([{ id: task.id, status: 'succeeded' }]);
  });

  it('retries with full-jitter backoff, never before the delay, with the same task id', async () => {
    const h = new Harness();
    const task = h.submit();
    h.runner.start();
    const draws = [0.25, 0.999];
    for (const [i, r] of draws.entries()) {
      h.random = () => r;
      await h.settle();
      h.attemptOf(task.id).resolve(retry(500));
      await h.settle();
      const expected = Math.floor(
        r * backoffCeilingMs(i + 1, { initialMs: 1000, maxMs: 300_000, maxAttempts: 4, retryAfterCapMs: 300_000 }),
      );
      const stored = h.store.getTask(task.id);
      expect(stored?.status).toBe('queued');
      expect((stored?.nextAttemptAt ?? 0) - h.clock.now()).toBe(expected);
      const before = h.started.length;
      await h.scheduler.advance(expected - 1);
      expect(h.started.length).toBe(before);
      await h.scheduler.advance(1);
      expect(h.started.length).toBe(before + 1);
    }
    h.attemptOf(task.id).resolve(ok);
    await h.settle();
    expect(h.started.map((s) => s.task.id)).toEqual([task.id, task.id, task.id]);
    expect(h.store.listAttempts(task.id).map((a) => a.outcome)).toEqual(['retryable', 'retryable', 'succeeded']);
  });

  it('waits at least the Retry-After hint', async () => {
    const h = new Harness();
    h.random = () => 0;
    const task = h.submit();
    h.runner.start();
    await h.settle();
    h.attemptOf(task.id).resolve(retry(429, 30_000));
    await h.settle();
    expect((h.store.getTask(task.id)?.nextAttemptAt ?? 0) - h.clock.now()).toBe(30_000);
  });

  it('dead-letters after max_attempts', async () => {
    const h = new Harness();
    h.random = () => 0;
    const task = h.submit();
    h.runner.start();
    for (let i = 0; i < 4; i += 1) {
      await h.settle();
      h.attemptOf(task.id).resolve(retry(502));
      await h.settle();
    }
    expect(h.store.getTask(task.id)).toMatchObject({ status: 'failed', attempts: 4, lastError: 'gave up after 4 attempts: HTTP 502' });
    expect(h.finals).toEqual([{ id: task.id, status: 'failed' }]);
    await h.scheduler.advance(600_000);
    expect(h.started).toHaveLength(4);
  });

  it('fails at once on a permanent failure', async () => {
    const h = new Harness();
    const task = h.submit();
    h.runner.start();
    await h.settle();
    h.attemptOf(task.id).resolve(fail(422));
    await h.settle();
    expect(h.store.getTask(task.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 422' });
  });

  it('aborts an attempt at task_timeout, frees its slot, and retries it', async () => {
    const h = new Harness(undefined, { concurrency: 1 });
    const slow = h.submit('high');
    const next = h.submit('low');
    h.runner.start();
    await h.settle();
    expect(h.started.map((s) => s.task.id)).toEqual([slow.id]);
    await h.scheduler.advance(14_999);
    expect(h.attemptOf(slow.id).signal.aborted).toBe(false);
    await h.scheduler.advance(1);
    expect(h.attemptOf(slow.id).signal.aborted).toBe(true);
    expect(h.started.map((s) => s.task.id)).toEqual([slow.id, next.id]);
    expect(h.store.listAttempts(slow.id)).toMatchObject([{ outcome: 'retryable', error: 'timed out after 15000 ms' }]);
  });

  it('starts tasks in priority order and never runs more than the concurrency bound (20 tasks, 5 slots)', async () => {
    const h = new Harness();
    const priorities: Priority[] = Array.from({ length: 20 }, (_, i) => PRIORITIES[(i * 7) % 5] as Priority);
    const tasks = priorities.map((p) => h.add(p));
    h.runner.start();
    await h.settle();
    const expectedOrder = [...tasks]
      .sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || a.seq - b.seq)
      .map((t) => t.id);
    expect(h.active).toBe(5);
    // Release one at a time, oldest first: each freed slot goes to the most urgent waiting task.
    for (let done = 0; done < 20; done += 1) {
      const open = h.started.filter((s) => h.store.getTask(s.task.id)?.status === 'running');
      expect(open.length).toBeLessThanOrEqual(5);
      open[0]?.resolve(ok);
      await h.settle();
    }
    expect(h.started.map((s) => s.task.id)).toEqual(expectedOrder);
    expect(h.maxActive).toBe(5);
    expect(h.store.listTasks({ status: 'succeeded', limit: 100 })).toHaveLength(20);
  });

  it('lets other targets proceed while one target is at its bound', async () => {
    const h = new Harness(undefined, {
      perTargetConcurrency: 2,
      targetOf: (type) => (type === 'cross_system_healing' ? 'http://slow' : 'http://fast'),
    });
    const slow = [
      h.add('emergency', { type: 'cross_system_healing' }),
      h.add('emergency', { type: 'cross_system_healing' }),
      h.add('emergency', { type: 'cross_system_healing' }),
    ];
    const fast = [h.add('low'), h.add('low')];
    h.runner.start();
    await h.settle();
    expect(h.started.map((s) => s.task.id)).toEqual([slow[0]?.id, slow[1]?.id, fast[0]?.id, fast[1]?.id]);
    h.attemptOf(slow[0]?.id ?? '').resolve(ok);
    await h.settle();
    expect(h.started.at(-1)?.task.id).toBe(slow[2]?.id);
  });

  it('starts a task for a free target that arrives while every waiting task targets a full one', async () => {
    const h = new Harness(undefined, {
      perTargetConcurrency: 1,
      targetOf: (type) => (type === 'cross_system_healing' ? 'http://slow' : 'http://fast'),
    });
    h.runner.start();
    for (let i = 0; i < 3; i += 1) h.submit('emergency', { type: 'cross_system_healing' });
    await h.settle();
    expect(h.started).toHaveLength(1);
    const fast = h.submit('maintenance');
    await h.settle();
    expect(h.started.map((s) => s.task.id)).toContain(fast.id);
  });

  it('does not run a task cancelled while it waited', async () => {
    const h = new Harness(undefined, { concurrency: 1 });
    const blocker = h.submit('emergency');
    h.runner.start();
    await h.settle();
    // Two alert tasks wait behind the blocker; their alerts resolve. The runner is told about
    // one cancellation and finds out about the other when its claim fails.
    const now = h.clock.now();
    const incoming = (fingerprint: string, status: 'firing' | 'resolved') => ({
      fingerprint,
      startsAt: now,
      status,
      endsAt: status === 'resolved' ? now : undefined,
      alertname: 'A',
      task:
        status === 'firing'
          ? {
              id: `task-${fingerprint}`,
              type: 'performance_sync' as const,
              priority: 'low' as const,
              source: 'alert' as const,
              swarm: 's',
              agents: [],
              reason: '',
              alerts: [],
              receiver: 'r',
              fingerprint,
            }
          : undefined,
    });
    const { created } = h.store.recordNotification('r', [incoming('a', 'firing'), incoming('b', 'firing')], now);
    for (const t of created) h.runner.enqueue({ id: t.id, seq: t.seq, type: t.type, priority: t.priority, nextAttemptAt: t.nextAttemptAt });
    const { cancelled } = h.store.recordNotification('r', [incoming('a', 'resolved'), incoming('b', 'resolved')], now);
    expect(cancelled.map((t) => t.id)).toEqual(['task-a', 'task-b']);
    h.runner.forget(['task-a']);
    h.attemptOf(blocker.id).resolve(ok);
    await h.settle();
    expect(h.started.map((s) => s.task.id)).toEqual([blocker.id]);
    expect(h.runner.waiting).toBe(0);
  });

  it('re-runs, with the same id, a task a previous process left running', async () => {
    const h = new Harness();
    const task = h.add();
    h.store.claimTask(task.id, 'dead-process', h.clock.now(), h.clock.now() + 60_000);
    const recovery = h.runner.start();
    expect(recovery.requeued).toEqual([task.id]);
    await h.settle();
    expect(h.started.map((s) => s.task.id)).toEqual([task.id]);
    expect(h.attemptOf(task.id).task.attempts).toBe(2);
  });

  it('survives an unavailable store: claims wait, refused commits are retried, nothing runs twice', async () => {
    const store = new MemoryTaskStore();
    const h = new Harness(store);
    const task = h.add();
    h.runner.start();
    store.unavailable = 'busy';
    await h.scheduler.advance(3000);
    expect(h.started).toHaveLength(0);
    expect(h.errors.some((e) => e.startsWith('store unavailable'))).toBe(true);
    store.unavailable = undefined;
    await h.scheduler.advance(1000);
    expect(h.started).toHaveLength(1);
    store.unavailable = 'full';
    h.attemptOf(task.id).resolve(ok);
    await h.settle();
    expect(h.errors.some((e) => e.startsWith('commit attempt'))).toBe(true);
    store.unavailable = undefined;
    await h.scheduler.advance(1000);
    expect(store.getTask(task.id)?.status).toBe('succeeded');
    expect(h.started).toHaveLength(1);
    expect(h.finals).toEqual([{ id: task.id, status: 'succeeded' }]);
  });

  it('treats an executor that throws as a retryable attempt', async () => {
    const h = new Harness();
    h.build({ execute: () => Promise.reject(new Error('boom')) });
    const task = h.add();
    h.runner.start();
    await h.settle();
    expect(h.store.listAttempts(task.id)).toMatchObject([{ outcome: 'retryable', error: 'executor error: boom' }]);
  });

  it('on stop, lets attempts finish within the grace period', async () => {
    const h = new Harness();
    const task = h.add();
    h.runner.start();
    await h.settle();
    const stopped = h.runner.stop(5000);
    await h.scheduler.advance(1000);
    h.attemptOf(task.id).resolve(ok);
    await stopped;
    expect(h.store.getTask(task.id)?.status).toBe('succeeded');
  });

  it('on stop, releases attempts still running after the grace period, for the next start', async () => {
    const h = new Harness();
    const task = h.add();
    h.runner.start();
    await h.settle();
    const stopped = h.runner.stop(5000);
    await h.scheduler.advance(5000);
    await stopped;
    expect(h.attemptOf(task.id).signal.aborted).toBe(true);
    expect(h.store.getTask(task.id)).toMatchObject({ status: 'queued', leaseOwner: undefined, attempts: 1 });
    expect(h.store.listAttempts(task.id)).toMatchObject([{ outcome: 'released' }]);
    // The next process delivers it again, same id.
    h.build({}, 'runner-2').start();
    await h.settle();
    expect(h.started.filter((s) => s.task.id === task.id)).toHaveLength(2);
  });

  it('reloads retries that were waiting when the process stopped', async () => {
    const h = new Harness();
    h.random = () => 0.5;
    const task = h.submit();
    h.runner.start();
    await h.settle();
    h.attemptOf(task.id).resolve(retry(500));
    await h.settle();
    await h.runner.stop(0);
    const next = h.build({}, 'runner-2');
    next.start();
    await h.scheduler.advance(499);
    expect(h.started).toHaveLength(1);
    await h.scheduler.advance(1);
    expect(h.started).toHaveLength(2);
  });
});
