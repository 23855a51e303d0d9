// The simulated swarm's shape: agent ids, roles, capacities and the planner -> worker -> reviewer pipeline.
import type { Random } from './prng.js';

export const AGENT_ROLES = ['planner', 'worker', 'reviewer'] as const;
export type AgentRole = (typeof AGENT_ROLES)[number];

/** One simulated agent's fixed traits. */
export interface AgentSpec {
  readonly id: string;
  readonly type: AgentRole;
  /** Pipeline stage, 0 = entry. */
  readonly stage: number;
  /** Concurrent task slots, >= 1. */
  readonly capacity: number;
  /** Mean seconds one task occupies one slot, > 0. */
  readonly serviceTimeS: number;
  /**
   * Configuration version for A/B comparison: "v1", or "v2" for every other worker of the canary
   * experiment (20% faster); "" for a worker the scenario keeps out of the experiment (see
   * `enrolCanary`).
   */
  readonly variant: string;
}

export interface Pipeline {
  readonly agents: readonly AgentSpec[];
  /** Agent indices per stage, entry first; every stage is non-empty. */
  readonly stages: readonly (readonly number[])[];
}

/**
 * The demo's twelve agents, in pipeline order: planner alpha, workers beta … lambda, reviewer mu.
 * Twelve, not five: the canary experiment needs three agents a side outside the incidents (an
 * agent-level test has no p-value with fewer), and the correlated anomaly three agents of its own.
 */
export const DEMO_AGENT_IDS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'lambda',
  'mu',
] as const;

const GREEK = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'lambda',
  'mu',
  'nu',
  'xi',
  'omicron',
  'pi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'chi',
  'psi',
  'omega',
];

/** Agent ids: Greek letters when `greek` and they suffice, else "agent-0001" … zero-padded to the count. */
export function agentIds(count: number, greek: boolean): string[] {
  if (greek && count <= GREEK.length) return GREEK.slice(0, count);
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => `agent-${String(i + 1).padStart(width, '0')}`);
}

/** Seconds per task by role: planning is quick, the work itself slow, review in between. */
const SERVICE_TIME_S: Readonly<Record<AgentRole, number>> = { planner: 0.5, worker: 2, reviewer: 1 };
/** Mean worker slots; planner and reviewer capacity is derived so workers are the stage that matters. */
const WORKER_CAPACITY = 8;
/**
 * The canary variant's service time against the baseline: 20% faster, a clear win, so the pack's
 * VariantOutperforms (effect of at least 10%, p < 0.01 after Holm over the swarm's comparisons,
 * for 30 minutes) fires within one day with three agents a side.
 */
const CANARY_SERVICE_FACTOR = 0.8;
/** Planner and reviewer stages get this much more service rate than the worker stage. */
const EDGE_STAGE_HEADROOM = 1.3;

/**
 * Splits `ids` into a pipeline: ~10% planners, ~10% reviewers (at least one each from 3 agents
 * on), workers in between. Worker capacities vary ±25% around 8 slots (seeded), so load balance
 * matters; planner and reviewer capacities are sized so their stage has 1.3x the workers'
 * service rate, whatever the agent count.
 */
export function buildPipeline(ids: readonly string[], random: Random): Pipeline {
  const n = ids.length;
  if (n < 1) throw new RangeError('agents: expected at least 1');
  const edge = n >= 3 ? Math.max(1, Math.round(n * 0.1)) : 0;
  const planners = n === 2 ? 1 : edge;
  const reviewers = edge;
  const workers = n - planners - reviewers;

  const workerCaps = Array.from({ length: workers }, () => Math.max(2, Math.round(WORKER_CAPACITY * (0.75 + 0.5 * random()))));
  const workerRate = workerCaps.reduce((sum, c) => sum + c / SERVICE_TIME_S.worker, 0);
  const edgeCapacity = (role: AgentRole, count: number): number =>
    Math.max(1, Math.ceil((workerRate * EDGE_STAGE_HEADROOM * SERVICE_TIME_S[role]) / count));

  const agents: AgentSpec[] = [];
  const stages: number[][] = [];
  const add = (role: AgentRole, count: number, capacity: (i: number) => number): void => {
    if (count === 0) return;
    const stage: number[] = [];
    for (let i = 0; i < count; i += 1) {
      stage.push(agents.length);
      // A canary variant among the workers gives the A/B comparison something real to find.
      const canary = role === 'worker' && i % 2 === 1;
      agents.push({
        id: ids[agents.length] ?? `agent-${agents.length + 1}`,
        type: role,
        stage: stages.length,
        capacity: capacity(i),
        serviceTimeS: SERVICE_TIME_S[role] * (canary ? CANARY_SERVICE_FACTOR : 1),
        variant: canary ? 'v2' : 'v1',
      });
    }
    stages.push(stage);
  };
  add('planner', planners, () => edgeCapacity('planner', planners));
  add('worker', workers, (i) => workerCaps[i] ?? WORKER_CAPACITY);
  add('reviewer', reviewers, () => edgeCapacity('reviewer', reviewers));
  return { agents, stages };
}

/**
 * Keeps the workers in `excluded` out of the canary experiment (variant "") and splits the other
 * workers alternately into baseline "v1" and canary "v2" (20% faster). An incident on an agent of
 * the experiment would be read as a variant effect — or hide the real one: one saturated agent's
 * window mean outweighs a 20% difference in Welch's test on agent means — so the scenario's cast
 * stays outside it, as a real rollout keeps its canaries off a misbehaving host.
 */
export function enrolCanary(pipeline: Pipeline, excluded: ReadonlySet<number>): Pipeline {
  let enrolled = 0;
  const agents = pipeline.agents.map((agent, i): AgentSpec => {
    if (agent.type !== 'worker') return agent;
    const base = agent.variant === 'v2' ? agent.serviceTimeS / CANARY_SERVICE_FACTOR : agent.serviceTimeS;
    if (excluded.has(i)) return { ...agent, serviceTimeS: base, variant: '' };
    const canary = enrolled % 2 === 1;
    enrolled += 1;
    return { ...agent, serviceTimeS: base * (canary ? CANARY_SERVICE_FACTOR : 1), variant: canary ? 'v2' : 'v1' };
  });
  return { agents, stages: pipeline.stages };
}
