// Long work that shares the event loop: it asks a Pause at its safe points, and the Pause lets the
// loop turn once the current slice has run for its time (the /metrics page's agent families, the
// analysis cycle, the history recorder).

/** Undefined: go on; a promise: await it first (the loop turns meanwhile). */
export type Pause = () => Promise<void> | undefined;

export const NO_PAUSE: Pause = () => undefined;

/** One turn of the event loop: whatever is pending (a probe, a push, a scrape) runs first. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A Pause that lets the loop turn (`turn`) when `sliceMs` have passed on `now` since the slice began;
 * the next slice begins when the turn is over.
 */
export function slicePauser(sliceMs: number, now: () => number = () => performance.now(), turn: () => Promise<void> = nextTurn): Pause {
  let sliceStart = now();
  return () => {
    if (now() - sliceStart < sliceMs) return undefined;
    return turn().then(() => {
      sliceStart = now();
    });
  };
}
