// A small stable priority queue over the five task priorities (pure, no I/O, no clock).
import { PRIORITIES, type Priority } from '../model/coordination-vocabulary.js';

/**
 * Invariant: `pop()` returns, among the items in the queue, one of the most urgent priority
 * (emergency < high < medium < low < maintenance), and within that priority the one pushed
 * earliest (FIFO). `popFirst(accept)` returns the first item in that same order that `accept`
 * admits, leaving the order of the others unchanged. Push and pop are O(1) amortised; skipping
 * k refused items costs O(k).
 *
 * One FIFO bucket per priority, each an array with a moving head (no shift(): it is O(n)).
 */
export class PriorityQueue<T extends { readonly priority: Priority }> {
  private readonly buckets: (T | undefined)[][] = PRIORITIES.map(() => []);
  private readonly heads: number[] = PRIORITIES.map(() => 0);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    this.bucketOf(item.priority).push(item);
    this.count += 1;
  }

  /** Removes and returns the most urgent, earliest-pushed item, or undefined when empty. */
  pop(): T | undefined {
    return this.popFirst(() => true);
  }

  /** The item `pop()` would return, without removing it. */
  peek(): T | undefined {
    for (let rank = 0; rank < this.buckets.length; rank += 1) {
      const bucket = this.buckets[rank] ?? [];
      const head = this.heads[rank] ?? 0;
      if (head < bucket.length) return bucket[head];
    }
    return undefined;
  }

  /** The first item, in queue order, that `accept` admits, without removing it. */
  find(accept: (item: T) => boolean): T | undefined {
    for (let rank = 0; rank < this.buckets.length; rank += 1) {
      const bucket = this.buckets[rank] ?? [];
      for (let i = this.heads[rank] ?? 0; i < bucket.length; i += 1) {
        const item = bucket[i];
        if (item !== undefined && accept(item)) return item;
      }
    }
    return undefined;
  }

  /** Removes and returns the first item, in queue order, that `accept` admits. */
  popFirst(accept: (item: T) => boolean): T | undefined {
    for (let rank = 0; rank < this.buckets.length; rank += 1) {
      const bucket = this.buckets[rank] ?? [];
      const head = this.heads[rank] ?? 0;
      for (let i = head; i < bucket.length; i += 1) {
        const item = bucket[i];
        if (item === undefined || !accept(item)) continue;
        if (i === head) {
          bucket[i] = undefined; // release the reference for the GC
          this.heads[rank] = head + 1;
          this.compact(rank);
        } else {
          bucket.splice(i, 1);
        }
        this.count -= 1;
        return item;
      }
    }
    return undefined;
  }

  /** Removes every item `match` selects; returns how many. O(n). */
  removeWhere(match: (item: T) => boolean): number {
    let removed = 0;
    for (let rank = 0; rank < this.buckets.length; rank += 1) {
      const bucket = this.buckets[rank] ?? [];
      const head = this.heads[rank] ?? 0;
      const kept = bucket.slice(head).filter((item) => item !== undefined && !match(item));
      removed += bucket.length - head - kept.length;
      this.buckets[rank] = kept;
      this.heads[rank] = 0;
    }
    this.count -= removed;
    return removed;
  }

  /** Items per priority, most urgent first. */
  sizeByPriority(): Record<Priority, number> {
    const out = {} as Record<Priority, number>;
    PRIORITIES.forEach((p, rank) => {
      out[p] = (this.buckets[rank]?.length ?? 0) - (this.heads[rank] ?? 0);
    });
    return out;
  }

  /** All items in pop order (for inspection and tests). */
  toArray(): T[] {
    const out: T[] = [];
    this.buckets.forEach((bucket, rank) => {
      for (const item of bucket.slice(this.heads[rank] ?? 0)) if (item !== undefined) out.push(item);
    });
    return out;
  }

  private bucketOf(priority: Priority): (T | undefined)[] {
    const rank = PRIORITIES.indexOf(priority);
    const bucket = this.buckets[rank];
    if (bucket === undefined) throw new RangeError(`unknown priority ${JSON.stringify(priority)}`);
    return bucket;
  }

  // Drops the consumed prefix once it is at least half the array, keeping pops amortised O(1).
  private compact(rank: number): void {
    const bucket = this.buckets[rank] ?? [];
    const head = this.heads[rank] ?? 0;
    if (head === bucket.length) {
      this.buckets[rank] = [];
      this.heads[rank] = 0;
    } else if (head >= 1024 && head * 2 >= bucket.length) {
      this.buckets[rank] = bucket.slice(head);
      this.heads[rank] = 0;
    }
  }
}
