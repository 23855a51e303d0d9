// The process-wide byte budget for the N² correlation buffers of every swarm: which metrics can keep
// a streaming state (running cross-products, 4·N² bytes each) and which are recomputed periodically.
// Each swarm's matrix of r (4·N² bytes, shared by its metrics) counts against it too.

/**
 * Default budget: 448 MiB of N² buffers (cross-product states and each swarm's matrix of r). Up to
 * ~3,000 agents (3,547 slots: 50 MB a buffer) every canonical metric streams; at 5,000 agents
 * (100 MB) two stream beside the periodic scratch and the matrix, and a churning 5,000-agent swarm
 * (6,752 slots: 182 MB) runs every metric periodically, so the process stays below 1 GiB RSS (see
 * docs/analysis.md, "Cost and memory").
 */
export const DEFAULT_STREAMING_BUDGET_BYTES = 448 * 2 ** 20;

/** Bytes held per owner (one owner per swarm analyzer); owners re-plan against what is left. */
export class StreamingBudget {
  private readonly held = new Map<object, number>();

  /** @param limitBytes total bytes of streaming states across swarms, ≥ 0 */
  constructor(readonly limitBytes: number = DEFAULT_STREAMING_BUDGET_BYTES) {
    if (!(limitBytes >= 0)) throw new RangeError(`streaming budget: expected bytes >= 0, got ${limitBytes}`);
  }

  /** Bytes `owner` may hold: the limit minus what every other owner holds. */
  allowanceFor(owner: object): number {
    let others = 0;
    for (const [o, bytes] of this.held) if (o !== owner) others += bytes;
    return Math.max(0, this.limitBytes - others);
  }

  /** Records what `owner` now holds (replacing its previous figure). */
  hold(owner: object, bytes: number): void {
    if (bytes > 0) this.held.set(owner, bytes);
    else this.held.delete(owner);
  }

  release(owner: object): void {
    this.held.delete(owner);
  }

  /** Bytes held by every owner together. */
  get usedBytes(): number {
    let total = 0;
    for (const bytes of this.held.values()) total += bytes;
    return total;
  }
}

/** Bytes of one N² state for `capacity` rows: the packed cross-products, n(n−1)/2 doubles. */
export function stateBytes(capacity: number): number {
  return (capacity * (capacity - 1) * 8) / 2;
}

export type CorrelationTier = 'streaming' | 'periodic';

/**
 * Tiers for `metrics` (in priority order) given what one swarm may hold. A swarm always holds one
 * matrix of r (its arena's, shared by its metrics: a state's bytes), counted first. Every metric
 * streams when all fit beside it; otherwise the first ones stream and the rest share one periodic
 * scratch state (a state's bytes too). The least a swarm holds, even over budget, is the matrix and
 * one more buffer: the periodic scratch, or the streaming state of a swarm's only metric (the same
 * bytes, and O(N²) a step instead of an exact O(N²·W) recomputation).
 */
export function planTiers(
  metrics: readonly string[],
  capacity: number,
  allowanceBytes: number,
): { tiers: Map<string, CorrelationTier>; bytes: number } {
  const each = stateBytes(capacity);
  // Buffers beside the matrix; at least one (a swarm is analysed at all), which a lone metric streams in.
  const fit = each === 0 ? metrics.length : Math.max(1, Math.floor(allowanceBytes / each) - 1);
  const tiers = new Map<string, CorrelationTier>();
  if (fit >= metrics.length) {
    for (const m of metrics) tiers.set(m, 'streaming');
    return { tiers, bytes: each * (metrics.length + 1) };
  }
  const streaming = Math.max(0, fit - 1);
  metrics.forEach((m, i) => tiers.set(m, i < streaming ? 'streaming' : 'periodic'));
  return { tiers, bytes: each * (streaming + 2) };
}
