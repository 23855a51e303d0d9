// One scripted day of the embedded demo through a test exporter: the demo's model and analysis
// defaults, its embedded alerting at time scale 0.1, and the step loop (samples every simulated
// second, an analysis cycle and an alert evaluation every analysis step), shared by the demo tests.
import { expect } from 'vitest';
import { DemoAlertSource } from '../../../src/demo/demo-alerts.js';
import { PACK_HOLD_MS, holdMs, phaseUnitMs, type PackAlert } from '../../../src/demo/pack-timing.js';
import { SwarmModel, type StepFrame } from '../../../src/demo/swarm-model.js';
import { DEMO_DEFAULTS } from '../../../src/demo/demo-defaults.js';
import type { TestExporter } from '../../support/test-exporter.js';

export const TIME_SCALE = 0.1;
export const SIM_STEP_MS = 1000;
/** The demo's analysis step (DEMO_DEFAULTS['analysis.step']). */
export const ANALYSIS_STEP_MS = 2000;

/** The scripted day's swarm, seeded: the same day on every run. */
export function demoDayModel(): SwarmModel {
  return new SwarmModel({ scenario: 'day', seed: 42, stepMs: SIM_STEP_MS, phaseMs: phaseUnitMs(TIME_SCALE) });
}

/** startTestExporter overrides for the --demo analysis defaults, plus any further sections (e.g. `coordination`). */
export function demoExporterConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    analysis: {
      step: DEMO_DEFAULTS['analysis.step'],
      window: DEMO_DEFAULTS['analysis.window'],
      forecast_horizons: DEMO_DEFAULTS['analysis.forecast_horizons'],
    },
    agents: { heartbeat_timeout: DEMO_DEFAULTS['agents.heartbeat_timeout'], expire_after: '10m' },
    ...extra,
  };
}

export interface DemoDayOptions {
  /** The embedded alerting's log lines ("demo alert firing: …"). */
  readonly log?: (line: string) => void;
  /** Called after each analysis cycle and alert evaluation, with the simulation step index and its frame. */
  readonly afterAnalysis?: (k: number, frame: StepFrame) => Promise<void>;
}

/** Registers the model's agents, then plays one full cycle of the day through `ex` on its manual clock. */
export async function runDemoDay(ex: TestExporter, model: SwarmModel, options: DemoDayOptions = {}): Promise<void> {
  const holds = Object.fromEntries(Object.keys(PACK_HOLD_MS).map((a) => [a, holdMs(a as PackAlert, TIME_SCALE)]));
  const alerts = new DemoAlertSource({
    registry: ex.registry,
    analysis: () => ex.engine.latest(),
    target: ex.url,
    holdMs: holds,
    now: () => ex.clock.now(),
    log: options.log,
  });
  for (const a of model.agents)
    await ex.post(`/api/v1/agents/${a.id}/heartbeat`, { swarm: 'demo', type: a.type, capacity: a.capacity, variant: a.variant });

  const analysisEvery = ANALYSIS_STEP_MS / SIM_STEP_MS;
  for (let k = 0; k < model.stepsPerCycle; k += 1) {
    const frame = model.step();
    const samples = frame.agents.flatMap((a) =>
      a.up && a.metrics
        ? Object.entries(a.metrics).map(([metric, value]) => ({ swarm: 'demo', agent: a.id, metric, value, timestamp: ex.clock.now() }))
        : [],
    );
    if (samples.length > 0) expect((await ex.post('/api/v1/samples', { samples })).status).toBe(202);
    ex.clock.advance(SIM_STEP_MS);
    if ((k + 1) % analysisEvery !== 0) continue;
    await ex.engine.cycle();
    await alerts.evaluate();
    await options.afterAnalysis?.(k, frame);
  }
}
