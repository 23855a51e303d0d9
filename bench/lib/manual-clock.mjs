// The benches' stepped clock: a Clock (src/model/clock.ts) that moves only when the bench advances it,
// so a bench drives the exporter step by step as fast as it can compute. The tests' twin is
// test/fakes/manual-clock.ts; the benches are plain .mjs run against dist/, which ships no test code.

export class ManualClock {
  #wall;
  #mono = 0;
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#wall = startMs;
  }
  now() {
    return this.#wall;
  }
  monotonic() {
    return this.#mono;
  }
  advance(ms) {
    this.#wall += ms;
    this.#mono += ms;
  }
}
