// runtime/periodic.ts on a manual scheduler: ticks every everyMs, never overlaps (a tick during a
// running iteration is a skip), survives a failing iteration, and stop() waits for the running one.
import { describe, expect, it } from 'vitest';
import { startPeriodic } from '../../src/runtime/periodic.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { ManualScheduler } from '../fakes/manual-scheduler.js';

function harness() {
  const clock = new ManualClock(Date.UTC(2026, 11, 7));
  return { clock, scheduler: new ManualScheduler(clock) };
}

describe('startPeriodic', () => {
  it('runs the work once per period, and not before the first period', async () => {
    const { scheduler } = harness();
    let runs = 0;
    const task = startPeriodic(() => void (runs += 1), { everyMs: 1000, onError: () => {}, scheduler });
    await scheduler.advance(999);
    expect(runs).toBe(0);
    await scheduler.advance(1);
    expect(runs).toBe(1);
    await scheduler.advance(4000);
    expect(runs).toBe(5);
    await task.stop();
  });

  it('never overlaps: a tick while an iteration runs is reported as a skip and starts nothing', async () => {
    const { scheduler } = harness();
    let started = 0;
    let release = (): void => {};
    const skips: number[] = [];
    const task = startPeriodic(
      () => {
        started += 1;
        return new Promise<void>((resolve) => (release = resolve));
      },
      { everyMs: 1000, onError: () => {}, onSkip: () => skips.push(started), scheduler },
    );
    await scheduler.advance(3000);
    expect(started).toBe(1);
    expect(skips).toEqual([1, 1]);
    release();
    await scheduler.advance(1000);
    expect(started).toBe(2);
    release();
    await task.stop();
  });

  it('goes on after a failing iteration, handing the error to onError', async () => {
    const { scheduler } = harness();
    const errors: unknown[] = [];
    let runs = 0;
    const task = startPeriodic(
      () => {
        runs += 1;
        if (runs === 1) throw new Error('first fails');
      },
      { everyMs: 500, onError: (e) => errors.push(e), scheduler },
    );
    await scheduler.advance(1500);
    expect(runs).toBe(3);
    expect(errors.map((e) => (e as Error).message)).toEqual(['first fails']);
    await task.stop();
  });

  it('stop() waits for the running iteration and leaves no timer behind', async () => {
    const { scheduler } = harness();
    let release = (): void => {};
    let finished = false;
    const task = startPeriodic(
      async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
      },
      { everyMs: 1000, onError: () => {}, scheduler },
    );
    await scheduler.advance(1000);
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await scheduler.advance(0);
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(finished).toBe(true);
    expect(scheduler.pendingCount).toBe(0);
    await scheduler.advance(5000);
    expect(finished).toBe(true);
  });

  it('runNow() runs an iteration at once, and shares a running one', async () => {
    const { scheduler } = harness();
    let runs = 0;
    const task = startPeriodic(() => void (runs += 1), { everyMs: 60_000, onError: () => {}, scheduler });
    await task.runNow();
    expect(runs).toBe(1);
    await task.stop();
  });
});
