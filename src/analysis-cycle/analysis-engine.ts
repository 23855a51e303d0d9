// The analysis cycle: once per analysis.step, advance the registry's windows and analyse every swarm,
// then publish the new snapshots at once (readers never see a half-updated set).
//
// The cycle shares the event loop with ingest, scrapes and the webhook: each swarm's analysis is a
// sliced computation (analysis/sliced.ts), and the engine lets the loop turn whenever a slice has run
// for SLICE_MS, and between swarms. A 5,000-agent cycle then delays a request by about one slice,
// not by the cycle (docs/performance.md#responsiveness-while-the-analysis-runs).
import type { Sliced } from '../analysis/sliced.js';
import type { Clock } from '../model/clock.js';
import { nextTurn, slicePauser } from '../runtime/slice-pauser.js';
import type { AgentRegistry } from '../store/agent-registry.js';
import type { AnalysisMetrics } from './analysis-metrics.js';
import { StreamingBudget } from './streaming-budget.js';
import { SwarmAnalyzer, type AnalyzerSettings } from './swarm-analyzer.js';
import type { SwarmAnalysis } from './swarm-analysis.js';

/** A cycle in which some swarms could not be analysed; the others were published. */
export class AnalysisCycleError extends Error {
  constructor(readonly failures: ReadonlyMap<string, unknown>) {
    const [first] = failures;
    super(
      `analysis failed for ${failures.size} swarm(s) (${[...failures.keys()].join(', ')}): ${first === undefined ? '' : String(first[1])}`,
      { cause: first?.[1] },
    );
    this.name = 'AnalysisCycleError';
  }
}

/**
 * Longest run of analysis between two turns of the event loop, ms (on the engine's monotonic clock):
 * a probe or a scrape waits at most about this long for the analysis. Shorter slices cost more turns
 * (a turn with nothing pending is a few microseconds; with work pending, that work runs).
 */
export const SLICE_MS = 3;

export class AnalysisEngine {
  private readonly analyzers = new Map<string, SwarmAnalyzer>();
  private snapshots: ReadonlyMap<string, SwarmAnalysis> = new Map();
  private running: Promise<void> = Promise.resolve();
  /** Shared by every swarm: the N² streaming states of all of them stay within it. */
  readonly budget: StreamingBudget;

  constructor(
    private readonly registry: AgentRegistry,
    private readonly settings: AnalyzerSettings,
    /** The exporter's clock (snapshot times; routes date their answers with it too). */
    readonly clock: Clock,
    private readonly metrics?: AnalysisMetrics,
    /**
     * Awaited between swarms and whenever a slice has run SLICE_MS, so a large cycle does not hold
     * the event loop (scrapes, pushes, Alertmanager webhooks) for more than a slice.
     */
    private readonly pause: () => Promise<void> = nextTurn,
    budget?: StreamingBudget,
  ) {
    this.budget = budget ?? new StreamingBudget();
  }

  /** The snapshots of the last completed cycle, by swarm. */
  latest(): ReadonlyMap<string, SwarmAnalysis> {
    return this.snapshots;
  }

  /**
   * One step: registry windows, then every swarm's analysis. Cycles never overlap: a call made while
   * one runs starts when it ends. A swarm whose analysis throws keeps its previous snapshot and
   * starts afresh next step; the others are published, then the cycle rejects with
   * AnalysisCycleError (and the last-success time is not moved).
   */
  cycle(): Promise<void> {
    const next = this.running.then(() => this.runCycle());
    this.running = next.catch(() => undefined);
    return next;
  }

  private async runCycle(): Promise<void> {
    const started = this.clock.monotonic();
    await this.inSlices(this.registry.stepInSlices());
    const next = new Map<string, SwarmAnalysis>();
    const failures = new Map<string, unknown>();
    const settings: AnalyzerSettings = { maxAgents: this.registry.limits.maxAgents, ...this.settings };
    for (const swarm of [...this.registry.swarms()]) {
      let analyzer = this.analyzers.get(swarm.name);
      if (!analyzer) {
        analyzer = new SwarmAnalyzer(swarm.name, settings, this.budget);
        this.analyzers.set(swarm.name, analyzer);
      }
      try {
        next.set(swarm.name, await this.inSlices(analyzer.analyze(swarm, this.clock.now())));
      } catch (error) {
        failures.set(swarm.name, error);
        const previous = this.snapshots.get(swarm.name);
        if (previous) next.set(swarm.name, previous);
        analyzer.dispose();
        this.analyzers.delete(swarm.name);
      }
      await this.pause();
    }
    for (const [name, analyzer] of [...this.analyzers]) {
      if (next.has(name)) continue;
      analyzer.dispose();
      this.analyzers.delete(name);
    }
    this.snapshots = next;
    this.metrics?.observeDuration((this.clock.monotonic() - started) / 1000);
    if (failures.size > 0) throw new AnalysisCycleError(failures);
    this.metrics?.markSuccess(this.clock.now());
  }

  /** Runs `work` to its end, pausing at the first safe point after each SLICE_MS of it. */
  private async inSlices<T>(work: Sliced<T>): Promise<T> {
    const pause = slicePauser(SLICE_MS, () => this.clock.monotonic(), this.pause);
    for (;;) {
      const step = work.next();
      if (step.done === true) return step.value;
      const turn = pause();
      if (turn !== undefined) await turn;
    }
  }
}
