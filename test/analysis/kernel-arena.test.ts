import { describe, expect, it } from 'vitest';
import { KernelArena } from '../../src/analysis/kernel-arena.js';

describe('KernelArena.scratch', () => {
  it('keeps the holes of a block grown one step at a time within the size it reaches', () => {
    // The gap corrections' table of a churning swarm grows by one group at a time.
    const arena = new KernelArena('js');
    const step = 1000;
    let offset = 0;
    for (let groups = 1; groups <= 100; groups += 1) offset = arena.scratch('table', step * groups);
    const final = 8 * step * 100;
    // A block is never freed while in use, and each regrowth at least doubles: at most the final
    // block plus the ones it replaced (a geometric series below the final size), plus the header.
    expect(arena.reservedBytes).toBeLessThanOrEqual(3 * final + 64);
    expect(arena.f64(offset, step * 100).length).toBe(step * 100);
  });

  it('hands the same block back while it is large enough', () => {
    const arena = new KernelArena('js');
    const first = arena.scratch('matrix', 500);
    expect(arena.scratch('matrix', 400)).toBe(first);
    expect(arena.scratch('matrix', 500)).toBe(first);
    expect(arena.scratch('matrix', 501)).not.toBe(first);
  });
});
