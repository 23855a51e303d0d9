import { describe, expect, it } from 'vitest';
import { Foreground } from '../../src/runtime/foreground.js';
import { TurnQueue } from '../../src/runtime/turn-queue.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TurnQueue', () => {
  it('gives turns in the order they were asked for, one per turn of the loop, so other work queued meanwhile runs between them', async () => {
    const order: string[] = [];
    const queue = new TurnQueue();
    const pieces = ['a', 'b', 'c'].map((name) => queue.turn().then(() => order.push(name)));
    setImmediate(() => order.push('other'));
    expect(order).toEqual([]);
    await Promise.all(pieces);
    expect(order).toEqual(['a', 'other', 'b', 'c']);
  });

  it('runs what follows the await in the turn it was given, before any other turn', async () => {
    const queue = new TurnQueue();
    const order: string[] = [];
    const first = (async () => {
      await queue.turn();
      order.push('first, before awaiting anything else');
      await Promise.resolve();
      order.push('first, after a microtask');
    })();
    const second = queue.turn().then(() => order.push('second'));
    setImmediate(() => order.push('other'));
    await Promise.all([first, second]);
    expect(order).toEqual(['first, before awaiting anything else', 'first, after a microtask', 'other', 'second']);
  });

  it('counts a piece waiting for its turn as foreground work until the turn has come', async () => {
    const foreground = new Foreground();
    const queue = new TurnQueue(foreground);
    const done = queue.turn();
    expect(foreground.busy).toBe(true);
    await done;
    await turn();
    expect(foreground.busy).toBe(false);
  });
});

describe('Foreground', () => {
  /** A loop whose every turn takes 10 ms of a fake clock. */
  function fakeLoop(): { now: () => number; turn: () => Promise<void>; turns: () => number } {
    let t = 0;
    let turns = 0;
    return {
      now: () => t,
      turn: async () => {
        turns += 1;
        t += 10;
        await Promise.resolve();
      },
      turns: () => turns,
    };
  }

  it('a background pause is one turn while no foreground work is in progress', async () => {
    const loop = fakeLoop();
    const foreground = new Foreground(50, loop.now, loop.turn);
    await foreground.backgroundTurn();
    expect(loop.turns()).toBe(1);
  });

  it('waits while foreground work is in progress, for at most maxDeferMs', async () => {
    const loop = fakeLoop();
    const foreground = new Foreground(50, loop.now, loop.turn);
    let release = (): void => undefined;
    const scrape = foreground.run(() => new Promise<void>((resolve) => (release = resolve)));
    await foreground.backgroundTurn();
    expect(loop.turns()).toBe(5);
    expect(foreground.busy).toBe(true);
    release();
    await scrape;
    expect(foreground.busy).toBe(false);
  });

  it('does not count the time foreground work spends waiting on something else (a slow client)', async () => {
    const loop = fakeLoop();
    const foreground = new Foreground(50, loop.now, loop.turn);
    let drained = (): void => undefined;
    let waiting = false;
    const scrape = foreground.run(async () => {
      waiting = true;
      await foreground.outside(new Promise<void>((resolve) => (drained = resolve)));
      waiting = false;
    });
    expect(waiting).toBe(true);
    expect(foreground.busy).toBe(false);
    await foreground.backgroundTurn();
    expect(loop.turns()).toBe(1);
    drained();
    await scrape;
    expect(foreground.busy).toBe(false);
  });

  it('goes on as soon as the foreground work ends, and stays idle after one that failed', async () => {
    const loop = fakeLoop();
    const foreground = new Foreground(1000, loop.now, loop.turn);
    const failing = foreground.run(async () => {
      for (let i = 0; i < 3; i++) await loop.turn();
      throw new Error('scrape broke off');
    });
    const pause = foreground.backgroundTurn();
    await expect(failing).rejects.toThrow('scrape broke off');
    await pause;
    // Its 3 turns and the pause's own few, far from the 100 turns maxDeferMs would allow.
    expect(loop.turns()).toBeLessThan(10);
    expect(foreground.busy).toBe(false);
  });
});
