// Named simulator scenarios: the scripted phases of a "day" and flat profiles for load tests (data only).
import type { Pipeline } from './topology.js';
import { unitsFor } from './pack-timing.js';

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
  /** Sticky routing pins most of the workers' tasks on the cast's hot agent (until a balancing plan). */
  readonly hotSpot?: boolean;
  /** The cast's flaky agent fails a tenth of its tasks more and answers slower (retries). */
  readonly flaky?: boolean;
}

/** Which agents play the scripted parts, as indices into the pipeline's agents. */
export interface Cast {
  readonly bottleneck?: number;
  readonly anomaly: readonly number[];
  readonly failing?: number;
  readonly hot?: readonly number[];
  readonly flaky?: number;
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

// Phase units are minutes of pack time (pack-timing.ts): at time scale 1 the day lasts 75 minutes
// and each incident lasts longer than the `for:` of the alert it should fire, plus detection.
const calm: PhaseSpec = {
  name: 'calm',
  description: 'night shift: light, even load',
  units: 3,
  load: () => 0.6,
};

const loadWave: PhaseSpec = {
  name: 'load_wave',
  description: 'morning rush: demand rises to 2.5x and falls; planners lead, workers and reviewers follow with a lag; the forecast sees saturation coming',
  // A slow rise over three quarters of the phase (it carries the saturation forecast), a quick fall.
  units: unitsFor('AgentSwarmSaturationPredicted', 0.5),
  load: (p) => (p < 0.75 ? 0.6 + 0.9 * Math.sin((Math.PI / 2) * (p / 0.75)) : 0.6 + 0.9 * Math.cos((Math.PI / 2) * ((p - 0.75) / 0.25))),
};

/** Workers of a pipeline (its middle stage), or every agent when there is only one stage. */
function workersOf(pipeline: Pipeline): readonly number[] {
  const stages = pipeline.stages;
  return stages.length >= 3 ? (stages[1] ?? []) : (stages[stages.length - 1] ?? []);
}

const day: ScenarioSpec = {
  name: 'day',
  description: 'a scripted day that makes the rules pack act: calm, load wave, hot spot, bottleneck, correlated anomaly, agent failure, recovery; loops',
  defaultAgents: 5,
  minAgents: 5,
  greekIds: true,
  phases: [
    calm,
    loadWave,
    {
      name: 'hot_spot',
      description: 'sticky sessions pin most tasks on a few workers while their peers idle, and a reviewer\'s flaky tool fails a tenth of its calls',
      units: Math.max(unitsFor('AgentSwarmLoadImbalance'), unitsFor('AgentSwarmAgentDegraded')),
      load: () => 0.6,
      hotSpot: true,
      flaky: true,
    },
    {
      name: 'bottleneck',
      description: 'a slow dependency throttles one worker: its queue grows and its latency inflates while the router keeps feeding it',
      units: unitsFor('AgentSwarmBottleneck'),
      load: () => 1.1,
      // Degrades over the first tenth of the phase to 20% of its service rate.
      bottleneck: (p) => 1 - 0.8 * Math.min(1, p / 0.1),
    },
    {
      name: 'correlated_anomaly',
      description: 'a shared tool backend hiccups: latency, errors and CPU spike in several workers in the same step',
      units: unitsFor('AgentSwarmCorrelatedAnomaly', 0.8),
      load: () => 0.9,
      anomaly: { from: 0.1, to: 0.9 },
    },
    {
      name: 'failure',
      description: 'one worker crashes: no heartbeats, no samples; its peers absorb its load until it is restarted',
      // One more unit for the heartbeat timeout (45 s by default) before the agent counts as down.
      units: unitsFor('AgentSwarmAgentDown') + 1,
      load: () => 0.9,
      failure: true,
    },
    {
      name: 'recovery',
      description: 'every agent is back; demand eases towards the night level',
      units: 3,
      load: (p) => 0.9 - 0.3 * p,
    },
  ],
  cast(pipeline) {
    const workers = workersOf(pipeline);
    const pick = (i: number): number | undefined => workers[Math.min(i, workers.length - 1)];
    const anomalyCount = Math.min(workers.length, Math.max(3, Math.ceil(workers.length * 0.3)));
    const bottleneck = pick(1);
    const failing = pick(2);
    // A quarter of the workers, at least one: enough for Jain's index to fall below 0.7 at any size.
    const hot = workers.slice(0, Math.max(1, Math.ceil(workers.length / 4)));
    const stages = pipeline.stages;
    const flaky = stages.length >= 3 ? stages[stages.length - 1]?.[0] : undefined;
    return {
      anomaly: workers.slice(0, anomalyCount),
      ...(bottleneck === undefined ? {} : { bottleneck }),
      ...(failing === undefined ? {} : { failing }),
      hot,
      ...(flaky === undefined ? {} : { flaky }),
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
