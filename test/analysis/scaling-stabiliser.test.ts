// The scaling stabiliser's bottleneck ratchet (issue #11 item 6): while a type has a bottleneck its
// recommendation never decreases from one step to the next, nor falls below the agents running.
import { describe, expect, it } from 'vitest';
import { ScalingStabiliser, type StabiliserInput } from '../../src/analysis/scaling-stabiliser.js';
import { seeded } from './support/random.js';

const w = (raw: number, current: number, bottleneck: boolean): StabiliserInput[] => [{ type: 'w', current, raw, bottleneck }];

describe('ScalingStabiliser while a type has a bottleneck', () => {
  it('holds the highest recommendation since the bottleneck began, and scales down in bounded steps once it ends', () => {
    // No stabilisation window: only the ratchet keeps the recommendation up.
    const st = new ScalingStabiliser(0);
    expect(st.step(0, w(6, 4, false))).toEqual([6]);
    expect(st.step(1, w(9, 4, true))).toEqual([9]);
    // The need falls while the bottleneck lasts (its throttled load looks like falling demand): held.
    expect(st.step(2, w(5, 4, true))).toEqual([9]);
    expect(st.step(3, w(2, 4, true))).toEqual([9]);
    // A higher need is followed, then held.
    expect(st.step(4, w(11, 4, true))).toEqual([11]);
    expect(st.step(5, w(7, 4, true))).toEqual([11]);
    // The bottleneck is over: down by at most max(1, ⌈10 %⌉) per step.
    expect(st.step(6, w(7, 4, false))).toEqual([9]);
    expect(st.step(7, w(7, 4, false))).toEqual([8]);
  });

  it('does not drop at the step the bottleneck begins', () => {
    const st = new ScalingStabiliser(0);
    expect(st.step(0, w(8, 5, false))).toEqual([8]);
    expect(st.step(1, w(3, 5, true))).toEqual([8]);
  });

  it('keeps one ratchet per type', () => {
    const st = new ScalingStabiliser(0);
    const two = (a: number, b: number): StabiliserInput[] => [
      { type: 'worker', current: 3, raw: a, bottleneck: true },
      { type: 'planner', current: 3, raw: b, bottleneck: false },
    ];
    expect(st.step(0, two(7, 7))).toEqual([7, 7]);
    expect(st.step(1, two(4, 4))).toEqual([7, 6]);
  });

  it('never decreases across consecutive bottleneck steps, nor falls below the agents running, over 200 seeded random runs', () => {
    let bottleneckSteps = 0;
    let rawDrops = 0;
    for (let run = 0; run < 200; run += 1) {
      const rng = seeded(7000 + run);
      const st = new ScalingStabiliser(rng.next() < 0.5 ? 0 : 30_000);
      let bottleneck = false;
      let previous: number | undefined;
      let previousRaw = 0;
      let current = 1 + Math.floor(rng.next() * 8);
      for (let t = 0; t < 120; t += 1) {
        if (rng.next() < 0.1) bottleneck = !bottleneck;
        if (rng.next() < 0.1) current = Math.max(1, current + (rng.next() < 0.5 ? -1 : 1));
        const raw = Math.floor(rng.next() * 20);
        const [out] = st.step(t * 15_000, w(raw, current, bottleneck));
        if (out === undefined) throw new Error('no recommendation');
        if (bottleneck) {
          bottleneckSteps += 1;
          expect(out).toBeGreaterThanOrEqual(current);
          if (previous !== undefined) expect(out).toBeGreaterThanOrEqual(previous);
          if (raw < previousRaw) rawDrops += 1;
        }
        previous = out;
        previousRaw = raw;
      }
    }
    // The runs exercise the ratchet: many bottleneck steps whose raw need fell.
    expect(bottleneckSteps).toBeGreaterThan(1000);
    expect(rawDrops).toBeGreaterThan(500);
  });
});
