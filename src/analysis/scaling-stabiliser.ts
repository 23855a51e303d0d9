// Turns each step's raw agents-needed per type into a recommendation a scaler can follow: scale-down
// stabilisation (the highest raw recommendation of the last `windowMs`, as the Kubernetes Horizontal
// Pod Autoscaler's default `behavior.scaleDown.stabilizationWindowSeconds: 300`), bounded one-step
// changes (up: at most max(4, 100 %) — HPA's default scale-up policy; down: at most max(1, 10 %) of
// the previous recommendation) and, while the type has a bottleneck, a ratchet: never fewer than the
// agents running, and never fewer than the previous step's recommendation (so it holds the highest
// recommendation since the bottleneck began; issue #11 item 6: "never recommends fewer agents").
// Time is passed in: no clock.

/** HPA's default scale-down stabilisation window: 5 minutes. */
export const SCALE_DOWN_STABILISATION_MS = 300_000;

export interface StabiliserInput {
  readonly type: string;
  /** Agents of the type now. */
  readonly current: number;
  /** This step's raw recommendation. */
  readonly raw: number;
  /**
   * True while an agent of the type scores above the bottleneck alert bar: never fewer than current,
   * and never fewer than the previous step's recommendation.
   */
  readonly bottleneck: boolean;
}

interface TypeState {
  /** (time, raw) of the steps inside the stabilisation window, oldest first. */
  readonly history: { at: number; raw: number }[];
  last: number;
}

export class ScalingStabiliser {
  private readonly types = new Map<string, TypeState>();

  constructor(private readonly windowMs: number = SCALE_DOWN_STABILISATION_MS) {}

  /** The stabilised recommendation per input, in order; types not seen this step are forgotten. */
  step(now: number, inputs: readonly StabiliserInput[]): number[] {
    const seen = new Set<string>();
    const out = inputs.map((input) => {
      seen.add(input.type);
      const raw = input.bottleneck ? Math.max(input.raw, input.current) : input.raw;
      let state = this.types.get(input.type);
      if (state === undefined) {
        state = { history: [], last: raw };
        this.types.set(input.type, state);
      }
      state.history.push({ at: now, raw });
      while (state.history.length > 0 && (state.history[0]?.at ?? now) <= now - this.windowMs) state.history.shift();
      const target = state.history.reduce((m, h) => Math.max(m, h.raw), raw);
      const up = Math.max(4, state.last);
      const down = Math.max(1, Math.ceil(state.last * 0.1));
      let next = Math.min(state.last + up, Math.max(state.last - down, target));
      // A constrained type is not scaled down: a shrinking forecast (the load a bottleneck throttles
      // looks like falling demand) must not take agents from the stage that holds the swarm back.
      if (input.bottleneck) next = Math.max(next, input.current, state.last);
      state.last = next;
      return next;
    });
    for (const type of [...this.types.keys()]) if (!seen.has(type)) this.types.delete(type);
    return out;
  }
}
