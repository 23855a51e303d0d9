// Disjoint sets over 0…n−1 with path halving and union by size (Tarjan 1975): near-O(1) per operation.

export class UnionFind {
  private readonly parent: Int32Array;
  private readonly sizes: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.sizes = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i += 1) this.parent[i] = i;
  }

  /** Representative of x's set. */
  find(x: number): number {
    let v = x;
    while (this.parent[v] !== v) {
      const grand = this.parent[this.parent[v] as number] as number;
      this.parent[v] = grand;
      v = grand;
    }
    return v;
  }

  /** Merges the sets of a and b; returns false when they were already one. */
  union(a: number, b: number): boolean {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return false;
    if ((this.sizes[ra] as number) < (this.sizes[rb] as number)) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.sizes[ra] = (this.sizes[ra] as number) + (this.sizes[rb] as number);
    return true;
  }

  /** Size of x's set. */
  size(x: number): number {
    return this.sizes[this.find(x)] as number;
  }
}
