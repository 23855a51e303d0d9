// Agent <-> row slot assignment for the per-swarm analysis states (fixed-capacity kernels).

export class SlotMap {
  private readonly byAgent = new Map<string, number>();
  private readonly agents: (string | undefined)[];
  private free: number[] = [];

  constructor(public capacity: number) {
    this.agents = new Array<string | undefined>(capacity).fill(undefined);
    for (let i = capacity - 1; i >= 0; i--) this.free.push(i);
  }

  get size(): number {
    return this.byAgent.size;
  }

  slotOf(agent: string): number | undefined {
    return this.byAgent.get(agent);
  }

  agentAt(slot: number): string | undefined {
    return this.agents[slot];
  }

  /** Assigns the lowest free slot; undefined when full. */
  assign(agent: string): number | undefined {
    const existing = this.byAgent.get(agent);
    if (existing !== undefined) return existing;
    const slot = this.free.pop();
    if (slot === undefined) return undefined;
    this.byAgent.set(agent, slot);
    this.agents[slot] = agent;
    return slot;
  }

  /** Room for `capacity` slots (≥ the current one); every agent keeps its slot. */
  grow(capacity: number): void {
    if (capacity <= this.capacity) return;
    const added: number[] = [];
    for (let i = capacity - 1; i >= this.capacity; i--) added.push(i);
    // A stack popped from its end: the old free slots (lower) are handed out first.
    this.free = [...added, ...this.free];
    for (let i = this.capacity; i < capacity; i += 1) this.agents.push(undefined);
    this.capacity = capacity;
  }

  release(agent: string): number | undefined {
    const slot = this.byAgent.get(agent);
    if (slot === undefined) return undefined;
    this.byAgent.delete(agent);
    this.agents[slot] = undefined;
    this.free.push(slot);
    return slot;
  }

  entries(): IterableIterator<[string, number]> {
    return this.byAgent.entries();
  }
}
