// The agent registry: agents per swarm, their latest values and aligned windows; the SampleSink of every
// ingest mode; liveness, expiry and health at each step.
import { medianInPlace } from '../analysis/median-select.js';
import { complete, WINDOWS_PER_SLICE, type Sliced } from '../analysis/sliced.js';
import { DEFAULT_SWARM, isCanonicalMetric } from '../model/canonical-metrics.js';
import type { Clock } from '../model/clock.js';
import type { IngestSource, RegistryIngestOutcome, Sample, SampleRejection, SampleSink } from '../model/sample.js';
import { checkAgentId, checkMetricName, checkSwarm, checkTimestamp, checkValue, preview } from '../model/sample-rules.js';
import { healthScore } from '../health/health-score.js';
import { nextStatus } from '../health/status-from-score.js';
import { AgentRecord } from './agent-record.js';
import { AlignedWindows } from './aligned-windows.js';
import { holdOpen, type RingCell } from './ring-slab.js';

export interface RegistryLimits {
  readonly heartbeatTimeoutMs: number;
  readonly expireAfterMs: number;
  readonly maxAgents: number;
  readonly maxCustomMetrics: number;
  readonly stepMs: number;
  readonly windowMs: number;
  /** analysis.carry_forward: steps a value is held into following steps without an observation; default 1. */
  readonly carryForwardSteps?: number;
}

/** Metadata a heartbeat may set; absent fields keep their value. */
export interface AgentMetadataUpdate {
  readonly type?: string;
  readonly variant?: string;
  readonly capacity?: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A sample as pushed: any field may be missing or of the wrong type until checked. */
export interface SampleLike {
  readonly swarm?: unknown;
  readonly agent?: unknown;
  readonly metric?: unknown;
  readonly value?: unknown;
  readonly timestamp?: unknown;
}

export interface SwarmState {
  readonly name: string;
  readonly agents: Map<string, AgentRecord>;
  readonly windows: AlignedWindows;
}

export type RegisterResult = { readonly ok: true; readonly agent: AgentRecord } | { readonly ok: false; readonly reason: string };

/** Minimum observations of response_time before the latency baseline is trusted. */
const MIN_BASELINE_POINTS = 5;

export class AgentRegistry implements SampleSink {
  private readonly swarmStates = new Map<string, SwarmState>();
  /** End of the newest closed step (the last step() call; before the first, one step before creation). */
  private lastStepEnd: number;
  private agentTotal = 0;
  private changeCount = 0;
  private ingestStamp = 0;
  private readonly scratch: Float64Array;
  readonly windowPoints: number;

  constructor(
    readonly limits: RegistryLimits,
    private readonly clock: Clock,
  ) {
    this.windowPoints = Math.max(2, Math.floor(limits.windowMs / limits.stepMs));
    this.scratch = new Float64Array(this.windowPoints);
    this.lastStepEnd = clock.now() - limits.stepMs;
  }

  /** Number of known agents across swarms. */
  get size(): number {
    return this.agentTotal;
  }

  /** Increments on every change of what /metrics shows. */
  get version(): number {
    return this.changeCount;
  }

  swarms(): IterableIterator<SwarmState> {
    return this.swarmStates.values();
  }

  swarm(name: string): SwarmState | undefined {
    return this.swarmStates.get(name);
  }

  get(swarm: string, agent: string): AgentRecord | undefined {
    return this.swarmStates.get(swarm)?.agents.get(agent);
  }

  *agents(): IterableIterator<AgentRecord> {
    for (const s of this.swarmStates.values()) yield* s.agents.values();
  }

  /** Finds or creates an agent; refuses a new one beyond agents.max_agents. */
  register(swarm: string, id: string): RegisterResult {
    let state = this.swarmStates.get(swarm);
    const existing = state?.agents.get(id);
    if (existing) return { ok: true, agent: existing };
    if (this.agentTotal >= this.limits.maxAgents) {
      return { ok: false, reason: `agent: max_agents (${this.limits.maxAgents}) reached; new agents are refused until others expire` };
    }
    if (!state) {
      // A new swarm's steps line up with everyone else's: they end where the last step ended.
      const timing = { stepMs: this.limits.stepMs, newestEnd: this.lastStepEnd, carryForward: this.limits.carryForwardSteps ?? 1 };
      state = { name: swarm, agents: new Map(), windows: new AlignedWindows(this.windowPoints, timing) };
      this.swarmStates.set(swarm, state);
    }
    const agent = new AgentRecord(swarm, id, this.clock.now());
    state.agents.set(id, agent);
    this.agentTotal += 1;
    this.changeCount += 1;
    return { ok: true, agent };
  }

  /** Heartbeat: registers or keeps the agent alive and applies metadata. */
  heartbeat(swarm: string, id: string, update: AgentMetadataUpdate): RegisterResult {
    const result = this.register(swarm, id);
    if (!result.ok) return result;
    const agent = result.agent;
    if (update.type !== undefined) agent.type = update.type;
    if (update.variant !== undefined) agent.variant = update.variant;
    if (update.capacity !== undefined) agent.capacity = update.capacity;
    if (update.labels !== undefined) agent.labels = update.labels;
    this.touch(agent);
    return result;
  }

  /**
   * Validates and stores samples; valid ones are kept whatever happens to the others. Accepts raw push
   * items too: fields are checked here, `swarm` defaults to "default" and `timestamp` to now.
   *
   * Hot path (every pushed sample): a known agent and series skip the name checks, since they were
   * checked when the agent and series were admitted.
   */
  ingest(samples: readonly (Sample | SampleLike)[], _source: IngestSource): RegistryIngestOutcome {
    const now = this.clock.now();
    const bounds = { now, windowMs: this.limits.windowMs };
    const errors: SampleRejection[] = [];
    let accepted = 0;
    let agentLimitRejections = 0;
    const stamp = ++this.ingestStamp;
    // Normally true; false only when a sample arrives in the very millisecond a step closed.
    const nowIsOpen = now > this.lastStepEnd;
    const touched: AgentRecord[] = [];
    // Batches usually carry several metrics of one agent in a row: remember the last agent resolved.
    let lastSwarm: unknown;
    let lastId: unknown;
    let lastAgent: AgentRecord | undefined;
    for (let index = 0; index < samples.length; index++) {
      const s: unknown = samples[index];
      if (typeof s !== 'object' || s === null || Array.isArray(s)) {
        errors.push({ index, reason: `sample: expected a sample object, got ${preview(s)}` });
        continue;
      }
      const { agent: id, metric, value } = s as SampleLike;
      const swarm = (s as SampleLike).swarm ?? DEFAULT_SWARM;
      const timestamp = (s as SampleLike).timestamp ?? now;
      let agent: AgentRecord | undefined;
      if (id === lastId && swarm === lastSwarm) agent = lastAgent;
      else if (typeof swarm === 'string' && typeof id === 'string') agent = this.swarmStates.get(swarm)?.agents.get(id);
      const held = agent !== undefined && typeof metric === 'string' ? agent.held(metric) : undefined;
      // Fast path: a known series, a finite in-range number, the default timestamp.
      // An untimestamped sample belongs to the open step, like one stamped after the newest closed step.
      if (
        held !== undefined &&
        agent !== undefined &&
        typeof value === 'number' &&
        value - value === 0 &&
        value >= held.min &&
        value <= held.max &&
        timestamp === now &&
        (nowIsOpen || (s as SampleLike).timestamp === undefined)
      ) {
        if (held.timestamp <= now) {
          held.value = value;
          held.timestamp = now;
          holdOpen(held.cell, value, now);
        }
        lastSwarm = swarm;
        lastId = id;
        lastAgent = agent;
        if (agent.ingestStamp !== stamp) {
          agent.ingestStamp = stamp;
          touched.push(agent);
        }
        accepted += 1;
        continue;
      }
      const problem =
        (held !== undefined
          ? undefined
          : ((agent ? undefined : (checkSwarm(swarm, 'swarm') ?? checkAgentId(id, 'agent'))) ?? checkMetricName(metric, 'metric'))) ??
        checkValue(metric as string, value, 'value') ??
        (timestamp === now ? undefined : checkTimestamp(timestamp, 'timestamp', bounds));
      if (problem !== undefined) {
        errors.push({ index, reason: problem });
        continue;
      }
      if (agent === undefined) {
        const registered = this.register(swarm as string, id as string);
        if (!registered.ok) {
          agentLimitRejections += 1;
          errors.push({ index, reason: registered.reason });
          continue;
        }
        agent = registered.agent;
      }
      lastSwarm = swarm;
      lastId = id;
      lastAgent = agent;
      let cell = held?.cell;
      if (cell === undefined) {
        const admitted = this.admitSeries(agent, metric as string);
        if (typeof admitted === 'string') {
          errors.push({ index, reason: admitted });
          continue;
        }
        cell = admitted;
      }
      const at = timestamp as number;
      // Stamped at or before the newest closed step: it goes into that step now (out of order, buffered
      // or backfilled); after it, or without a stamp, it waits in the held value for the next step.
      const open = at > this.lastStepEnd || (s as SampleLike).timestamp === undefined;
      if (!open) {
        const written = this.swarmStates.get(agent.swarm)?.windows.writePast(metric as string, agent.id, at, value as number);
        if (written === 'too-old') {
          errors.push({
            index,
            reason: `timestamp: expected within the analysis window (${Math.round(this.limits.windowMs / 1000)}s), got ${Math.round((now - at) / 1000)}s old: older than the oldest step kept`,
          });
          continue;
        }
      }
      agent.observe(metric as string, value as number, at, cell, open);
      if (agent.ingestStamp !== stamp) {
        agent.ingestStamp = stamp;
        touched.push(agent);
      }
      accepted += 1;
    }
    for (const agent of touched) this.touch(agent);
    if (accepted > 0) this.changeCount += 1;
    return { accepted, rejected: errors.length, errors, agentLimitRejections };
  }

  /**
   * One analysis step: expires agents silent for agents.expire_after, marks those silent for
   * agents.heartbeat_timeout as failed, closes the open step in every window (the newest observation
   * of the step; else the previous one for at most analysis.carry_forward steps; else a gap, NaN) and
   * re-evaluates health. Liveness follows the heartbeat timeout, not the windows.
   */
  step(): void {
    complete(this.stepInSlices());
  }

  /**
   * `step` in slices (analysis/sliced.ts). Expiry and closing the open step are one piece: ingest
   * sees the windows before the step or after it, never half-way. The health of the agents is then
   * re-evaluated WINDOWS_PER_SLICE at a time (each reads its latency window); the change count moves
   * once all of them are.
   */
  *stepInSlices(): Sliced<void> {
    const now = this.clock.now();
    const { expireAfterMs } = this.limits;
    const evaluate: SwarmState[] = [];
    for (const [name, state] of this.swarmStates) {
      for (const [id, agent] of state.agents) {
        if (now - agent.lastSeen > expireAfterMs) {
          state.agents.delete(id);
          state.windows.removeAgent(id);
          this.agentTotal -= 1;
        }
      }
      if (state.agents.size === 0) {
        this.swarmStates.delete(name);
        continue;
      }
      // The step closing now takes each series' observation of the open step, held in its cell by
      // ingest; the windows carry the previous one for at most analysis.carry_forward steps, then write gaps.
      state.windows.advance(undefined, now);
      evaluate.push(state);
    }
    this.lastStepEnd = Math.max(this.lastStepEnd, now);
    for (const state of evaluate) {
      let evaluated = 0;
      for (const agent of [...state.agents.values()]) {
        this.evaluate(agent, state.windows, now);
        evaluated += 1;
        if (evaluated % WINDOWS_PER_SLICE === 0) yield;
      }
    }
    this.changeCount += 1;
  }

  private touch(agent: AgentRecord): void {
    agent.lastSeen = Math.max(agent.lastSeen, this.clock.now());
    // A new or returning agent gets a status at once instead of at the next step.
    if (!agent.up || agent.health === undefined) {
      const state = this.swarmStates.get(agent.swarm);
      if (state) this.evaluate(agent, state.windows, this.clock.now());
    }
  }

  /** The new series' window cell, or why it is refused. */
  private admitSeries(agent: AgentRecord, metric: string): RingCell | string {
    const state = this.swarmStates.get(agent.swarm);
    if (state === undefined) return `agent: ${agent.id} has no swarm state`;
    if (!isCanonicalMetric(metric)) {
      if (agent.customMetricCount >= this.limits.maxCustomMetrics) {
        return `metric: max_custom_metrics (${this.limits.maxCustomMetrics}) reached for agent ${agent.id}; ${metric} refused`;
      }
      agent.customMetricCount += 1;
    }
    return state.windows.ensure(metric, agent.id);
  }

  private evaluate(agent: AgentRecord, windows: AlignedWindows, now: number): void {
    const ageMs = now - agent.lastSeen;
    agent.up = ageMs <= this.limits.heartbeatTimeoutMs;
    const scored = healthScore({
      errorRate: agent.value('error_rate'),
      responseTime: agent.value('response_time'),
      baselineResponseTime: this.baseline(windows, agent.id),
      cpuUsage: agent.value('cpu_usage'),
      memoryUsage: agent.value('memory_usage'),
      ageMs,
      heartbeatTimeoutMs: this.limits.heartbeatTimeoutMs,
    });
    if (!agent.up) {
      agent.health = { status: 'failed', score: 0, components: scored.components };
      return;
    }
    agent.health = { status: nextStatus(agent.health?.status, scored.score), score: scored.score, components: scored.components };
  }

  /** Median response time over the agent's window, NaN with too few points. */
  private baseline(windows: AlignedWindows, agent: string): number {
    if (!windows.view('response_time', agent)) return Number.NaN;
    const series = windows.chronological('response_time', agent, this.scratch);
    let n = 0;
    for (let i = 0; i < series.length; i++) {
      const v = series[i] ?? Number.NaN;
      if (!Number.isNaN(v)) series[n++] = v;
    }
    if (n < MIN_BASELINE_POINTS) return Number.NaN;
    return medianInPlace(series, n);
  }
}
