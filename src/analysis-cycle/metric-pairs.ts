// Per-agent metric × metric correlations (which of an agent's own signals move together, e.g.
// queue_depth with response_time), and the bounded, sticky set of them a swarm exposes.
import { metricCorrelation } from '../analysis/metric-correlation.js';
import { pairCount } from '../analysis/packed-triangle.js';
import { pearsonPairwise } from '../analysis/pearson-pair.js';
import { WINDOWS_PER_SLICE, type Sliced } from '../analysis/sliced.js';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import { exitMargin } from './correlation-track.js';
import type { MetricPairCorrelation } from './swarm-analysis.js';
import { isMissing, ringOf } from './window-reads.js';

/** Per-agent metric × metric pairs are exposed from this |r| up. */
export const METRIC_PAIR_MIN_ABS_R = 0.5;

function stronger(x: MetricPairCorrelation, y: MetricPairCorrelation): number {
  const d = Math.abs(y.r) - Math.abs(x.r);
  if (d !== 0) return d;
  const kx = `${x.agent}\u0000${x.metric_a}\u0000${x.metric_b}`;
  const ky = `${y.agent}\u0000${y.metric_a}\u0000${y.metric_b}`;
  return kx < ky ? -1 : kx > ky ? 1 : 0;
}

/**
 * Each agent's M×M matrix is recomputed every this many steps (a quarter of the agents per step):
 * it is the costliest per-agent read of a cycle (O(M²·W) per agent), and it only chooses which
 * pairs to expose; the exposed pairs' r are recomputed exactly every step.
 */
export const METRIC_PAIR_REFRESH_STEPS = 4;

interface CachedAgent {
  /** Packed r over the metric list (packed-triangle.ts). */
  readonly r: Float64Array;
  step: number;
}

/**
 * Keeps the swarm's strongest `limit` per-agent pairs with |r| ≥ METRIC_PAIR_MIN_ABS_R, with the
 * same hysteresis as the cross-agent top pairs (correlation-track.ts, exitMargin), so near-equal
 * pairs of a large swarm do not take turns.
 */
export class MetricPairSelector {
  /** Exposed pairs of the last step: agent → bit k set for packed metric pair k. */
  private previous = new Map<string, number>();
  private readonly cache = new Map<string, CachedAgent>();
  private metricKey = '';
  private scratch = new Float64Array(0);
  private steps = 0;

  constructor(
    private readonly limit: number,
    private readonly windowPoints: number,
    private readonly minOverlap: number,
  ) {}

  /** One step over the agents' canonical windows (read as rings: r does not depend on step order). */
  *select(windows: AlignedWindows, agents: readonly AgentRecord[], missing: Float64Array): Sliced<MetricPairCorrelation[]> {
    const step = this.steps++;
    const metrics = CANONICAL_METRICS.filter((m) => windows.seriesOf(m).size > 0);
    // Bit positions and cached matrices mean pairs of this metric list only.
    const metricKey = metrics.join(',');
    if (metricKey !== this.metricKey) {
      this.previous.clear();
      this.cache.clear();
      this.metricKey = metricKey;
    }
    if (metrics.length < 2 || this.limit === 0) {
      this.previous.clear();
      this.cache.clear();
      return [];
    }
    const w = windows.capacity;
    if (this.scratch.length < metrics.length * w) this.scratch = new Float64Array(metrics.length * w);
    const pairs = pairCount(metrics.length);
    const rows: Float64Array[] = new Array<Float64Array>(metrics.length);
    const readRows = (agent: string): number => {
      let present = 0;
      metrics.forEach((m, i) => {
        const ring = ringOf(windows, m, agent, missing);
        rows[i] = ring;
        if (!isMissing(ring, missing)) present += 1;
      });
      return present;
    };
    const best = new BoundedStrongest(this.limit);
    const kept: Candidate[] = [];
    const present = new Set<string>();
    for (let index = 0; index < agents.length; index += 1) {
      if (index % WINDOWS_PER_SLICE === WINDOWS_PER_SLICE - 1) yield;
      const agent = agents[index] as AgentRecord;
      present.add(agent.id);
      let cached = this.cache.get(agent.id);
      if (
        cached === undefined ||
        step - cached.step >= METRIC_PAIR_REFRESH_STEPS ||
        index % METRIC_PAIR_REFRESH_STEPS === step % METRIC_PAIR_REFRESH_STEPS
      ) {
        if (cached === undefined) {
          cached = { r: new Float64Array(pairs), step };
          this.cache.set(agent.id, cached);
        }
        cached.step = step;
        if (readRows(agent.id) < 2) cached.r.fill(Number.NaN);
        else metricCorrelation(rows, { out: cached.r, scratch: this.scratch, minOverlap: this.minOverlap });
      }
      const was = this.previous.get(agent.id) ?? 0;
      let k = 0;
      for (let i = 0; i < metrics.length; i++) {
        for (let j = i + 1; j < metrics.length; j++, k++) {
          const r = cached.r[k] ?? Number.NaN;
          if (!(Math.abs(r) >= METRIC_PAIR_MIN_ABS_R)) continue;
          const pair = { agent: agent.id, metric_a: metrics[i] ?? '', metric_b: metrics[j] ?? '', r, bit: k, i, j };
          best.offer(pair);
          if ((was & (1 << k)) !== 0) kept.push(pair);
        }
      }
    }
    if (this.cache.size > present.size) for (const id of [...this.cache.keys()]) if (!present.has(id)) this.cache.delete(id);

    const fresh = best.sorted();
    const entryBar = fresh.length >= this.limit ? Math.abs(fresh[this.limit - 1]?.r ?? 0) : METRIC_PAIR_MIN_ABS_R;
    const keepBar = Math.max(METRIC_PAIR_MIN_ABS_R, entryBar - exitMargin(entryBar, this.windowPoints));
    const chosen = kept
      .filter((p) => Math.abs(p.r) >= keepBar)
      .sort(stronger)
      .slice(0, this.limit);
    const bits = new Map<string, number>();
    const mark = (p: Candidate): boolean => {
      const had = bits.get(p.agent) ?? 0;
      if ((had & (1 << p.bit)) !== 0) return false;
      bits.set(p.agent, had | (1 << p.bit));
      return true;
    };
    for (const p of chosen) mark(p);
    for (const p of fresh) {
      if (chosen.length >= this.limit) break;
      if (mark(p)) chosen.push(p);
    }
    this.previous = bits;
    // The selection may rest on matrices a few steps old; the values exposed are exact now.
    const exposed: MetricPairCorrelation[] = [];
    for (const p of chosen) {
      readRows(p.agent);
      const r = pearsonPairwise(rows[p.i] ?? missing, rows[p.j] ?? missing, this.minOverlap);
      if (Number.isFinite(r)) exposed.push({ agent: p.agent, metric_a: p.metric_a, metric_b: p.metric_b, r });
    }
    return exposed.sort(stronger);
  }
}

/** A pair on offer: its packed index (bit) and its metrics' positions in the metric list. */
type Candidate = MetricPairCorrelation & { readonly bit: number; readonly i: number; readonly j: number };

/** The `limit` largest |r| seen so far (a min-heap on |r|; ties keep the earlier offer). */
class BoundedStrongest {
  private readonly heap: Candidate[] = [];

  constructor(private readonly limit: number) {}

  offer(p: Candidate): void {
    const h = this.heap;
    if (h.length < this.limit) {
      h.push(p);
      let c = h.length - 1;
      while (c > 0) {
        const parent = (c - 1) >> 1;
        if (Math.abs((h[parent] as Candidate).r) <= Math.abs((h[c] as Candidate).r)) break;
        [h[c], h[parent]] = [h[parent] as Candidate, h[c] as Candidate];
        c = parent;
      }
      return;
    }
    if (!(Math.abs(p.r) > Math.abs((h[0] as Candidate).r))) return;
    h[0] = p;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && Math.abs((h[l] as Candidate).r) < Math.abs((h[m] as Candidate).r)) m = l;
      if (r < h.length && Math.abs((h[r] as Candidate).r) < Math.abs((h[m] as Candidate).r)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as Candidate, h[i] as Candidate];
      i = m;
    }
  }

  /** Strongest first. */
  sorted(): Candidate[] {
    return [...this.heap].sort(stronger);
  }
}
