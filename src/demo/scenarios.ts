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
  /**
   * Progress window [from, to) during which the shared tool backend of the cast's anomaly agents
   * hiccups: it fails for HICCUP_ON_STEPS steps out of every HICCUP_PERIOD_STEPS (swarm-model.ts),
   * so the agents spike together again and again, each time with an abrupt onset.
   */
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
  /** Agents sharing one tool backend: their response times move together, and its hiccups spike them together. */
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

// Phase units are minutes of pack time (pack-timing.ts): at time scale 1 the day lasts 97 minutes
// and each incident lasts longer than the `for:` of the alert it should fire, plus detection.
const calm: PhaseSpec = {
  name: 'calm',
  description: 'night shift: light, even load',
  units: 3,
  load: () => 0.6,
};

const loadWave: PhaseSpec = {
  name: 'load_wave',
  description:
    'morning rush: demand rises to 3.25x (just below what the baseline workers can serve) and falls; planners lead, workers and reviewers follow with a lag; the forecast sees saturation coming',
  // A steady rise over three quarters of the phase (its constant trend carries the saturation
  // forecast, which looks one window ahead) a quick fall. The forecast's damped trend reaches
  // capacity within the window only while the window holds little but the flat night and the climb
  // (see the failure phase), and only over the last part of the climb. Measured live at the
  // end-to-end test's 1/24 with its 2 s step (the scaled `for:` is 12.5 s), the longest run in a
  // row: 20 s with the phase sized for a share of 0.3, 10 s at 0.35, 14 s at 0.35 with a climb over
  // 0.85 of the phase.
  units: unitsFor('AgentSwarmSaturationPredicted', 0.3),
  load: (p) => (p < 0.75 ? 0.6 + 1.35 * (p / 0.75) : 1.95 - 1.35 * ((p - 0.75) / 0.25)),
};

/** Workers of a pipeline (its middle stage), or every agent when there is only one stage. */
function workersOf(pipeline: Pipeline): readonly number[] {
  const stages = pipeline.stages;
  return stages.length >= 3 ? (stages[1] ?? []) : (stages[stages.length - 1] ?? []);
}

const day: ScenarioSpec = {
  name: 'day',
  description:
    'a scripted day that makes the rules pack act: calm, load wave, hot spot, bottleneck, correlated anomaly, agent failure, recovery; loops',
  // 1 planner, 10 workers, 1 reviewer: the cast takes four workers, the canary experiment the other
  // six (three a side, the least an agent-level test gives a p-value for). Fewer agents still play
  // the day, but the cast then overlaps the experiment and VariantOutperforms cannot fire.
  defaultAgents: 12,
  minAgents: 5,
  greekIds: true,
  phases: [
    calm,
    loadWave,
    {
      name: 'hot_spot',
      description:
        "sticky sessions pin most tasks on a few workers while their peers idle, and a reviewer's flaky tool fails a tenth of its calls",
      units: Math.max(unitsFor('AgentSwarmLoadImbalance'), unitsFor('AgentSwarmAgentDegraded')),
      load: () => 0.6,
      hotSpot: true,
      flaky: true,
    },
    {
      name: 'bottleneck',
      description: 'a slow dependency throttles one worker: its queue grows and its latency inflates while the router keeps feeding it',
      // The score's queue growth and latency are read over the whole window: they need about two
      // fifths of the phase to cross the alert bar, then the `for:` runs.
      units: unitsFor('AgentSwarmBottleneck', 0.6),
      // Demand rises smoothly (a step shared by every worker would itself be a correlated jump).
      load: (p) => 0.6 + 0.5 * Math.min(1, p / 0.3),
      // Degrades over the first tenth of the phase to 10% of its service rate.
      bottleneck: (p) => 1 - 0.9 * Math.min(1, p / 0.1),
    },
    {
      name: 'correlated_anomaly',
      description:
        'the tool backend three workers share hiccups again and again: latency, errors and CPU spike in those workers in the same steps',
      units: unitsFor('AgentSwarmCorrelatedAnomaly', 0.8),
      load: (p) => 1.1 - 0.2 * Math.min(1, p / 0.1),
      anomaly: { from: 0.1, to: 0.9 },
    },
    {
      name: 'failure',
      description:
        'one worker crashes: no heartbeats, no samples; its peers absorb its load until it is restarted, while demand eases towards the night level',
      // One more unit for the heartbeat timeout (45 s by default) before the agent counts as down.
      units: unitsFor('AgentSwarmAgentDown') + 1,
      // Demand eases to the night level over the first half of the phase, not in the recovery: the
      // next day's load wave starts 6 units after this phase, and its saturation forecast is fitted
      // over the whole window (30 units). A fall late in that window (the pipeline's 10 s lag a hop
      // is four units at 1/24) makes the fit prefer a damped trend whose reach falls short of
      // capacity. Measured live at 1/24 with the demo's backfilled window (the end of the previous
      // day), the forecast predicted saturation for at most 10 s in a row when demand eased in the
      // recovery (SaturationPredicted's scaled `for:` is 12.5 s), 20 s easing here.
      load: (p) => 0.9 - 0.3 * Math.min(1, p / 0.5),
      failure: true,
    },
    {
      name: 'recovery',
      description: 'every agent is back; demand stays at the night level',
      units: 3,
      // Flat: see the failure phase (a fall here would still be in the load wave's window).
      load: () => 0.6,
    },
  ],
  cast(pipeline) {
    const workers = workersOf(pipeline);
    const pick = (i: number): number | undefined => workers[Math.min(i, workers.length - 1)];
    // Three workers (a third from 10 on) share one tool backend: they move together all day and
    // its hiccups hit them at once. Placed after the bottleneck worker so that agent's long queue
    // (it drains slowly after its phase) does not bury their co-movement.
    const anomalyCount = Math.min(workers.length, Math.max(3, Math.ceil(workers.length * 0.3)));
    const from = Math.max(0, Math.min(2, workers.length - anomalyCount));
    const anomaly = workers.slice(from, from + anomalyCount);
    const bottleneck = pick(1);
    const failing = pick(2);
    // A quarter of the workers, at least one: enough for Jain's index to fall below 0.7 at any size.
    const hot = workers.slice(from, from + Math.max(1, Math.ceil(workers.length / 4)));
    const stages = pipeline.stages;
    const flaky = stages.length >= 3 ? stages[stages.length - 1]?.[0] : undefined;
    return {
      anomaly,
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
