// Aligned sliding windows of one swarm, keyed by time: a Float64Array ring per (metric, agent), all
// sharing one head, and the time span of every step, so a sample lands in the step its timestamp names.
//
// Invariants (what the analysis relies on):
//  - every ring has the same capacity W = window / step and is written at the same steps, so index i of
//    one ring and index i of another are the same instant;
//  - the newest point is at (head - 1) mod W, the oldest filled one at (head - filled) mod W;
//  - step i covers (end[i − 1], end[i]]: `end` is the time the analysis cycle closed it (advance), and
//    before the first cycle the steps go back from the swarm's first end one `stepMs` at a time;
//  - a cell holds the newest observation whose timestamp lies in its step (its age at the step's end is
//    kept beside it), or, with none, the value carried from at most `carryForward` steps back, or NaN;
//  - NaN marks a gap: no observation in the step nor within the hold, or the series did not exist yet;
//  - rewriting a cell of an already-closed step is logged for the incremental analyses (window-revisions.ts).

import type { RevisedCell, RevisionBatch, RevisionSource } from './window-revisions.js';
import { NO_REVISIONS } from './window-revisions.js';
import { type RingCell, RingSlab } from './ring-slab.js';

/** A read-only view of one ring, for zero-copy kernels. */
export interface RingView {
  readonly values: Float64Array;
  /** Index of the next write; the newest point is at (head - 1 + W) % W. */
  readonly head: number;
  /** Points written so far, at most W. */
  readonly filled: number;
}

export interface WindowTiming {
  /** Nominal step (analysis.step), ms: the span of the steps before the first cycle. */
  readonly stepMs: number;
  /** End of the newest (virtual) step at creation, ms since the epoch: samples after it wait for the next cycle. */
  readonly newestEnd: number;
  /** Steps a value is carried into following steps without an observation of their own (analysis.carry_forward). */
  readonly carryForward: number;
}

/** What became of a sample written into a closed step. */
export type PastWrite = 'written' | 'superseded' | 'too-old';

/**
 * Rewritten cells kept per drain; beyond, the batch says `overflow` and readers re-read every ring.
 * A backfill of a whole window exceeds it at once, which is what it should do: one reseed is then
 * cheaper than thousands of row repairs.
 */
export const MAX_LOGGED_REVISIONS = 4096;

export class AlignedWindows implements RevisionSource {
  private headIndex = 0;
  private filledPoints = 0;
  private steps = 0;
  private readonly byMetric = new Map<string, Map<string, Float64Array>>();
  /** Age of each cell's observation at its step's end (ms, Float32: exact to 2^24 ms); NaN = carried or gap. */
  private readonly agesByMetric = new Map<string, Map<string, Float32Array>>();
  /** Each series' storage (ring and ages), carved out of shared chunks (ring-slab.ts). */
  private readonly cellsByMetric = new Map<string, Map<string, RingCell>>();
  private readonly slab: RingSlab;
  /** End time of the step at each ring index, ms since the epoch. */
  private readonly ends: Float64Array;
  private readonly stepMs: number;
  private readonly carryForward: number;
  private revised: RevisedCell[] = [];
  private overflow = false;

  /** @param capacity points per window (W >= 2) */
  constructor(
    readonly capacity: number,
    timing: WindowTiming = { stepMs: 1, newestEnd: 0, carryForward: 0 },
  ) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`window capacity must be an integer >= 2, got ${capacity}`);
    this.stepMs = timing.stepMs;
    this.carryForward = Math.max(0, Math.min(capacity - 1, Math.floor(timing.carryForward)));
    this.ends = new Float64Array(capacity);
    this.slab = new RingSlab(capacity);
    // head = 0: the newest (virtual) step sits at index W − 1, the ones before it below.
    for (let back = 0; back < capacity; back += 1) this.ends[capacity - 1 - back] = timing.newestEnd - back * timing.stepMs;
  }

  get filled(): number {
    return this.filledPoints;
  }

  /** Ring index of the next step; the newest one is at (head − 1 + W) % W (not stepCount mod W: a backfill re-lays the rings out). */
  get head(): number {
    return this.headIndex;
  }

  /** Steps taken since creation (a monotonic step number). */
  get stepCount(): number {
    return this.steps;
  }

  /** End of the newest closed step, ms since the epoch: a sample after it belongs to the open step. */
  get newestEnd(): number {
    return this.ends[this.indexBack(0)] ?? Number.NaN;
  }

  /** Start of the oldest step the window keeps (exclusive), ms since the epoch. */
  get oldestStart(): number {
    return (this.ends[this.headIndex] ?? Number.NaN) - this.stepMs;
  }

  /** Metrics that have at least one series. */
  metrics(): IterableIterator<string> {
    return this.byMetric.keys();
  }

  /** Agents with a series for the metric, and their rings. */
  seriesOf(metric: string): ReadonlyMap<string, Float64Array> {
    return this.byMetric.get(metric) ?? EMPTY;
  }

  /** Creates the series if absent (NaN-filled); returns its cell, where ingest holds the open step's observation (holdOpen). */
  ensure(metric: string, agent: string): RingCell {
    let agents = this.byMetric.get(metric);
    let ages = this.agesByMetric.get(metric);
    let cells = this.cellsByMetric.get(metric);
    if (!agents || !ages || !cells) {
      agents = new Map();
      ages = new Map();
      cells = new Map();
      this.byMetric.set(metric, agents);
      this.agesByMetric.set(metric, ages);
      this.cellsByMetric.set(metric, cells);
    }
    const existing = cells.get(agent);
    if (existing !== undefined) return existing;
    const cell = this.slab.take();
    cells.set(agent, cell);
    agents.set(agent, cell.values);
    ages.set(agent, cell.ages);
    return cell;
  }

  /** Drops every series of the agent. */
  removeAgent(agent: string): void {
    for (const metric of [...this.byMetric.keys()]) this.remove(metric, agent);
  }

  /** Drops one series. */
  remove(metric: string, agent: string): void {
    const agents = this.byMetric.get(metric);
    if (!agents) return;
    if (!agents.delete(agent)) return;
    this.agesByMetric.get(metric)?.delete(agent);
    const cells = this.cellsByMetric.get(metric);
    const cell = cells?.get(agent);
    if (cell !== undefined) {
      cells?.delete(agent);
      this.slab.release(cell);
    }
    if (agents.size === 0) {
      this.byMetric.delete(metric);
      this.agesByMetric.delete(metric);
      this.cellsByMetric.delete(metric);
    }
  }

  /**
   * Closes one step ending at `end` (default: one nominal step after the previous end) and writes it
   * into every ring at the shared head. A series' observation in the step is the one ingest held in
   * its cell (holdOpen), or, when `valueOf` is given, `valueOf(metric, agent)` (NaN: none) observed at
   * `observedAt(metric, agent)` (default: `end`). A series without an observation gets the newest
   * observation of the `carryForward` steps before, else NaN. The open observations are consumed. O(series).
   */
  advance(valueOf?: (metric: string, agent: string) => number, end?: number, observedAt?: (metric: string, agent: string) => number): void {
    // Rings dropped before this step may be handed out again from now on (ring-slab.ts).
    this.slab.settle();
    const at = this.headIndex;
    const previousEnd = this.newestEnd;
    const closing = Math.max(previousEnd, end ?? previousEnd + this.stepMs);
    for (const [metric, cells] of this.cellsByMetric) {
      if (valueOf !== undefined)
        for (const [agent, cell] of cells) {
          cell.open = valueOf(metric, agent);
          cell.openAt = observedAt === undefined ? closing : observedAt(metric, agent);
        }
      this.closeCells(cells, at, closing);
    }
    this.ends[at] = closing;
    this.headIndex = (at + 1) % this.capacity;
    if (this.filledPoints < this.capacity) this.filledPoints += 1;
    this.steps += 1;
  }

  /** One metric's part of advance(): a plain loop over the cells, no lookup per series (50,000 of them at 5,000 agents). */
  private closeCells(cells: ReadonlyMap<string, RingCell>, at: number, closing: number): void {
    for (const cell of cells.values()) {
      const x = cell.open;
      if (Number.isFinite(x)) {
        cell.values[at] = x;
        cell.ages[at] = closing - cell.openAt;
      } else {
        cell.ages[at] = Number.NaN;
        cell.values[at] = this.carried(cell.values, cell.ages, at);
      }
      cell.open = Number.NaN;
      cell.openAt = -Infinity;
    }
  }

  /**
   * Writes an observation into the closed step its timestamp names (`timestamp` <= newestEnd): kept
   * when the cell holds no observation yet or an older one (newest observation per step wins, by
   * timestamp; on a tie the later arrival); later steps carrying from this one are updated. Every
   * changed cell is logged as a revision. Creates the series when absent.
   */
  writePast(metric: string, agent: string, timestamp: number, value: number): PastWrite {
    const back = this.stepBack(timestamp);
    if (back < 0) return 'too-old';
    this.ensure(metric, agent);
    const ring = this.byMetric.get(metric)?.get(agent);
    const ages = this.agesByMetric.get(metric)?.get(agent);
    if (ring === undefined || ages === undefined) return 'too-old';
    const index = this.indexBack(back);
    const age = (this.ends[index] ?? timestamp) - timestamp;
    const held = ages[index] ?? Number.NaN;
    if (held === held && Math.fround(age) > held) return 'superseded';
    ages[index] = age;
    this.setCell(metric, agent, ring, index, value);
    if (back >= this.filledPoints) {
      // The window reaches further back than before: every analysis state must re-read it, and the
      // rings are laid out again so that a filling window keeps its steps at [0, filled).
      this.filledPoints = back + 1;
      this.overflow = true;
      this.relayout();
    }
    // Later steps without an observation of their own may carry this value now.
    for (let later = back - 1; later >= 0 && later >= back - this.carryForward; later -= 1) {
      const at = this.indexBack(later);
      if ((ages[at] ?? Number.NaN) === (ages[at] ?? Number.NaN)) break;
      this.setCell(metric, agent, ring, at, this.carried(ring, ages, at));
    }
    return 'written';
  }

  /**
   * Cells of already-closed steps rewritten since the last call (see window-revisions.ts), oldest
   * first; `overflow` when more than MAX_LOGGED_REVISIONS were, or the window was extended backwards.
   */
  drainRevisions(): RevisionBatch {
    if (this.revised.length === 0 && !this.overflow) return NO_REVISIONS;
    const batch: RevisionBatch = { cells: this.overflow ? [] : this.revised, overflow: this.overflow };
    this.revised = [];
    this.overflow = false;
    return batch;
  }

  /** The ring of one series, or undefined. */
  view(metric: string, agent: string): RingView | undefined {
    const values = this.byMetric.get(metric)?.get(agent);
    return values ? { values, head: this.headIndex, filled: this.filledPoints } : undefined;
  }

  /** The value written at the latest step, or NaN. */
  latest(metric: string, agent: string): number {
    const values = this.byMetric.get(metric)?.get(agent);
    if (!values || this.filledPoints === 0) return Number.NaN;
    return values[this.indexBack(0)] ?? Number.NaN;
  }

  /** Whether the latest step of a series holds an observation of its own (not carried, not a gap). */
  observedLatest(metric: string, agent: string): boolean {
    const age = this.agesByMetric.get(metric)?.get(agent)?.[this.indexBack(0)];
    return age !== undefined && age === age && this.filledPoints > 0;
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
    const start = (this.headIndex - n + this.capacity) % this.capacity;
    const firstPart = Math.min(n, this.capacity - start);
    target.set(values.subarray(start, start + firstPart), 0);
    if (firstPart < n) target.set(values.subarray(0, n - firstPart), firstPart);
    return target;
  }

  /** End time of each filled step, oldest→newest (ms since the epoch): the timestamps of `chronological`. Allocates. */
  stepEnds(): Float64Array {
    const n = this.filledPoints;
    const out = new Float64Array(n);
    for (let back = 0; back < n; back += 1) out[n - 1 - back] = this.endBack(back);
    return out;
  }

  /**
   * Rotates every ring (values, ages, step ends) so that the oldest filled step sits at index 0 and
   * head = filled mod W: the layout of a window that filled one step at a time, which readers of a
   * filling window rely on (window-reads.ts). O(series · W), once per backward extension.
   */
  private relayout(): void {
    const w = this.capacity;
    const shift = (((this.headIndex - this.filledPoints) % w) + w) % w;
    if (shift === 0) return;
    const rotate = <T extends Float64Array | Float32Array>(ring: T): void => {
      const copy = ring.slice();
      for (let i = 0; i < w; i += 1) ring[i] = copy[(i + shift) % w] ?? Number.NaN;
    };
    for (const agents of this.byMetric.values()) for (const ring of agents.values()) rotate(ring);
    for (const agents of this.agesByMetric.values()) for (const ring of agents.values()) rotate(ring);
    rotate(this.ends);
    this.headIndex = this.filledPoints % w;
  }

  /** Ring index of the step `back` steps before the newest (0 = newest). */
  private indexBack(back: number): number {
    return (((this.headIndex - 1 - back) % this.capacity) + this.capacity) % this.capacity;
  }

  /**
   * How many steps before the newest the step containing `timestamp` lies, or −1 when it is older
   * than the oldest step kept. Steps are about stepMs long: start from that guess, then walk.
   */
  private stepBack(timestamp: number): number {
    const w = this.capacity;
    const newest = this.newestEnd;
    if (timestamp > newest) return 0;
    let back = Math.min(w - 1, Math.max(0, Math.floor((newest - timestamp) / this.stepMs)));
    // Column `back` covers (end(back + 1), end(back)]; the oldest one starts a nominal step before its end.
    while (back > 0 && timestamp > this.endBack(back)) back -= 1;
    while (back < w && timestamp <= (back + 1 < w ? this.endBack(back + 1) : this.endBack(back) - this.stepMs)) back += 1;
    return back < w ? back : -1;
  }

  /** End time of the step `back` steps before the newest. */
  private endBack(back: number): number {
    return this.ends[this.indexBack(back)] ?? Number.NaN;
  }

  /** The newest observation within `carryForward` steps before ring index `at`, else NaN. */
  private carried(ring: Float64Array, ages: Float32Array, at: number): number {
    for (let k = 1; k <= this.carryForward; k += 1) {
      const i = (at - k + this.capacity) % this.capacity;
      // Only steps already in the window carry (the ring slot is reused once the window is full).
      if (k > this.filledPoints) break;
      const age = ages[i] ?? Number.NaN;
      if (age === age) return ring[i] ?? Number.NaN;
    }
    return Number.NaN;
  }

  private setCell(metric: string, agent: string, ring: Float64Array, index: number, value: number): void {
    const previous = ring[index] ?? Number.NaN;
    ring[index] = value;
    if (Object.is(previous, value)) return;
    if (this.overflow) return;
    if (this.revised.length >= MAX_LOGGED_REVISIONS) {
      this.overflow = true;
      this.revised = [];
      return;
    }
    this.revised.push({ metric, agent, index, previous, value });
  }
}

const EMPTY: ReadonlyMap<string, Float64Array> = new Map();
