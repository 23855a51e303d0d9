// The contract between time-keyed windows and incremental analyses: which already-written cells of
// a swarm's rings were rewritten (a late, buffered or out-of-order sample landing in a past step, a
// gap filled in afterwards), so a streaming state can correct its running sums instead of assuming
// that only the newest column ever changes.

/** One rewritten cell: ring `index` of the series (metric, agent) went from `previous` to `value`. */
export interface RevisedCell {
  readonly metric: string;
  readonly agent: string;
  /** Ring index (same head for every ring of the swarm), 0 … capacity − 1. */
  readonly index: number;
  /** The value the cell held before (NaN for a gap). */
  readonly previous: number;
  /** The value it holds now (NaN for a gap). */
  readonly value: number;
}

/**
 * The cells rewritten since the previous drain, oldest first. `overflow` is true when more were
 * rewritten than the log keeps (a backfill, a restart refill): `cells` is then incomplete and a
 * reader must treat every ring of the swarm as changed (re-read them all).
 */
export interface RevisionBatch {
  readonly cells: readonly RevisedCell[];
  readonly overflow: boolean;
}

/** Something that can be asked for its revisions; each call empties the log. */
export interface RevisionSource {
  drainRevisions(): RevisionBatch;
}

export const NO_REVISIONS: RevisionBatch = Object.freeze({ cells: Object.freeze([]), overflow: false });
