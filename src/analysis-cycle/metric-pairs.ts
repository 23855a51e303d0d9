// Per-agent metric × metric correlations (which of an agent's own signals move together, e.g.
// queue_depth with response_time), and the bounded, sticky set of them a swarm exposes.
import { metricCorrelation } from '../analysis/metric-correlation.js';
import { pairCount } from '../analysis/packed-triangle.js';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import type { AgentRecord } from '../store/agent-record.js';
import type { AlignedWindows } from '../store/aligned-windows.js';
import { TOP_PAIR_MARGIN } from './correlation-track.js';
import type { MetricPairCorrelation } from './swarm-analysis.js';
import { ringOf } from './window-reads.js';

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
 * Keeps the swarm's strongest `limit` per-agent pairs with |r| ≥ METRIC_PAIR_MIN_ABS_R, with the
 * same hysteresis as the cross-agent top pairs: an exposed pair stays while its |r| is at least the
 * entry bar minus TOP_PAIR_MARGIN, so near-equal pairs of a large swarm do not take turns.
 */
export class MetricPairSelector {
  /** Exposed pairs of the last step: agent → bit k set for packed metric pair k. */
  private previous = new Map<string, number>();
  private previousMetrics = '';
  private scratch = new Float64Array(0);

  constructor(
    private readonly limit: number,
    private readonly minOverlap: number,
  ) {}

  /** One step over the agents' canonical windows (read as rings: r does not depend on step order). */
  select(windows: AlignedWindows, agents: readonly AgentRecord[], missing: Float64Array): MetricPairCorrelation[] {
    const metrics = CANONICAL_METRICS.filter((m) => windows.seriesOf(m).size > 0);
    // Bit positions mean metric pairs of this metric list only.
    const metricKey = metrics.join(',');
    if (metricKey !== this.previousMetrics) this.previous.clear();
    this.previousMetrics = metricKey;
    if (metrics.length < 2 || this.limit === 0) {
      this.previous.clear();
      return [];
    }
    const w = windows.capacity;
    if (this.scratch.length < metrics.length * w) this.scratch = new Float64Array(metrics.length * w);
    const out = new Float64Array(pairCount(metrics.length));
    const best = new BoundedStrongest(this.limit);
    const kept: MetricPairCorrelation[] = [];
    const rows: Float64Array[] = new Array<Float64Array>(metrics.length);
    for (const agent of agents) {
      let present = 0;
      metrics.forEach((m, i) => {
        const ring = ringOf(windows, m, agent.id, missing);
        rows[i] = ring;
        if (ring !== missing) present += 1;
      });
      if (present < 2) continue;
      metricCorrelation(rows, { out, scratch: this.scratch, minOverlap: this.minOverlap });
      const was = this.previous.get(agent.id) ?? 0;
      let k = 0;
      for (let i = 0; i < metrics.length; i++) {
        for (let j = i + 1; j < metrics.length; j++, k++) {
          const r = out[k] ?? Number.NaN;
          if (!(Math.abs(r) >= METRIC_PAIR_MIN_ABS_R)) continue;
          const pair = { agent: agent.id, metric_a: metrics[i] ?? '', metric_b: metrics[j] ?? '', r, bit: k };
          best.offer(pair);
          if ((was & (1 << k)) !== 0) kept.push(pair);
        }
      }
    }
    const fresh = best.sorted();
    const entryBar = fresh.length >= this.limit ? Math.abs(fresh[this.limit - 1]?.r ?? 0) : METRIC_PAIR_MIN_ABS_R;
    const keepBar = Math.max(METRIC_PAIR_MIN_ABS_R, entryBar - TOP_PAIR_MARGIN);
    const chosen = kept.filter((p) => Math.abs(p.r) >= keepBar).sort(stronger).slice(0, this.limit);
    const bits = new Map<string, number>();
    const mark = (p: MetricPairCorrelation & { readonly bit: number }): boolean => {
      const had = bits.get(p.agent) ?? 0;
      if ((had & (1 << p.bit)) !== 0) return false;
      bits.set(p.agent, had | (1 << p.bit));
      return true;
    };
    for (const p of chosen as (MetricPairCorrelation & { readonly bit: number })[]) mark(p);
    for (const p of fresh) {
      if (chosen.length >= this.limit) break;
      if (mark(p)) chosen.push(p);
    }
    this.previous = bits;
    return chosen.sort(stronger).map((p) => ({ agent: p.agent, metric_a: p.metric_a, metric_b: p.metric_b, r: p.r }));
  }
}

type Candidate = MetricPairCorrelation & { readonly bit: number };

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
