// Runs a SwarmModel in real (or injected) time and pushes it to an exporter through the agent reporter.
import type { Clock } from '../model/clock.js';
import { systemClock } from '../model/clock.js';
import { AgentReporter } from '../client/reporter.js';
import type { DeliveryResult, ReporterEvent, ReporterStats } from '../client/reporter.js';
import { systemTimers } from '../client/timers.js';
import type { CancelTimer, Timers } from '../client/timers.js';
import { balancingMoves } from './coordination-payload.js';
import { SwarmModel } from './swarm-model.js';
import { renderSwarmPage, startExpositionServer } from './exposition-page.js';
import type { BalancingOutcome, SimEvent, StepFrame } from './swarm-model.js';
import type { AgentRole } from './topology.js';

export interface SimulatedSwarmOptions {
  /** Base URL of the exporter, e.g. "http://127.0.0.1:10464". */
  readonly target: string;
  /** "day", "steady" or "wave" (scenarios.ts). */
  readonly scenario: string;
  /** Agent count; default the scenario's (day: 5, steady: 100). */
  readonly agents?: number;
  /** Default 42. */
  readonly seed?: number;
  /** Swarm label of every agent. Default "demo". */
  readonly swarm?: string;
  /** Ingest bearer token. */
  readonly token?: string;
  /** Push interval and simulated step, ms, >= 10. Default 1000. */
  readonly stepMs?: number;
  /** Length of one phase unit, ms (the day's phases last 1–2 units). Default 45 000. */
  readonly phaseMs?: number;
  /** Pipeline hop delay, ms. Default 10 000. */
  readonly lagMs?: number;
  /**
   * Each agent heartbeats this often, ms (spread over the steps). Default 10 s, stretched to
   * 20 ms per agent for large swarms (5,000 agents: every 100 s, 50 heartbeats/s): their samples
   * already keep them alive, and heartbeats are one request each while samples share a batch.
   */
  readonly heartbeatMs?: number;
  /** Requests in flight at once across all agents. Default 8. */
  readonly maxConcurrentRequests?: number;
  /** Samples per `POST /api/v1/samples`. Default 1000. */
  readonly batchSize?: number;
  readonly clock?: Pick<Clock, 'now'>;
  readonly timers?: Timers;
  readonly fetch?: typeof fetch;
  /** One line per notable event (phases, failures, restarts, delivery trouble). */
  readonly log?: (message: string) => void;
  /**
   * "push" (default): agents push through the HTTP API. "scrape": nothing is pushed; the swarm is
   * served as one exposition page (`scrapeUrl`) for the exporter's scrape mode.
   */
  readonly transport?: 'push' | 'scrape';
  /**
   * Push mode: before playing live, play this much of the scenario (the end of the previous day)
   * at once and push it with past timestamps (one step apart, ending now), as any agent that
   * buffered its samples could, so the exporter's windows start full and the live day starts at
   * its first phase. 0 or absent: none.
   */
  readonly backfillMs?: number;
}

export interface SimulatedAgent {
  readonly id: string;
  readonly type: AgentRole;
  readonly capacity: number;
  readonly variant: string;
}

export interface SimulatorStatus {
  readonly scenario: string;
  readonly swarm: string;
  /** Steps played so far. */
  readonly steps: number;
  readonly cycle: number;
  readonly phase: string;
  readonly down: readonly string[];
  readonly reporter: ReporterStats;
}

/** A running simulated swarm. */
export interface SimulatedSwarm {
  readonly swarm: string;
  readonly scenario: string;
  readonly agents: readonly SimulatedAgent[];
  /** Restarts a down agent at once (the cross_system_healing reaction). False if it was up or unknown. */
  restartAgent(id: string): boolean;
  /** Applies a resource_balancing plan (docs/design.md#outgoing-task-deliveries `plan`; its `moves` are used). */
  applyBalancing(plan: unknown): BalancingOutcome;
  /** Ids of the agents that are down now. */
  downAgents(): string[];
  status(): SimulatorStatus;
  /** Agents whose registering heartbeat was answered at start-up (push mode; scrape mode: all). */
  readonly registered: number;
  /** The reporter's last delivery failure in words ("fetch failed: ECONNREFUSED"), if any. */
  lastFailure(): string | undefined;
  /** In scrape mode: the exposition page to scrape (agent label = agent id). */
  readonly scrapeUrl: string | undefined;
  /** Stops stepping, flushes what is buffered, and resolves when the reporter is done. Idempotent. */
  stop(): Promise<void>;
}

/** Reporter trouble is logged at most once per this many ms per kind, with a count of the rest. */
const LOG_EVERY_MS = 10_000;

/**
 * Starts a simulated swarm that pushes through the exporter's real HTTP API: it registers every
 * agent with a heartbeat (and resolves once those are answered or given up), then, every
 * `stepMs`, advances the model one step and records the up agents' eight canonical metrics;
 * samples go out in batches through `POST /api/v1/samples`. Down agents send nothing; an agent
 * that comes back heartbeats at once. Heartbeats are spread so each agent beats every
 * `heartbeatMs`, with at most one in flight per agent.
 */
export async function startSimulatedSwarm(options: SimulatedSwarmOptions): Promise<SimulatedSwarm> {
  const stepMs = options.stepMs ?? 1000;
  if (!(stepMs >= 10)) throw new RangeError(`stepMs: expected >= 10, got ${stepMs}`);
  const swarm = options.swarm ?? 'demo';
  const clock = options.clock ?? systemClock;
  const timers = options.timers ?? systemTimers;
  const log = options.log ?? (() => undefined);
  const model = new SwarmModel({
    scenario: options.scenario,
    ...(options.agents === undefined ? {} : { agents: options.agents }),
    seed: options.seed ?? 42,
    stepMs,
    phaseMs: options.phaseMs ?? 45_000,
    ...(options.lagMs === undefined ? {} : { lagMs: options.lagMs }),
  });
  const agents: SimulatedAgent[] = model.agents.map((a) => ({ id: a.id, type: a.type, capacity: a.capacity, variant: a.variant }));
  const metricsPerStep = agents.length * 8;
  let lastFailure: string | undefined;
  const logTrouble = troubleLogger(log, clock);
  const trouble = (event: ReporterEvent): void => {
    if (event.type === 'gave_up') lastFailure = `${event.route} failed after ${event.attempts} attempt(s): ${event.message}`;
    logTrouble(event);
  };
  const reporter = new AgentReporter({
    target: options.target,
    swarm,
    clock,
    timers,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    maxConcurrentRequests: options.maxConcurrentRequests ?? 8,
    // A step's samples leave together, shortly after the step; a few steps' worth may wait.
    batch: {
      maxSamples: options.batchSize ?? 1000,
      maxDelayMs: Math.min(250, stepMs / 2),
      maxBufferedSamples: Math.max(100_000, metricsPerStep * 4),
    },
    onEvent: trouble,
  });

  const heartbeatMs = options.heartbeatMs ?? Math.max(10_000, agents.length * 20);
  const heartbeatEvery = Math.max(1, Math.round(heartbeatMs / stepMs));
  const beating = new Set<string>();
  // Failures reach the log through the reporter's own events.
  const beat = (agent: SimulatedAgent): Promise<DeliveryResult> => {
    beating.add(agent.id);
    return reporter
      .heartbeat(agent.id, {
        type: agent.type,
        variant: agent.variant,
        capacity: agent.capacity,
        labels: { simulated: 'true', scenario: model.scenario.name },
      })
      .finally(() => beating.delete(agent.id));
  };
  /** A heartbeat, unless the agent's previous one is still in flight. */
  const heartbeat = (agent: SimulatedAgent): Promise<DeliveryResult> | undefined => (beating.has(agent.id) ? undefined : beat(agent));

  const scrape = options.transport === 'scrape';
  let last: StepFrame | undefined;
  const exposition = scrape ? await startExpositionServer(() => renderSwarmPage(last)) : undefined;
  log(
    `simulator: scenario ${model.scenario.name} (${model.scenario.description}), ${agents.length} agents in swarm ${swarm}, step ${stepMs} ms, ${exposition ? `serving ${exposition.url} for scraping` : `target ${options.target}`}`,
  );
  let registered = agents.length;
  if (!scrape) {
    // Nothing is in flight yet: every agent registers.
    const results = await Promise.all(agents.map((agent) => beat(agent)));
    registered = results.filter((r) => r.ok).length;
    log(`simulator: registered ${registered}/${agents.length} agents`);
  }

  const backfillSteps = scrape ? 0 : Math.floor((options.backfillMs ?? 0) / stepMs);
  if (backfillSteps > 0) {
    // The history is the end of the previous day, so that the live day starts at its first phase.
    const lead = (model.stepsPerCycle - (backfillSteps % model.stepsPerCycle)) % model.stepsPerCycle;
    for (let k = 0; k < lead; k += 1) model.step();
    const end = clock.now();
    for (let k = 0; k < backfillSteps; k += 1) {
      const frame = model.step();
      last = frame;
      const at = end - (backfillSteps - k) * stepMs;
      frame.agents.forEach((agentFrame, i) => {
        const agent = agents[i];
        if (agent !== undefined && agentFrame.up && agentFrame.metrics !== undefined) reporter.record(agent.id, agentFrame.metrics, at);
      });
    }
    await reporter.flush();
    const s = reporter.stats();
    log(
      `simulator: backfilled ${backfillSteps} steps (${Math.round((backfillSteps * stepMs) / 1000)} s of the scenario, up to phase ${last?.phase ?? '?'}) with timestamps: ${s.samplesAccepted} samples accepted, ${s.samplesRejected} rejected`,
    );
  }

  let stopped = false;
  let cancelTick: CancelTimer | undefined;
  let wasDown = new Set<string>();
  let startedAt = clock.now();
  let steps = 0;

  const tick = (): void => {
    if (stopped) return;
    try {
      const frame = model.step();
      last = frame;
      for (const event of frame.events) log(`simulator: ${describe(event)}`);
      const now = clock.now();
      const downNow = new Set<string>();
      frame.agents.forEach((agentFrame, i) => {
        const agent = agents[i];
        if (agent === undefined) return;
        if (!agentFrame.up || agentFrame.metrics === undefined) {
          downNow.add(agent.id);
          return;
        }
        if (scrape) return;
        reporter.record(agent.id, agentFrame.metrics, now);
        // Back from the dead, or its turn in the spread: heartbeat.
        if (wasDown.has(agent.id) || i % heartbeatEvery === frame.step % heartbeatEvery) void heartbeat(agent);
      });
      wasDown = downNow;
    } catch (error) {
      // Never let one bad step end the loop (docs/design.md#conventions 9).
      log(`simulator: step failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    steps += 1;
    schedule();
  };

  const schedule = (): void => {
    if (stopped) return;
    const now = clock.now();
    let nextAt = startedAt + steps * stepMs;
    // Far behind (a blocked event loop, a suspended laptop): start afresh instead of bursting.
    if (now - nextAt > 5 * stepMs) {
      startedAt = now - steps * stepMs;
      nextAt = now;
    }
    cancelTick = timers.schedule(Math.max(0, nextAt - now), tick);
  };

  startedAt = clock.now();
  tick();

  return {
    swarm,
    scenario: model.scenario.name,
    agents,
    scrapeUrl: exposition?.url,
    registered,
    restartAgent(id) {
      const restarted = model.restartAgent(id);
      if (restarted) log(`simulator: restarting ${id} on request`);
      return restarted;
    },
    applyBalancing(plan) {
      const moves = balancingMoves(plan);
      const outcome = model.applyBalancing(moves);
      log(
        `simulator: balancing plan applied: ${outcome.moves}/${moves.length} moves, ${outcome.movedTasks} queued tasks moved, router now weighs measured service rates`,
      );
      return outcome;
    },
    downAgents: () => model.downAgents(),
    lastFailure: () => lastFailure,
    status: () => ({
      scenario: model.scenario.name,
      swarm,
      steps,
      cycle: last?.cycle ?? 0,
      phase: last?.phase ?? '',
      down: model.downAgents(),
      reporter: reporter.stats(),
    }),
    async stop() {
      if (!stopped) {
        stopped = true;
        cancelTick?.();
        log('simulator: stopping, flushing buffered samples');
      }
      await reporter.stop();
      await exposition?.close();
    },
  };
}

function describe(event: SimEvent): string {
  switch (event.kind) {
    case 'phase':
      return `phase ${event.phase} (cycle ${event.cycle}): ${event.description}`;
    case 'bottleneck_started':
      return `${event.agent} is becoming a bottleneck`;
    case 'anomaly_started':
      return `correlated anomaly in ${event.agents.join(', ')}`;
    case 'anomaly_ended':
      return `correlated anomaly over in ${event.agents.join(', ')}`;
    case 'agent_failed':
      return `${event.agent} failed: no heartbeats, no samples`;
    case 'agent_restarted':
      return `${event.agent} is back (${event.by === 'script' ? 'restarted by the script' : 'restarted on request'})`;
    case 'balancing_applied':
      return `balancing: ${event.moves} moves, ${event.movedTasks} tasks moved`;
  }
}

/** Logs reporter trouble without flooding: one line per kind per LOG_EVERY_MS, with what was suppressed. */
function troubleLogger(log: (message: string) => void, clock: Pick<Clock, 'now'>): (event: ReporterEvent) => void {
  const lastAt = new Map<string, number>();
  const suppressed = new Map<string, number>();
  return (event) => {
    if (event.type === 'retry') return;
    const key = event.type === 'dropped' ? `dropped:${event.reason}` : `${event.type}:${event.route}`;
    const now = clock.now();
    const previous = lastAt.get(key);
    if (previous !== undefined && now - previous < LOG_EVERY_MS) {
      suppressed.set(key, (suppressed.get(key) ?? 0) + 1);
      return;
    }
    lastAt.set(key, now);
    const more = suppressed.get(key) ?? 0;
    suppressed.delete(key);
    const tail = more > 0 ? ` (+${more} similar)` : '';
    switch (event.type) {
      case 'gave_up':
        log(`simulator: ${event.route} push failed after ${event.attempts} attempt(s): ${event.message}${tail}`);
        return;
      case 'rejected':
        log(`simulator: exporter rejected ${event.rejected} sample(s), e.g. ${event.errors[0]?.reason ?? 'no reason given'}${tail}`);
        return;
      case 'dropped':
        log(`simulator: dropped ${event.samples} sample(s): ${event.reason}${tail}`);
        return;
    }
  };
}
