// Agent <-> row slot assignment for the per-swarm analysis states (fixed-capacity kernels).

export class SlotMap {
  private readonly byAgent = new Map<string, number>();
  private readonly agents: (string | undefined)[];
  private readonly free: number[] = [];

  constructor(readonly capacity: number) {
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
