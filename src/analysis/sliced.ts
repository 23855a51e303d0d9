// Long computations written as generators that stop at safe points. A kernel that costs O(N²) at
// 5,000 agents runs for tens of milliseconds; written as a `Sliced` computation it yields every
// SLICE_WORK units of work, and its driver decides whether to let other work run there (the
// analysis cycle lets the event loop answer probes, scrapes and pushes once its slice has used its
// time; see analysis-cycle/analysis-engine.ts). Run to the end without stopping (`complete`), a
// sliced computation is the plain synchronous one: both paths are the same code.
//
// A safe point only promises that the computation's own state is consistent there; whatever the
// computation reads from outside (the store's rings) may change across it, as it may between two
// metrics of one cycle, and the owner says what that means for its results.

/** A computation of a T that yields (undefined) at safe points. */
export type Sliced<T> = Generator<undefined, T, undefined>;

/**
 * Units of work between two safe points: one unit is one pair of a packed triangle (a load, a few
 * flops and a store), or 16 multiply–adds of a dot product (correlation-matrix.ts). At the kernels'
 * speed (1–3 ns a unit) about half a millisecond, so a driver overshoots a slice by little, while
 * a yield (tens of nanoseconds) stays noise.
 */
export const SLICE_WORK = 1 << 18;

/**
 * Rows or agents between two safe points when each costs O(W): a window read, differenced or
 * re-evaluated. 256 windows of 120 points run in well under a millisecond.
 */
export const WINDOWS_PER_SLICE = 256;

/** Runs a sliced computation to its end, without stopping at its safe points. */
export function complete<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done === true) return step.value;
  }
}

/**
 * The end of the next run of rows of a packed triangle of `n` rows starting at row `from` whose
 * pairs add up to about `work` (at least one row; never past `end`).
 */
export function rowsWithin(n: number, from: number, end: number, work: number = SLICE_WORK): number {
  let to = from;
  let pairs = 0;
  while (to < end && (to === from || pairs + (n - 1 - to) <= work)) {
    pairs += n - 1 - to;
    to += 1;
  }
  return to;
}
