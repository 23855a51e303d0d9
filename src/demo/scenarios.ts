// Named simulator scenarios: the scripted phases of a "day" and flat profiles for load tests (data only).
import type { Pipeline } from './topology.js';

/** One scripted stretch of a scenario. Progress p runs from 0 (phase start) to 1 (end). */
export interface PhaseSpec {
  readonly name: string;
  /** One sentence for the log: what a viewer should notice. */
  readonly description: string;
  /** Length in phase units (`phaseMs` each), > 0. */
  readonly units: number;
  /** Demand multiplier at progress p; 1 = the worker stage half busy. */
  readonly load: (p: number) => number;
  /** Service-rate factor of the cast's bottleneck agent at progress p, in (0, 1]; absent = 1. */
  readonly bottleneck?: (p: number) => number;
  /** Progress window [from, to) during which the cast's anomaly agents spike together. */
  readonly anomaly?: { readonly from: number; readonly to: number };
  /** The cast's failing agent is down for the whole phase (unless restarted). */
  readonly failure?: boolean;
}

/** Which agents play the scripted parts, as indices into the pipeline's agents. */
export interface Cast {
  readonly bottleneck?: number;
  readonly anomaly: readonly number[];
  readonly failing?: number;
}

export interface ScenarioSpec {
  readonly name: string;
  readonly description: string;
  /** Agent count when the caller gives none. */
  readonly defaultAgents: number;
  readonly minAgents: number;
  /** Name agents alpha, beta, … when few enough; load tests use agent-0001 … */
  readonly greekIds: boolean;
  /** Played in order, then again from the first (a cycle). */
  readonly phases: readonly PhaseSpec[];
  cast(pipeline: Pipeline): Cast;
}

const noCast = (): Cast => ({ anomaly: [] });

const calm: PhaseSpec = {
  name: 'calm',
  description: 'night shift: light, even load',
  units: 1,
  load: () => 0.6,
};

const loadWave: PhaseSpec = {
  name: 'load_wave',
  description: 'morning rush: demand rises to 2.5x and falls; planners lead, workers and reviewers follow with a lag',
  units: 2,
  load: (p) => 0.6 + 0.9 * Math.sin(Math.PI * p),
};

/** Workers of a pipeline (its middle stage), or every agent when there is only one stage. */
function workersOf(pipeline: Pipeline): readonly number[] {
  const stages = pipeline.stages;
  return stages.length >= 3 ? (stages[1] ?? []) : (stages[stages.length - 1] ?? []);
}

const day: ScenarioSpec = {
  name: 'day',
  description: 'a scripted day compressed into minutes: calm, load wave, bottleneck, correlated anomaly, agent failure, recovery; loops',
  defaultAgents: 5,
  minAgents: 5,
  greekIds: true,
  phases: [
    calm,
    loadWave,
    {
      name: 'bottleneck',
      description: 'a slow dependency throttles one worker: its queue grows and its latency inflates while the router keeps feeding it',
      units: 2,
      load: () => 1,
      // Degrades over the first quarter of the phase to 30% of its service rate.
      bottleneck: (p) => 1 - 0.7 * Math.min(1, p / 0.25),
    },
    {
      name: 'correlated_anomaly',
      description: 'a shared tool backend hiccups: latency, errors and CPU spike in several workers in the same step',
      units: 1,
      load: () => 0.9,
      anomaly: { from: 0.3, to: 0.8 },
    },
    {
      name: 'failure',
      description: 'one worker crashes: no heartbeats, no samples; its peers absorb its load until it is restarted',
      // Long enough for the real detection path to win over the script: with the rules pack
      // (heartbeat_timeout 45s, AgentSwarmAgentDown for 1m, 15s scrape, 30s evaluation, 10s
      // group_wait) a healing task arrives 2.2-2.7 min after the crash; 5 units of 45 s are 3.75 min.
      units: 5,
      load: () => 0.9,
      failure: true,
    },
    {
      name: 'recovery',
      description: 'every agent is back; demand eases towards the night level',
      units: 1,
      load: (p) => 0.9 - 0.3 * p,
    },
  ],
  cast(pipeline) {
    const workers = workersOf(pipeline);
    const pick = (i: number): number | undefined => workers[Math.min(i, workers.length - 1)];
    const anomalyCount = Math.min(workers.length, Math.max(3, Math.ceil(workers.length * 0.3)));
    const bottleneck = pick(1);
    const failing = pick(2);
    return {
      anomaly: workers.slice(0, anomalyCount),
      ...(bottleneck === undefined ? {} : { bottleneck }),
      ...(failing === undefined ? {} : { failing }),
    };
  },
};

const steady: ScenarioSpec = {
  name: 'steady',
  description: 'constant demand with noise and no incidents: a load test baseline for any number of agents',
  defaultAgents: 100,
  minAgents: 1,
  greekIds: false,
  phases: [{ name: 'steady', description: 'constant demand', units: 1, load: () => 0.7 }],
  cast: noCast,
};

const wave: ScenarioSpec = {
  name: 'wave',
  description: 'calm then a load wave, repeated: correlated, lagged load without incidents',
  defaultAgents: 20,
  minAgents: 1,
  greekIds: false,
  phases: [calm, loadWave],
  cast: noCast,
};

export const SCENARIOS: Readonly<Record<string, ScenarioSpec>> = { day, steady, wave };

export function scenarioNames(): string[] {
  return Object.keys(SCENARIOS);
}

/** The scenario called `name`, or a RangeError naming the known ones. */
export function getScenario(name: string): ScenarioSpec {
  const spec = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (spec === undefined) throw new RangeError(`scenario: expected one of ${scenarioNames().join(', ')}, got ${JSON.stringify(name)}`);
  return spec;
}
