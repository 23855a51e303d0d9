// Aligned sliding windows of one swarm: a Float64Array ring per (metric, agent), all sharing one head.
//
// Invariants (what the analysis relies on):
//  - every ring has the same capacity W = window / step and is written at the same steps, so index i of
//    one ring and index i of another are the same instant;
//  - the newest point is at (head - 1) mod W, the oldest filled one at (head - filled) mod W;
//  - NaN marks a gap: the agent had no fresh value at that step, or the series did not exist yet;
//  - a series created mid-window starts with NaN for the steps before it existed.

import { NO_REVISIONS, type RevisionBatch, type RevisionSource } from './window-revisions.js';

/** A read-only view of one ring, for zero-copy kernels. */
export interface RingView {
  readonly values: Float64Array;
  /** Index of the next write; the newest point is at (head - 1 + W) % W. */
  readonly head: number;
  /** Points written so far, at most W. */
  readonly filled: number;
}

export class AlignedWindows implements RevisionSource {
  private head = 0;
  private filledPoints = 0;
  private steps = 0;
  private readonly byMetric = new Map<string, Map<string, Float64Array>>();

  /** @param capacity points per window (W >= 2) */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`window capacity must be an integer >= 2, got ${capacity}`);
  }

  get filled(): number {
    return this.filledPoints;
  }

  /** Steps taken since creation (a monotonic step number). */
  get stepCount(): number {
    return this.steps;
  }

  /** Metrics that have at least one series. */
  metrics(): IterableIterator<string> {
    return this.byMetric.keys();
  }

  /** Agents with a series for the metric, and their rings. */
  seriesOf(metric: string): ReadonlyMap<string, Float64Array> {
    return this.byMetric.get(metric) ?? EMPTY;
  }

  /** Creates the series if absent (NaN-filled). */
  ensure(metric: string, agent: string): void {
    let agents = this.byMetric.get(metric);
    if (!agents) {
      agents = new Map();
      this.byMetric.set(metric, agents);
    }
    if (!agents.has(agent)) agents.set(agent, new Float64Array(this.capacity).fill(Number.NaN));
  }

  /** Drops every series of the agent. */
  removeAgent(agent: string): void {
    for (const [metric, agents] of this.byMetric) {
      agents.delete(agent);
      if (agents.size === 0) this.byMetric.delete(metric);
    }
  }

  /** Drops one series. */
  remove(metric: string, agent: string): void {
    const agents = this.byMetric.get(metric);
    if (!agents) return;
    agents.delete(agent);
    if (agents.size === 0) this.byMetric.delete(metric);
  }

  /**
   * Takes one step: writes `valueOf(metric, agent)` (NaN for a gap) into every ring at the shared head.
   * O(series).
   */
  advance(valueOf: (metric: string, agent: string) => number): void {
    const at = this.head;
    for (const [metric, agents] of this.byMetric) {
      for (const [agent, ring] of agents) ring[at] = valueOf(metric, agent);
    }
    this.head = (at + 1) % this.capacity;
    if (this.filledPoints < this.capacity) this.filledPoints += 1;
    this.steps += 1;
  }

  /**
   * Cells of already-written steps rewritten since the last call (see window-revisions.ts). Only
   * the newest column is written today, so this is always empty; time-keyed ingest fills it.
   */
  drainRevisions(): RevisionBatch {
    return NO_REVISIONS;
  }

  /** The ring of one series, or undefined. */
  view(metric: string, agent: string): RingView | undefined {
    const values = this.byMetric.get(metric)?.get(agent);
    return values ? { values, head: this.head, filled: this.filledPoints } : undefined;
  }

  /** The value written at the latest step, or NaN. */
  latest(metric: string, agent: string): number {
    const values = this.byMetric.get(metric)?.get(agent);
    if (!values || this.filledPoints === 0) return Number.NaN;
    return values[(this.head - 1 + this.capacity) % this.capacity] ?? Number.NaN;
  }

  /**
   * Copies the filled part of a series oldest→newest into `out` (allocated when absent) and returns it.
   * The result has `filled` points.
   */
  chronological(metric: string, agent: string, out?: Float64Array): Float64Array {
    const n = this.filledPoints;
    const target = out && out.length >= n ? out.subarray(0, n) : new Float64Array(n);
    const values = this.byMetric.get(metric)?.get(agent);
    if (!values) return target.fill(Number.NaN);
    const start = (this.head - n + this.capacity) % this.capacity;
    const firstPart = Math.min(n, this.capacity - start);
    target.set(values.subarray(start, start + firstPart), 0);
    if (firstPart < n) target.set(values.subarray(0, n - firstPart), firstPart);
    return target;
  }
}

const EMPTY: ReadonlyMap<string, Float64Array> = new Map();
