import { describe, expect, it } from 'vitest';
import { KernelArena, wasmSimdAvailable, type KernelBackend } from '../../src/analysis/kernel-arena.js';
import { StreamingCorrelation } from '../../src/analysis/streaming-correlation.js';
import { seeded, type Rng } from './support/random.js';
import { textbookPearson } from './support/reference.js';

const backends: readonly KernelBackend[] = wasmSimdAvailable() ? ['js', 'wasm'] : ['js'];

type Life = { kind: 'absent' } | { kind: 'present'; outage: number } | { kind: 'gone'; since: number };

/**
 * A swarm with real dynamics over its slots: agents join in waves of 1–4 (a wave shares its gap
 * pattern), leave (stop pushing, then their slot is cleared after half a window and reused), miss
 * single pushes and have 5-step outages; a shared load wave, 1e9 offsets and trends. Some past
 * cells are rewritten (late samples) and the slot reloaded with setRow, as the analyzer does.
 */
class ChurningSwarm {
  readonly life: Life[];
  readonly history: Float64Array[] = [];

  constructor(
    readonly rng: Rng,
    readonly n: number,
    private readonly w: number,
  ) {
    this.life = Array.from({ length: n }, (_, i) => (i < n / 2 ? { kind: 'present', outage: 0 } : { kind: 'absent' }));
  }

  /** Membership changes before step `step`: slots whose row must be cleared. */
  churn(step: number): number[] {
    const cleared: number[] = [];
    this.life.forEach((l, i) => {
      if (l.kind === 'gone' && step - l.since >= this.w / 2) {
        this.life[i] = { kind: 'absent' };
        cleared.push(i);
      } else if (l.kind === 'present' && this.rng.next() < 0.004) this.life[i] = { kind: 'gone', since: step };
    });
    if (this.rng.next() < 0.03) {
      let wave = 1 + Math.floor(this.rng.next() * 4);
      for (let i = 0; i < this.n && wave > 0; i += 1) {
        if (this.life[i]?.kind === 'absent' && this.rng.next() < 0.5) {
          this.life[i] = { kind: 'present', outage: 0 };
          wave -= 1;
        }
      }
    }
    return cleared;
  }

  column(step: number): Float64Array {
    const shared = this.rng.gauss();
    const column = new Float64Array(this.n).fill(NaN);
    this.life.forEach((l, i) => {
      if (l.kind !== 'present') return;
      if (l.outage > 0) {
        l.outage -= 1;
        return;
      }
      if (this.rng.next() < 0.003) {
        l.outage = 4;
        return;
      }
      if (this.rng.next() < 0.02) return;
      let x = (i % 2 === 0 ? shared : 0.3 * shared) + this.rng.gauss();
      if (i % 5 === 1) x += 1e9;
      if (i % 7 === 2) x += 0.01 * step;
      column[i] = x;
    });
    this.history.push(column);
    if (this.history.length > this.w) this.history.shift();
    return column;
  }

  /** Rewrites one past cell of a present slot (a late sample); returns the slot, or -1. */
  revise(): number {
    const slot = Math.floor(this.rng.next() * this.n);
    if (this.life[slot]?.kind !== 'present' || this.history.length < 2) return -1;
    const back = 1 + Math.floor(this.rng.next() * (this.history.length - 1));
    const at = this.history[this.history.length - 1 - back];
    if (at === undefined) return -1;
    at[slot] = Number.isNaN(at[slot]) ? this.rng.gauss() : NaN;
    return slot;
  }

  /** Slot's chronological window, oldest first, up to the last column. */
  row(slot: number): number[] {
    return this.history.map((c) => c[slot] as number);
  }
}

describe('StreamingCorrelation under joins, leaves, missed pushes and revisions', () => {
  it.each(backends)('matches the pairwise-complete textbook r within 1e-9 over 10,000 steps (%s)', (backend) => {
    const n = 20;
    const w = 40;
    const swarm = new ChurningSwarm(seeded(12), n, w);
    const state = new StreamingCorrelation({ capacity: n, window: w, backend, resyncEvery: 0 });
    let worst = 0;
    let gappedPairsChecked = 0;
    for (let step = 0; step < 10_000; step += 1) {
      for (const slot of swarm.churn(step)) state.setRow(slot, null);
      if (swarm.rng.next() < 0.02) {
        const slot = swarm.revise();
        if (slot >= 0) state.setRow(slot, Float64Array.from(swarm.row(slot)));
      }
      const column = swarm.column(step);
      if (step % 97 !== 0 && step !== 9_999) {
        state.push(column);
        continue;
      }
      const r = state.pushAndCorrelate(column);
      const rows = Array.from({ length: n }, (_, i) => swarm.row(i));
      let k = 0;
      for (let i = 0; i < n; i += 1) {
        for (let j = i + 1; j < n; j += 1, k += 1) {
          const x = rows[i] as number[];
          const y = rows[j] as number[];
          const expected = textbookPearson(x, y, state.minOverlap);
          const got = r[k] as number;
          if (Number.isNaN(expected)) expect(got, `pair (${i}, ${j}) at step ${step}`).toBeNaN();
          else {
            expect(got, `pair (${i}, ${j}) at step ${step}`).not.toBeNaN();
            worst = Math.max(worst, Math.abs(got - expected));
            if (x.some((v, t) => Number.isNaN(v) !== Number.isNaN(y[t]))) gappedPairsChecked += 1;
          }
          expect(Math.abs(state.pair(i, j) - got) < 1e-9 || (Number.isNaN(got) && Number.isNaN(state.pair(i, j)))).toBe(true);
        }
      }
    }
    expect(worst).toBeLessThan(1e-9);
    // The case this test is about: many defined pairs whose rows' gaps differ.
    expect(gappedPairsChecked).toBeGreaterThan(5000);
  });
});

describe('StreamingCorrelation.grown', () => {
  it.each(backends)(
    'gives the same r as a state seeded afresh at the larger capacity, and keeps agreeing as joiners fill the new slots (%s)',
    (backend) => {
      const w = 40;
      const swarm = new ChurningSwarm(seeded(31), 48, w);
      let state = new StreamingCorrelation({ capacity: 16, window: w, backend, resyncEvery: 0 });
      const columns: Float64Array[] = [];
      const compare = (capacity: number): number => {
        const fresh = new StreamingCorrelation({ capacity, window: w, backend, resyncEvery: 0 });
        fresh.seed(Array.from({ length: capacity }, (_, i) => Float64Array.from(columns.slice(-w).map((c) => c[i] ?? NaN))));
        const expected = Float64Array.from(fresh.correlations());
        const got = state.correlations();
        let worst = 0;
        let defined = 0;
        for (let k = 0; k < expected.length; k += 1) {
          const e = expected[k] as number;
          const g = got[k] as number;
          if (Number.isNaN(e) !== Number.isNaN(g)) return Infinity;
          if (!Number.isNaN(e)) {
            defined += 1;
            worst = Math.max(worst, Math.abs(e - g));
          }
        }
        expect(defined).toBeGreaterThan(0);
        return worst;
      };
      for (let step = 0; step < 3000; step += 1) {
        swarm.churn(step);
        const full = swarm.column(step);
        const column = full.subarray(0, state.capacity);
        columns.push(full);
        state.push(column);
        if (step === 700 || step === 1500) {
          // The slots beyond the old capacity have been empty so far; new agents join them from now.
          for (const c of columns) c.fill(NaN, state.capacity);
          // The second growth moves the state into a fresh arena, as the analyzer does (the first stays in its own).
          state = step === 700 ? state.grown(state.capacity + 16) : state.grown(state.capacity + 16, new KernelArena(backend));
          expect(compare(state.capacity)).toBeLessThan(1e-9);
        }
        if (step % 250 === 0 && step > 0) expect(compare(state.capacity)).toBeLessThan(1e-9);
      }
      expect(state.capacity).toBe(48);
    },
  );
});

describe('StreamingCorrelation.setRow and steps no row observes', () => {
  it.each(backends)(
    'keeps r exact when the only row observing some steps is cleared, and when a reload fills them again (%s)',
    (backend) => {
      const rng = seeded(31);
      const n = 12;
      const w = 40;
      const state = new StreamingCorrelation({ capacity: n, window: w, minOverlap: 10, backend });
      // Rows 0–10 miss steps 5–9 together; row 11 alone observes them (then it is cleared: those
      // steps become steps no row observes, which drop out of every pair's count; reloaded, they return).
      const rows = Array.from({ length: n }, (_, i) =>
        Array.from({ length: w }, (_, t) => (i < 11 && t >= 5 && t < 10 ? NaN : rng.gauss() + (i % 3) * Math.sin(t / 3))),
      );
      state.seed(rows.map((row) => Float64Array.from(row)));
      const check = (current: (number[] | null)[]): void => {
        const r = state.correlations();
        let k = 0;
        let defined = 0;
        for (let i = 0; i < n; i += 1) {
          for (let j = i + 1; j < n; j += 1, k += 1) {
            const x = current[i] ?? new Array<number>(w).fill(NaN);
            const y = current[j] ?? new Array<number>(w).fill(NaN);
            const expected = textbookPearson(x, y, state.minOverlap);
            const got = r[k] as number;
            if (Number.isNaN(expected)) expect(got, `(${i}, ${j})`).toBeNaN();
            else {
              defined += 1;
              expect(Math.abs(got - expected), `(${i}, ${j})`).toBeLessThan(1e-9);
            }
          }
        }
        expect(defined).toBeGreaterThan(40);
      };
      check(rows);
      state.setRow(11, null);
      check([...rows.slice(0, 11), null]);
      state.setRow(11, Float64Array.from(rows[11] ?? []));
      check(rows);
      // A row that had values only where another row also has them changes no step's status.
      const partial = (rows[3] ?? []).map((x, t) => (t % 2 === 0 ? x : NaN));
      state.setRow(3, Float64Array.from(partial));
      check([...rows.slice(0, 3), partial, ...rows.slice(4)]);
    },
  );
});

describe('StreamingCorrelation gap repair in runs', () => {
  it.each(backends)(
    'keeps r exact when a wave of joiners takes consecutive slots and a block of agents misses the same steps (%s)',
    (backend) => {
      const rng = seeded(47);
      const n = 64;
      const w = 40;
      const state = new StreamingCorrelation({ capacity: n, window: w, minOverlap: 10, backend });
      const history: number[][] = Array.from({ length: n }, () => []);
      let checked = 0;
      for (let step = 0; step < 160; step += 1) {
        const shared = rng.gauss();
        const column = Float64Array.from({ length: n }, (_, i) => {
          // Slots 16–47 join at step 30 (one wave, consecutive slots: runs of the vector kernel);
          // slots 48–63 miss steps 70–84 together; slot 5 misses every seventh step alone.
          if (i >= 16 && i < 48 && step < 30) return NaN;
          if (i >= 48 && step >= 70 && step < 85) return NaN;
          if (i === 5 && step % 7 === 0) return NaN;
          return (i % 4) * shared + rng.gauss() + (i === 9 ? 1e9 : 0);
        });
        column.forEach((x, i) => history[i]?.push(x));
        const r = state.pushAndCorrelate(column);
        if (step < 40 || step % 9 !== 0) continue;
        let k = 0;
        for (let i = 0; i < n; i += 1) {
          for (let j = i + 1; j < n; j += 1, k += 1) {
            const expected = textbookPearson((history[i] ?? []).slice(-w), (history[j] ?? []).slice(-w), state.minOverlap);
            const got = r[k] as number;
            if (Number.isNaN(expected)) expect(got, `(${i}, ${j}) at ${step}`).toBeNaN();
            else {
              expect(Math.abs(got - expected), `(${i}, ${j}) at ${step}`).toBeLessThan(1e-9);
              checked += 1;
            }
          }
        }
      }
      expect(checked).toBeGreaterThan(10_000);
    },
  );
});
