// The simulated swarm as a pure, seeded step function: queues, a lagged pipeline, scripted incidents (no I/O, no clock).
import type { CanonicalMetric } from '../model/canonical-metrics.js';
import { AGENT_LEVEL_MIN_AGENTS } from '../analysis-cycle/swarm-variants.js';
import { mulberry32, normalSource } from './prng.js';
import type { Cast, PhaseSpec, ScenarioSpec } from './scenarios.js';
import { getScenario } from './scenarios.js';
import { agentIds, buildPipeline, enrolCanary } from './topology.js';
import type { AgentRole, AgentSpec, Pipeline } from './topology.js';

export interface SwarmModelOptions {
  /** Scenario name (see scenarios.ts) or a spec. */
  readonly scenario: string | ScenarioSpec;
  /** Agent count, >= the scenario's minimum; default the scenario's own. */
  readonly agents?: number;
  /** Any integer; the same seed and the same calls give the same frames. Default 42. */
  readonly seed?: number;
  /** Simulated time between two frames, ms, > 0. */
  readonly stepMs: number;
  /** Length of one phase unit, ms (a phase lasts `units` of these), >= stepMs. */
  readonly phaseMs: number;
  /** Delay for work to travel from one pipeline stage to the next, ms, >= 0. Default 10 s. */
  readonly lagMs?: number;
}

/** Values of the eight canonical metrics, base units (docs/design.md#domain-model). */
export type CanonicalValues = Readonly<Record<CanonicalMetric, number>>;

export interface AgentFrame {
  readonly id: string;
  /** False while the agent is down: it sends neither heartbeats nor samples. */
  readonly up: boolean;
  /** Present when up. */
  readonly metrics?: CanonicalValues;
}

/** Something a viewer should know about, emitted on the step it happens. */
export type SimEvent =
  | { readonly kind: 'phase'; readonly phase: string; readonly cycle: number; readonly description: string }
  | { readonly kind: 'bottleneck_started'; readonly agent: string }
  | { readonly kind: 'anomaly_started'; readonly agents: readonly string[] }
  | { readonly kind: 'anomaly_ended'; readonly agents: readonly string[] }
  | { readonly kind: 'agent_failed'; readonly agent: string }
  | { readonly kind: 'agent_restarted'; readonly agent: string; readonly by: 'script' | 'request' }
  | { readonly kind: 'balancing_applied'; readonly movedTasks: number; readonly moves: number };

export interface StepFrame {
  /** 0-based frame number. */
  readonly step: number;
  /** Simulated ms since the start (step * stepMs). */
  readonly elapsedMs: number;
  /** 0-based number of completed passes through the scenario's phases. */
  readonly cycle: number;
  readonly phase: string;
  /** Position in the phase, [0, 1). */
  readonly progress: number;
  /** Demand multiplier in force. */
  readonly load: number;
  /** In pipeline order, one per agent, up or not. */
  readonly agents: readonly AgentFrame[];
  readonly events: readonly SimEvent[];
}

/** One move of a resource_balancing plan (docs/design.md#outgoing-task-deliveries): `load` tasks from one agent to another. */
export interface LoadMove {
  readonly from: string;
  readonly to: string;
  /** Tasks, > 0. */
  readonly load: number;
}

export interface BalancingOutcome {
  /** Queued tasks actually moved (a move cannot take more than the source has queued). */
  readonly movedTasks: number;
  /** Moves applied (both ends known and up). */
  readonly moves: number;
}

interface PhaseSlot {
  readonly spec: PhaseSpec;
  readonly start: number;
  readonly length: number;
}

/** Share of time spent coordinating, by role, at rest: planners talk most. */
const ROLE_COORDINATION: Readonly<Record<AgentRole, number>> = { planner: 0.35, worker: 0.12, reviewer: 0.22 };
/** Demand 1.0 keeps the worker stage half busy, so the peak of the wave (3.25x calm, 1.95) nearly saturates the baseline workers. */
const BASE_WORKER_UTILISATION = 0.5;
/** Seconds of slower answers after a restart (cold caches). */
const WARMUP_S = 20;
/**
 * Sticky sessions in a hot-spot phase: the hot quarter of the workers gets this share of the work.
 * Enough for Jain's index to fall well below 0.7, not so much that the cold workers idle: their
 * return to a normal share would be one shared ten-fold jump, which the analysis rightly reads
 * as a correlated anomaly of every cold worker.
 */
const HOT_SPOT_SHARE = 0.7;
/** Extra share of failed tasks of the flaky agent: enough for `degraded` health, not `critical`. */
const FLAKY_ERROR_RATE = 0.1;
/** Normal draws per agent per step, taken whether the agent is up or not so streams never shift. */
const DRAWS_PER_AGENT = 7;
/**
 * The anomaly agents' shared tool backend: each call waits this long on average, ± the jitter (s.d.,
 * one draw per step for all of them). The jitter is what makes their step-to-step changes move
 * together (r ≈ 0.75 on response time) outside the incident — the sustained co-movement a
 * correlated anomaly needs besides simultaneity (analysis/anomaly-clusters.ts).
 */
const BACKEND_LATENCY_S = 0.5;
const BACKEND_JITTER_S = 0.2;
/**
 * Hiccups: the backend fails for HICCUP_ON_STEPS steps out of every HICCUP_PERIOD_STEPS while the
 * phase's anomaly window lasts. Each failure starts abruptly, and a new one starts every eight
 * simulator steps (four 2 s analysis steps), so the analysis always finds a recent simultaneous onset
 * (it searches the last five of its steps) and the cluster holds for the whole window, not just its
 * first seconds. On and off last two analysis steps each, so whichever of a step's two simulator
 * samples the window keeps (the newest by timestamp), the analysis sees on, on, off, off: with one
 * step off in four, a window that keeps every second sample could miss the off step, and then the
 * onsets, entirely.
 */
export const HICCUP_PERIOD_STEPS = 8;
export const HICCUP_ON_STEPS = 4;

/** Agents a side the canary experiment needs for an agent-level p-value (swarm-variants.ts). */
const CANARY_SIDE_MIN = AGENT_LEVEL_MIN_AGENTS;
/** Relative s.d. of an agent's reported throughput per step (its own counting noise). */
const THROUGHPUT_NOISE = 0.05;
/** Relative s.d. of the aggregate demand per step. */
const DEMAND_NOISE = 0.01;

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);
const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * A swarm whose agents serve tasks through a planner -> worker -> reviewer pipeline.
 *
 * Each step, external demand enters the first stage; each agent's queue gains its routed share
 * and loses what its slots complete (capacity / service time per second); completed work reaches
 * the next stage `lagMs` later, so downstream agents follow upstream load with a lag. Reported
 * metrics follow from the state: utilisation drives CPU and active tasks, waiting time (queue /
 * service rate, Little's law) inflates response time, saturation and queue pressure raise errors.
 * The scenario's script degrades one agent (bottleneck), spikes several at once (correlated
 * anomaly) and takes one down (failure) until the script or `restartAgent` brings it back.
 */
export class SwarmModel {
  readonly scenario: ScenarioSpec;
  readonly pipeline: Pipeline;
  readonly stepMs: number;
  readonly cast: Cast;

  private readonly normal: () => number;
  private readonly slots: readonly PhaseSlot[];
  private readonly cycleSteps: number;
  private readonly lagSteps: number;
  /** External arrivals per second at demand 1.0. */
  private readonly baseRate: number;
  private readonly queue: Float64Array;
  private readonly down: Uint8Array;
  private readonly warmupLeft: Float64Array;
  /** Inputs in transit to each stage (tasks/s), oldest first; stage 0 has none. */
  private readonly transit: number[][];
  private readonly ids: ReadonlyMap<string, number>;
  /** Agents calling the shared tool backend (the cast's anomaly agents). */
  private readonly backend: ReadonlySet<number>;
  private adaptiveRouting = false;
  private pendingEvents: SimEvent[] = [];
  private stepIndex = 0;
  private lastPhaseKey = -1;
  private anomalyActive = false;

  constructor(options: SwarmModelOptions) {
    this.scenario = typeof options.scenario === 'string' ? getScenario(options.scenario) : options.scenario;
    const count = options.agents ?? this.scenario.defaultAgents;
    if (!Number.isInteger(count) || count < this.scenario.minAgents) {
      throw new RangeError(`agents: scenario ${this.scenario.name} expects an integer >= ${this.scenario.minAgents}, got ${count}`);
    }
    if (!(options.stepMs > 0)) throw new RangeError(`stepMs: expected > 0, got ${options.stepMs}`);
    if (!(options.phaseMs >= options.stepMs))
      throw new RangeError(`phaseMs: expected >= stepMs (${options.stepMs}), got ${options.phaseMs}`);
    const lagMs = options.lagMs ?? 10_000;
    if (!(lagMs >= 0)) throw new RangeError(`lagMs: expected >= 0, got ${lagMs}`);

    const seed = options.seed ?? 42;
    // Two independent streams: the topology must not change when the noise model does.
    const built = buildPipeline(agentIds(count, this.scenario.greekIds), mulberry32(seed ^ 0x5eed1e55));
    this.normal = normalSource(mulberry32(seed));
    this.stepMs = options.stepMs;
    this.cast = this.scenario.cast(built);
    const c = this.cast;
    const incidents = new Set([
      ...c.anomaly,
      ...(c.hot ?? []),
      ...(c.bottleneck === undefined ? [] : [c.bottleneck]),
      ...(c.failing === undefined ? [] : [c.failing]),
    ]);
    // Keep the cast out of the canary experiment when enough workers remain for three a side;
    // a smaller swarm enrols every worker (its variant series exist, without an agent-level p-value).
    const free = built.agents.filter((a, i) => a.type === 'worker' && !incidents.has(i)).length;
    this.pipeline = enrolCanary(built, free >= 2 * CANARY_SIDE_MIN ? incidents : new Set());
    this.backend = new Set(c.anomaly);

    const stepsPerUnit = options.phaseMs / options.stepMs;
    let start = 0;
    this.slots = this.scenario.phases.map((spec) => {
      const length = Math.max(1, Math.round(spec.units * stepsPerUnit));
      const slot = { spec, start, length };
      start += length;
      return slot;
    });
    this.cycleSteps = start;
    this.lagSteps = Math.round(lagMs / options.stepMs);

    const stages = this.pipeline.stages;
    const workerStage = stages.length >= 3 ? (stages[1] ?? []) : (stages[stages.length - 1] ?? []);
    const workerRate = workerStage.reduce((sum, i) => sum + this.nominalRate(this.agent(i)), 0);
    this.baseRate = BASE_WORKER_UTILISATION * workerRate;

    const n = this.pipeline.agents.length;
    this.queue = new Float64Array(n);
    this.down = new Uint8Array(n);
    this.warmupLeft = new Float64Array(n);
    const firstLoad = this.slots[0]?.spec.load(0) ?? 1;
    // Start in equilibrium: the pipe already carries the first phase's demand.
    this.transit = stages.map((_, s) => (s === 0 ? [] : new Array<number>(this.lagSteps).fill(this.baseRate * firstLoad)));
    this.ids = new Map(this.pipeline.agents.map((a, i) => [a.id, i]));
  }

  /** The agents, in pipeline order. */
  get agents(): readonly AgentSpec[] {
    return this.pipeline.agents;
  }

  /** Steps in one pass through every phase. */
  get stepsPerCycle(): number {
    return this.cycleSteps;
  }

  /** Phase names with their first step and length in steps. */
  get schedule(): ReadonlyArray<{ readonly phase: string; readonly start: number; readonly length: number }> {
    return this.slots.map((s) => ({ phase: s.spec.name, start: s.start, length: s.length }));
  }

  /** True while `id` is down. */
  isDown(id: string): boolean {
    const i = this.ids.get(id);
    return i !== undefined && this.down[i] === 1;
  }

  /** Ids of agents that are down now. */
  downAgents(): string[] {
    return this.pipeline.agents.filter((_, i) => this.down[i] === 1).map((a) => a.id);
  }

  /**
   * Brings a down agent back now (an orchestrator's restart): empty queue and a short warm-up.
   * The script fails an agent only when a failure phase begins, so it stays up for the rest of
   * the phase. Returns false if it was not down.
   */
  restartAgent(id: string): boolean {
    const i = this.ids.get(id);
    if (i === undefined || this.down[i] === 0) return false;
    this.pendingEvents.push(this.bringUp(i, 'request'));
    return true;
  }

  /**
   * Applies a resource_balancing plan: each move shifts up to `load` queued tasks from `from` to
   * `to` (work in progress cannot move), and the router switches from capacity weights to
   * measured service rates until the phase ends, so the slow agent stops piling up.
   */
  applyBalancing(moves: readonly LoadMove[]): BalancingOutcome {
    let movedTasks = 0;
    let applied = 0;
    for (const move of moves) {
      const from = this.ids.get(move.from);
      const to = this.ids.get(move.to);
      if (from === undefined || to === undefined || from === to || this.down[from] === 1 || this.down[to] === 1) continue;
      if (!(move.load > 0) || !Number.isFinite(move.load)) continue;
      const amount = Math.min(move.load, this.queue[from] ?? 0);
      this.queue[from] = (this.queue[from] ?? 0) - amount;
      this.queue[to] = (this.queue[to] ?? 0) + amount;
      movedTasks += amount;
      applied += 1;
    }
    this.adaptiveRouting = true;
    const outcome = { movedTasks: round4(movedTasks), moves: applied };
    this.pendingEvents.push({ kind: 'balancing_applied', ...outcome });
    return outcome;
  }

  /** Advances one step and reports every agent's state. */
  step(): StepFrame {
    const k = this.stepIndex;
    this.stepIndex += 1;
    const cycle = Math.floor(k / this.cycleSteps);
    const position = k - cycle * this.cycleSteps;
    let phaseIndex = this.slots.length - 1;
    for (let p = 0; p < this.slots.length; p += 1) {
      const slot = this.slots[p];
      if (slot !== undefined && position < slot.start + slot.length) {
        phaseIndex = p;
        break;
      }
    }
    const slot = this.slots[phaseIndex] as PhaseSlot;
    const spec = slot.spec;
    const progress = (position - slot.start) / slot.length;
    const events = this.pendingEvents;
    this.pendingEvents = [];

    this.enterPhase(cycle * this.slots.length + phaseIndex, cycle, spec, events);
    const anomalyWindow = spec.anomaly !== undefined && progress >= spec.anomaly.from && progress < spec.anomaly.to;
    this.trackAnomaly(anomalyWindow, events);
    const windowStep = position - slot.start - Math.ceil((spec.anomaly?.from ?? 0) * slot.length);
    const hiccup = anomalyWindow && windowStep % HICCUP_PERIOD_STEPS < HICCUP_ON_STEPS;
    const anomalous = new Set(hiccup ? this.cast.anomaly : []);
    const bottleneckFactor = spec.bottleneck?.(progress) ?? 1;

    const dt = this.stepMs / 1000;
    const load = Math.max(0, spec.load(progress));
    // Aggregate demand wobbles by 1 %; each agent's own arrivals and completions are noisier (2 %), so
    // agents of one stage are coupled by their shared input but their changes are mostly their own.
    const demand = Math.max(0, this.baseRate * load * (1 + DEMAND_NOISE * this.normal()));
    const n = this.pipeline.agents.length;
    const draws = new Float64Array(n * DRAWS_PER_AGENT);
    for (let j = 0; j < draws.length; j += 1) draws[j] = this.normal();
    const backendS = Math.max(0.05, BACKEND_LATENCY_S + BACKEND_JITTER_S * this.normal());

    const frames = new Array<AgentFrame>(n);
    const stages = this.pipeline.stages;
    for (let s = 0; s < stages.length; s += 1) {
      const members = stages[s] ?? [];
      const input = s === 0 ? demand : this.takeTransit(s);
      const weights = members.map((i) => this.routingWeight(i, i === this.cast.bottleneck ? bottleneckFactor : 1, anomalous.has(i)));
      if (spec.hotSpot === true && !this.adaptiveRouting) this.pinHotSpot(members, weights);
      const totalWeight = weights.reduce((a, b) => a + b, 0);
      let stageOut = 0;
      members.forEach((i, m) => {
        const agent = this.agent(i);
        if (this.down[i] === 1) {
          frames[i] = { id: agent.id, up: false };
          return;
        }
        const share = totalWeight > 0 ? (weights[m] ?? 0) / totalWeight : 0;
        const flaky = spec.flaky === true && i === this.cast.flaky;
        const result = this.serve(
          i,
          input * share * dt,
          dt,
          i === this.cast.bottleneck ? bottleneckFactor : 1,
          anomalous.has(i),
          flaky,
          this.backend.has(i) ? backendS : 0,
          draws,
          i * DRAWS_PER_AGENT,
        );
        stageOut += result.delivered / dt;
        frames[i] = { id: agent.id, up: true, metrics: result.metrics };
      });
      if (s + 1 < stages.length) this.pushTransit(s + 1, stageOut);
    }

    return { step: k, elapsedMs: k * this.stepMs, cycle, phase: spec.name, progress, load, agents: frames, events };
  }

  // --- internals -------------------------------------------------------------------------------

  private agent(i: number): AgentSpec {
    return this.pipeline.agents[i] as AgentSpec;
  }

  /** Tasks per second the agent completes when healthy. */
  private nominalRate(agent: AgentSpec): number {
    return agent.capacity / agent.serviceTimeS;
  }

  /** Router weight: capacity by default (a static balancer); the live service rate after balancing. */
  private routingWeight(i: number, factor: number, anomalous: boolean): number {
    if (this.down[i] === 1) return 0;
    const agent = this.agent(i);
    if (!this.adaptiveRouting) return agent.capacity;
    return this.nominalRate(agent) * factor * (anomalous ? 0.6 : 1);
  }

  /** Sticky sessions: the stage's hot agents get HOT_SPOT_SHARE of its work, by capacity among them. */
  private pinHotSpot(members: readonly number[], weights: number[]): void {
    const hot = new Set(this.cast.hot ?? []);
    let hotWeight = 0;
    let coldWeight = 0;
    members.forEach((i, m) => {
      if (hot.has(i)) hotWeight += weights[m] ?? 0;
      else coldWeight += weights[m] ?? 0;
    });
    if (hotWeight === 0 || coldWeight === 0) return;
    members.forEach((i, m) => {
      weights[m] = (weights[m] ?? 0) * (hot.has(i) ? HOT_SPOT_SHARE / hotWeight : (1 - HOT_SPOT_SHARE) / coldWeight);
    });
  }

  /** The previous stage pushed this step's output before this call: with L prefilled, shift yields output(k - L). */
  private takeTransit(stage: number): number {
    return this.transit[stage]?.shift() ?? 0;
  }

  private pushTransit(stage: number, value: number): void {
    (this.transit[stage] ?? []).push(value);
  }

  private enterPhase(key: number, cycle: number, spec: PhaseSpec, events: SimEvent[]): void {
    if (key === this.lastPhaseKey) return;
    this.lastPhaseKey = key;
    // A new incident: the router forgets the balancing it was told to apply for the last one.
    this.adaptiveRouting = false;
    events.push({ kind: 'phase', phase: spec.name, cycle, description: spec.description });
    const failing = this.cast.failing;
    // Leaving a failure phase: the script restarts whoever it took down.
    for (let i = 0; i < this.down.length; i += 1) {
      if (this.down[i] === 1 && !(spec.failure === true && i === failing)) events.push(this.bringUp(i, 'script'));
    }
    if (spec.failure === true && failing !== undefined && this.down[failing] === 0) {
      this.down[failing] = 1;
      this.queue[failing] = 0;
      events.push({ kind: 'agent_failed', agent: this.agent(failing).id });
    }
    if (spec.bottleneck !== undefined && this.cast.bottleneck !== undefined) {
      events.push({ kind: 'bottleneck_started', agent: this.agent(this.cast.bottleneck).id });
    }
  }

  private trackAnomaly(on: boolean, events: SimEvent[]): void {
    if (on === this.anomalyActive) return;
    this.anomalyActive = on;
    const agents = this.cast.anomaly.map((i) => this.agent(i).id);
    events.push(on ? { kind: 'anomaly_started', agents } : { kind: 'anomaly_ended', agents });
  }

  private bringUp(i: number, by: 'script' | 'request'): SimEvent {
    this.down[i] = 0;
    this.queue[i] = 0;
    this.warmupLeft[i] = WARMUP_S;
    return { kind: 'agent_restarted', agent: this.agent(i).id, by };
  }

  /**
   * One agent's step: `arrivals` tasks join its queue, its slots complete what they can, and the
   * metrics follow. `factor` scales the service rate (bottleneck), `anomalous` adds the spike,
   * `backendS` is the shared tool backend's wait of this step (0 for agents that do not call it).
   * Returns the tasks passed downstream (completed minus failed) and the reported values.
   */
  private serve(
    i: number,
    arrivals: number,
    dt: number,
    factor: number,
    anomalous: boolean,
    flaky: boolean,
    backendS: number,
    draws: Float64Array,
    d: number,
  ): { delivered: number; metrics: CanonicalValues } {
    const agent = this.agent(i);
    const spike = anomalous ? 1 : 0;
    const speed = factor * (anomalous ? 0.6 : 1);
    const rate = this.nominalRate(agent) * speed;
    const backlog = (this.queue[i] ?? 0) + arrivals;
    const capacityThisStep = rate * dt;
    const completed = Math.min(backlog, capacityThisStep);
    const queue = backlog - completed;
    this.queue[i] = queue;
    const utilisation = capacityThisStep > 0 ? completed / capacityThisStep : 0;

    const warm = this.warmupLeft[i] ?? 0;
    const warmup = warm > 0 ? warm / WARMUP_S : 0;
    this.warmupLeft[i] = Math.max(0, warm - dt);

    const noise = (j: number): number => draws[d + j] ?? 0;
    const pressure = queue / (queue + 10 * agent.capacity);
    const serviceTime = (agent.serviceTimeS / speed) * (1 + 2 * spike) * (1 + 0.8 * warmup) * (flaky ? 1.3 : 1);
    const waiting = rate > 0 ? queue / rate : 0;
    const errorRate = clamp01(
      0.004 +
        (0.02 * Math.max(0, utilisation - 0.8)) / 0.2 +
        0.05 * pressure +
        0.002 * Math.abs(noise(4)) +
        0.18 * spike +
        (flaky ? FLAKY_ERROR_RATE : 0),
    );

    const metrics: CanonicalValues = {
      cpu_usage: round4(clamp01(0.08 + 0.8 * utilisation + 0.02 * noise(0) + 0.25 * spike + 0.1 * warmup)),
      memory_usage: round4(clamp01(0.3 + 0.3 * (queue / (queue + 4 * agent.capacity)) + 0.1 * utilisation + 0.01 * noise(1))),
      response_time: round4(
        Math.max(0.001, serviceTime * (1 + 0.25 * utilisation * utilisation) * Math.exp(0.05 * noise(2)) + waiting + backendS),
      ),
      // Tasks finished within one step are a count: at a few per second it varies by several percent
      // from step to step, on each agent independently.
      throughput: round4(Math.max(0, (completed / dt) * (1 + THROUGHPUT_NOISE * noise(3)))),
      error_rate: round4(errorRate),
      queue_depth: Math.round(queue),
      active_tasks: Math.min(agent.capacity, Math.max(0, Math.round(utilisation * agent.capacity + 0.3 * noise(5)))),
      coordination_load: round4(clamp01(ROLE_COORDINATION[agent.type] + 0.1 * utilisation + 0.02 * noise(6) + 0.2 * spike)),
      // Each completed task is handed on and acknowledged; coordinating roles also chatter.
      messages_per_second: round4(Math.max(0, (completed / dt) * (2 + 10 * ROLE_COORDINATION[agent.type]) * (1 + 0.02 * noise(6)))),
    };
    return { delivered: completed * (1 - errorRate), metrics };
  }
}
