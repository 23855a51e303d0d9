// The process-wide byte budget for the N² correlation states of every swarm: which metrics can keep
// a streaming state (running cross-products, 4·N² bytes each) and which are recomputed periodically.

/**
 * Default budget: 512 MiB of cross-product states. At 5,000 agents a state is 100 MB, so five fit
 * and the process stays below 1 GiB RSS with 8 canonical metrics (see docs/analysis.md, "Bounds on cardinality");
 * up to ~4,000 agents every canonical metric streams.
 */
export const DEFAULT_STREAMING_BUDGET_BYTES = 384 * 2 ** 20;

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
 * Tiers for `metrics` (in priority order) given what one swarm may hold: every metric streams when
 * all fit; otherwise the first ones stream and the rest share one periodic scratch state (which
 * needs a state's bytes too). With room for nothing, every metric is periodic (the scratch is the
 * least a swarm needs to be analysed at all, so it may exceed the budget).
 */
export function planTiers(
  metrics: readonly string[],
  capacity: number,
  allowanceBytes: number,
): { tiers: Map<string, CorrelationTier>; bytes: number } {
  const each = stateBytes(capacity);
  const fit = each === 0 ? metrics.length : Math.floor(allowanceBytes / each);
  const tiers = new Map<string, CorrelationTier>();
  if (fit >= metrics.length) {
    for (const m of metrics) tiers.set(m, 'streaming');
    return { tiers, bytes: each * metrics.length };
  }
  const streaming = Math.max(0, fit - 1);
  metrics.forEach((m, i) => tiers.set(m, i < streaming ? 'streaming' : 'periodic'));
  return { tiers, bytes: each * (streaming + 1) };
}
