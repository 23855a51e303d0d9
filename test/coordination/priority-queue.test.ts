import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRIORITIES, type Priority } from '../../src/model/coordination-vocabulary.js';
import { PriorityQueue } from '../../src/coordination/priority-queue.js';

interface Item {
  readonly id: number;
  readonly priority: Priority;
}

const rank = (p: Priority): number => PRIORITIES.indexOf(p);
/** The reference order: a stable sort by rank (Array.prototype.sort is stable since ES2019). */
const reference = (items: readonly Item[]): Item[] => [...items].sort((a, b) => rank(a.priority) - rank(b.priority));
const priorityArb = fc.constantFrom(...PRIORITIES);

describe('PriorityQueue', () => {
  it('pops emergency first and FIFO within a priority', () => {
    const q = new PriorityQueue<Item>();
    const pushed: Item[] = [
      { id: 1, priority: 'low' },
      { id: 2, priority: 'emergency' },
      { id: 3, priority: 'low' },
      { id: 4, priority: 'maintenance' },
      { id: 5, priority: 'emergency' },
      { id: 6, priority: 'medium' },
    ];
    pushed.forEach((i) => q.push(i));
    expect(q.peek()?.id).toBe(2);
    const out: number[] = [];
    for (let item = q.pop(); item !== undefined; item = q.pop()) out.push(item.id);
    expect(out).toEqual([2, 5, 6, 1, 3, 4]);
    expect(q.size).toBe(0);
  });

  it('matches a stable sort for any sequence of pushes', () => {
    fc.assert(
      fc.property(fc.array(priorityArb, { maxLength: 300 }), (priorities) => {
        const q = new PriorityQueue<Item>();
        const items = priorities.map((priority, id) => ({ id, priority }));
        items.forEach((i) => q.push(i));
        const out: Item[] = [];
        for (let item = q.pop(); item !== undefined; item = q.pop()) out.push(item);
        expect(out).toEqual(reference(items));
      }),
    );
  });

  it('keeps the invariant under interleaved pushes and pops', () => {
    fc.assert(
      fc.property(fc.array(fc.option(priorityArb, { freq: 3 }), { maxLength: 400 }), (ops) => {
        const q = new PriorityQueue<Item>();
        const model: Item[] = [];
        ops.forEach((op, id) => {
          if (op === null) {
            const expected = reference(model)[0];
            expect(q.pop()).toEqual(expected);
            if (expected) model.splice(model.indexOf(expected), 1);
          } else {
            q.push({ id, priority: op });
            model.push({ id, priority: op });
          }
          expect(q.size).toBe(model.length);
        });
      }),
    );
  });

  it('popFirst skips refused items without reordering the rest', () => {
    fc.assert(
      fc.property(fc.array(priorityArb, { maxLength: 200 }), fc.integer({ min: 2, max: 5 }), (priorities, mod) => {
        const q = new PriorityQueue<Item>();
        const items = priorities.map((priority, id) => ({ id, priority }));
        items.forEach((i) => q.push(i));
        const accepted = q.popFirst((i) => i.id % mod === 0);
        const expected = reference(items).find((i) => i.id % mod === 0);
        expect(accepted).toEqual(expected);
        expect(q.toArray()).toEqual(reference(items).filter((i) => i !== expected));
      }),
    );
  });

  it('counts items per priority and removes by predicate', () => {
    const q = new PriorityQueue<Item>();
    for (let id = 0; id < 10; id += 1) q.push({ id, priority: id % 2 === 0 ? 'high' : 'low' });
    q.pop();
    expect(q.sizeByPriority()).toEqual({ emergency: 0, high: 4, medium: 0, low: 5, maintenance: 0 });
    expect(q.removeWhere((i) => i.id > 6)).toBe(3);
    expect(q.toArray().map((i) => i.id)).toEqual([2, 4, 6, 1, 3, 5]);
    expect(q.size).toBe(6);
  });

  it('stays O(1) per operation over a long run (compaction keeps memory bounded)', () => {
    const q = new PriorityQueue<Item>();
    for (let id = 0; id < 200_000; id += 1) {
      q.push({ id, priority: 'medium' });
      if (id % 2 === 1) q.pop();
    }
    expect(q.size).toBe(100_000);
    expect(q.peek()?.id).toBe(100_000);
  });
});
