// The analysis cycle: once per analysis.step, advance the registry's windows and analyse every swarm,
// then publish the new snapshots at once (readers never see a half-updated set).
import type { Clock } from '../model/clock.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import type { AnalysisMetrics } from './analysis-metrics.js';
import { SwarmAnalyzer, type AnalyzerSettings } from './swarm-analyzer.js';
import type { SwarmAnalysis } from './swarm-analysis.js';

export class AnalysisEngine {
  private readonly analyzers = new Map<string, SwarmAnalyzer>();
  private snapshots: ReadonlyMap<string, SwarmAnalysis> = new Map();

  constructor(
    private readonly registry: AgentRegistry,
    private readonly settings: AnalyzerSettings,
    private readonly clock: Clock,
    private readonly metrics?: AnalysisMetrics,
    /** Yields between swarms so one large cycle does not hold the event loop for all swarms. */
    private readonly yieldBetweenSwarms: () => Promise<void> = () => new Promise((resolve) => setImmediate(resolve)),
  ) {}

  /** The snapshots of the last completed cycle, by swarm. */
  latest(): ReadonlyMap<string, SwarmAnalysis> {
    return this.snapshots;
  }

  /** One step: registry windows, then every swarm's analysis. Never called concurrently (see startPeriodic). */
  async cycle(): Promise<void> {
    const started = this.clock.monotonic();
    this.registry.step();
    const next = new Map<string, SwarmAnalysis>();
    for (const swarm of [...this.registry.swarms()]) {
      let analyzer = this.analyzers.get(swarm.name);
      if (!analyzer) {
        analyzer = new SwarmAnalyzer(swarm.name, this.settings);
        this.analyzers.set(swarm.name, analyzer);
      }
      next.set(swarm.name, analyzer.analyze(swarm, this.clock.now()));
      await this.yieldBetweenSwarms();
    }
    for (const name of this.analyzers.keys()) if (!next.has(name)) this.analyzers.delete(name);
    this.snapshots = next;
    this.metrics?.observe((this.clock.monotonic() - started) / 1000, this.clock.now());
  }
}
