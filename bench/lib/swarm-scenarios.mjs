// Realistic swarms for the benches: who pushes what at each step (the whole swarm at once, a 10 %
// first wave then 90 % joiners, churn with expiry, missed pushes and outages, custom metrics) and
// the values (shared load waves, per-agent weights, trends, noise). Deterministic from a seed, so a
// bench and its peers see the same swarm.
import { seeded } from '../analysis/harness.mjs';

export const CANONICAL_METRICS = [
  'cpu_usage',
  'memory_usage',
  'response_time',
  'throughput',
  'error_rate',
  'queue_depth',
  'active_tasks',
  'coordination_load',
];
/** Two custom metrics, as agents add them (one unbounded rate, one ratio). */
export const CUSTOM_METRICS = ['tokens_per_second', 'cache_hit_ratio'];
const RATIOS = new Set(['cpu_usage', 'memory_usage', 'error_rate', 'coordination_load', 'cache_hit_ratio']);

/**
 * The scenarios, each as a swarm of `agents` agents:
 *  - aligned: every agent from the first step, no missed push (the case the old benches measured);
 *  - canonical_only: aligned with the 8 canonical metrics only (what the 2 custom ones cost);
 *  - staggered: 10 % of the agents fill the window, then the other 90 % join at once; the swarm is
 *    settled (the state that lasts until the joiners fill the window) once they have a quarter
 *    window of points, enough for their pairs to count;
 *  - churn: every 4 steps 2 % of the agents leave (they stop pushing and expire after
 *    agents.expire_after) and as many new ones join, from the first step on;
 *  - missed: every agent from the first step; 0.5 % of pushes missed one at a time (carried forward
 *    by the store) and outages of OUTAGE_STEPS steps starting at 0.1 % of pushes (gaps in the
 *    window): about 1 % of samples missing in all.
 */
export const SCENARIOS = ['aligned', 'canonical_only', 'staggered', 'churn', 'missed'];

export const CHURN_EVERY_STEPS = 4;
export const CHURN_SHARE = 0.02;
export const FIRST_WAVE_SHARE = 0.1;
export const SINGLE_MISS_RATE = 0.005;
export const OUTAGE_START_RATE = 0.001;
/** 75 s at a 15 s step: longer than the default 45 s heartbeat timeout, so the window gets gaps. */
export const OUTAGE_STEPS = 5;

/** Four shared load waves (AR(1): load moves smoothly), each agent its own weight, offset, noise and trend. */
class MetricSource {
  constructor(metric, seed) {
    this.metric = metric;
    this.ratio = RATIOS.has(metric);
    this.rng = seeded(seed);
    this.factors = new Float64Array(4);
    this.weight = new Float64Array(0);
    this.offset = new Float64Array(0);
    this.trend = new Float64Array(0);
  }

  /** Makes room for agent indices below `count` (parameters drawn in index order, so reproducible). */
  grow(count) {
    if (count <= this.weight.length) return;
    const size = Math.max(count, 2 * this.weight.length);
    const extend = (old, draw) => {
      const next = new Float64Array(size);
      next.set(old);
      for (let i = old.length; i < size; i += 1) next[i] = draw();
      return next;
    };
    this.weight = extend(this.weight, () => 0.2 + 0.8 * this.rng.next());
    this.offset = extend(this.offset, () => this.rng.next());
    // One agent in five drifts (a leak, a growing backlog): the trending series of a real swarm.
    this.trend = extend(this.trend, () => (this.rng.next() < 0.2 ? (this.rng.next() - 0.3) * 0.02 : 0));
  }

  advance() {
    for (let k = 0; k < 4; k += 1) this.factors[k] = 0.8 * this.factors[k] + 0.6 * this.rng.gauss();
  }

  value(agent, step) {
    const x = this.weight[agent] * this.factors[agent % 4] + this.rng.gauss() + this.trend[agent] * step;
    if (this.ratio) return Math.min(1, Math.max(0, 0.3 + 0.4 * this.offset[agent] + 0.04 * x));
    return Math.max(0, 5 + 10 * this.offset[agent] + x);
  }
}

/**
 * One scenario's swarm. `samplesAt(step)` gives what the agents push at that step (in agent order,
 * each agent's metrics together, as clients send them) and which agents joined and left.
 */
export class SwarmScenario {
  /**
   * @param {{ scenario: string, agents: number, window: number, seed?: number }} options
   *   window: points per window W. The benches fill W − 1 steps, then run a cycle each step; the
   *   staggered joiners arrive at the third cycle.
   */
  constructor({ scenario, agents, window, seed = 1 }) {
    if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario}; expected one of ${SCENARIOS.join(', ')}`);
    this.scenario = scenario;
    this.agents = agents;
    this.window = window;
    this.metrics = scenario === 'canonical_only' ? [...CANONICAL_METRICS] : [...CANONICAL_METRICS, ...CUSTOM_METRICS];
    this.sources = this.metrics.map((m, k) => new MetricSource(m, seed * 7919 + 1000 * k + agents));
    this.rng = seeded(seed * 104729 + agents);
    this.joinStep = scenario === 'staggered' ? window + 2 : -1;
    const first = scenario === 'staggered' ? Math.max(1, Math.round(FIRST_WAVE_SHARE * agents)) : agents;
    /** Agent indices pushing now (churn replaces some), in join order. */
    this.active = Array.from({ length: first }, (_, i) => i);
    this.nextIndex = first;
    /** Missed-push scenario: steps left in each agent's outage. */
    this.outage = new Int32Array(agents);
    this.missedSamples = 0;
    this.pushedSamples = 0;
  }

  id(index) {
    return `agent-${index}`;
  }

  /** Agent metadata a heartbeat would carry. */
  metadata(index) {
    return { type: index % 5 === 0 ? 'planner' : 'worker', variant: index % 3 === 0 ? 'v2' : 'v1', capacity: 16 };
  }

  /** Whether the swarm is in the state the rest of its window looks like (see SCENARIOS). */
  settledAt(step) {
    return this.scenario !== 'staggered' || step >= this.joinStep + Math.ceil(this.window / 4);
  }

  /** Whether agents join at `step` (the cycle at that step is a "first cycle after a join"). */
  joinsAt(step) {
    if (step === 0) return true;
    if (this.scenario === 'staggered') return step === this.joinStep;
    if (this.scenario === 'churn') return step % CHURN_EVERY_STEPS === 0;
    return false;
  }

  /** What is pushed at `step`: { samples: [{agent, metric, value}], joined: [index], left: [index] }. */
  samplesAt(step) {
    const joined = [];
    const left = [];
    if (step === 0) joined.push(...this.active);
    if (this.scenario === 'staggered' && step === this.joinStep) {
      for (let i = this.nextIndex; i < this.agents; i += 1) joined.push(i);
      this.active.push(...joined);
      this.nextIndex = this.agents;
    }
    if (this.scenario === 'churn' && step > 0 && step % CHURN_EVERY_STEPS === 0) {
      const k = Math.max(1, Math.round(CHURN_SHARE * this.agents));
      for (let j = 0; j < k; j += 1) {
        const at = Math.floor(this.rng.next() * this.active.length);
        left.push(this.active[at]);
        this.active[at] = this.active[this.active.length - 1];
        this.active.pop();
      }
      for (let j = 0; j < k; j += 1) {
        const index = this.nextIndex++;
        joined.push(index);
        this.active.push(index);
      }
    }
    for (const s of this.sources) {
      s.grow(this.nextIndex);
      s.advance();
    }
    const samples = [];
    for (const agent of this.active) {
      if (this.scenario === 'missed' && this.skips(agent)) {
        this.missedSamples += this.metrics.length;
        // The values are drawn anyway so the other agents' series do not depend on who missed.
        for (const s of this.sources) s.value(agent, step);
        continue;
      }
      const id = this.id(agent);
      for (const s of this.sources) samples.push({ agent: id, metric: s.metric, value: s.value(agent, step) });
    }
    this.pushedSamples += samples.length;
    return { samples, joined, left };
  }

  /** Missed-push scenario: whether `agent` misses this step's push. */
  skips(agent) {
    if (this.outage[agent] > 0) {
      this.outage[agent] -= 1;
      return true;
    }
    const u = this.rng.next();
    if (u < OUTAGE_START_RATE) {
      this.outage[agent] = OUTAGE_STEPS - 1;
      return true;
    }
    return u < OUTAGE_START_RATE + SINGLE_MISS_RATE;
  }
}

/** Share of NaN cells (gaps) over every series of a swarm's windows, from the store's public reads. */
export function gapShare(windows) {
  let cells = 0;
  let gaps = 0;
  for (const metric of windows.metrics()) {
    for (const agent of windows.seriesOf(metric).keys()) {
      const row = windows.chronological(metric, agent);
      cells += row.length;
      for (let t = 0; t < row.length; t += 1) if (row[t] !== row[t]) gaps += 1;
    }
  }
  return cells === 0 ? 0 : gaps / cells;
}
