// Seeded randomness for the analysis tests: mulberry32 (the simulator's, src/demo/prng.ts) and Box–Muller, so every run sees the same data.
import { mulberry32 } from '../../../src/demo/prng.js';

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  gauss(): number;
}

export function seeded(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    gauss: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

/** Reads a fixture JSON where null stands for NaN. */
export function nullToNaN(values: readonly (number | null)[]): number[] {
  return values.map((v) => (v === null ? NaN : v));
}
