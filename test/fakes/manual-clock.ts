// A Clock that tests move by hand: wall and monotonic time advance together, never by themselves.
import type { Clock } from '../../src/model/clock.js';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  private wall: number;
  private mono = 0;
  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.wall = startMs;
  }
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
  set(wallMs: number): void {
    this.mono += Math.max(0, wallMs - this.wall);
    this.wall = wallMs;
  }
}
