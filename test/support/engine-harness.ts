// A registry and an analysis engine on a manual clock, without HTTP: for cycle tests that need many
// steps or many runs (the scenario tests go through the real ingest path instead).
import { AnalysisEngine } from '../../src/analysis-cycle/analysis-engine.js';
import type { AnalysisMetrics } from '../../src/analysis-cycle/analysis-metrics.js';
import type { StreamingBudget } from '../../src/analysis-cycle/streaming-budget.js';
import type { SwarmAnalysis } from '../../src/analysis-cycle/swarm-analysis.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { AgentRegistry, type RegistryLimits } from '../../src/store/agent-registry.js';
import type { StepValues } from './swarm-driver.js';

export interface HarnessOptions {
  readonly stepMs?: number;
  readonly windowPoints?: number;
  readonly topPairs?: number;
  readonly maxLag?: number;
  readonly limits?: Partial<RegistryLimits>;
  readonly budget?: StreamingBudget;
  readonly metrics?: AnalysisMetrics;
  readonly pause?: () => Promise<void>;
  /** Forecast horizons (ms); default 5m, 15m, 1h (beyond a short window: not served). */
  readonly forecastHorizonsMs?: readonly number[];
  readonly scalingTargetUtilisation?: number;
}

export interface EngineHarness {
  readonly clock: ManualClock;
  readonly registry: AgentRegistry;
  readonly engine: AnalysisEngine;
  /** Ingests one step's values for `swarm`, runs one cycle, advances the clock one step. */
  step(values: StepValues, swarm?: string): Promise<SwarmAnalysis | undefined>;
}

export function engineHarness(options: HarnessOptions = {}): EngineHarness {
  const stepMs = options.stepMs ?? 1000;
  const windowPoints = options.windowPoints ?? 120;
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const registry = new AgentRegistry(
    {
      heartbeatTimeoutMs: 45_000,
      expireAfterMs: 600_000,
      maxAgents: 5000,
      maxCustomMetrics: 8,
      stepMs,
      windowMs: windowPoints * stepMs,
      ...options.limits,
    },
    clock,
  );
  const engine = new AnalysisEngine(
    registry,
    {
      stepMs,
      windowPoints: registry.windowPoints,
      topPairs: options.topPairs ?? 20,
      maxLag: options.maxLag ?? 10,
      anomalyThreshold: 3.5,
      forecastHorizonsMs: options.forecastHorizonsMs ?? [300_000, 900_000, 3_600_000],
      ...(options.scalingTargetUtilisation === undefined ? {} : { scalingTargetUtilisation: options.scalingTargetUtilisation }),
    },
    clock,
    options.metrics,
    options.pause ?? (() => Promise.resolve()),
    options.budget,
  );
  return {
    clock,
    registry,
    engine,
    async step(values, swarm = 'default') {
      const samples = Object.entries(values).flatMap(([agent, metrics]) =>
        Object.entries(metrics).map(([metric, value]) => ({ swarm, agent, metric, value })),
      );
      const outcome = registry.ingest(samples, 'push');
      if (outcome.rejected > 0) throw new Error(`rejected samples: ${JSON.stringify(outcome.errors.slice(0, 3))}`);
      await engine.cycle();
      clock.advance(stepMs);
      return engine.latest().get(swarm);
    },
  };
}
