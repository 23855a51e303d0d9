// Query mode: evaluates one PromQL expression per metric each step and delivers the per-agent series.
import type { Registry } from '../../runtime/prom.js';
import type { Clock } from '../../model/clock.js';
import type { Logger } from '../../runtime/logger.js';
import { startPeriodic, type PeriodicTask } from '../../runtime/periodic.js';
import type { Sample, SampleSink } from '../../model/sample.js';
import { ScrapeMetrics } from '../scrape/scrape-metrics.js';
import { PrometheusApi, type QueryOutcome } from './prometheus-api.js';
import type { QueryConfig } from '../../config/query-config.js';
import { seriesToSamples } from './series-to-samples.js';

/** Prometheus refuses range queries beyond 11,000 points per series; stay under it. */
const MAX_POINTS_PER_RANGE = 10_000;
/** Samples per sink call, so a large backfill does not build one huge batch. */
const INGEST_CHUNK = 10_000;

export interface QueryReaderOptions {
  readonly config: QueryConfig;
  /** Evaluation step in ms: `query.step`, else `analysis.step`. */
  readonly stepMs: number;
  /** History loaded at start in ms: `query.backfill`, else `analysis.window`; 0 = none. */
  readonly backfillMs: number;
  /**
   * Longest gap caught up after an outage, in ms: `analysis.window` (older points would fall out
   * of the aligned windows anyway).
   */
  readonly windowMs: number;
  /** Resolved request headers (custom + auth), see upstreamHeaders(). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface QueryReaderDeps {
  readonly sink: SampleSink;
  readonly metricsRegistry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fetchImpl?: typeof fetch;
}

/** Result of one evaluation round, for tests and logs. */
export interface RoundReport {
  /** Evaluation time (aligned to the step), ms. */
  readonly timeMs: number;
  readonly delivered: number;
  /** Metrics whose query failed this round. */
  readonly failed: readonly string[];
}

/**
 * Reads canonical metrics from a Prometheus-compatible API. At start it backfills the window
 * with query_range; then each step it evaluates every query at the step-aligned time with
 * /api/v1/query. A metric whose previous evaluations failed is caught up with one range query
 * when the upstream answers again. When the upstream fails nothing is delivered — a missing
 * value is never turned into 0 — `agentswarm_scrape_target_up{target=<url>}` drops to 0 and the
 * problem is logged once until it changes.
 */
export class QueryReader {
  private readonly api: PrometheusApi;
  private readonly metrics: ScrapeMetrics;
  private readonly log: Logger;
  /** Metric → aligned time of its last successful evaluation. */
  private readonly lastSuccess = new Map<string, number>();
  private readonly lastProblem = new Map<string, string>();
  private lastEvaluated = -Infinity;
  private loop: PeriodicTask | undefined;

  constructor(
    private readonly options: QueryReaderOptions,
    private readonly deps: QueryReaderDeps,
  ) {
    this.log = deps.logger.child({ component: 'query', upstream: options.config.url });
    this.metrics = new ScrapeMetrics(deps.metricsRegistry);
    this.api = new PrometheusApi({
      baseUrl: options.config.url,
      headers: options.headers,
      timeoutMs: Math.min(options.config.timeout, options.stepMs),
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
    });
  }

  /** Backfills, then evaluates every step. Never throws out; stop() ends it. */
  start(): void {
    if (this.loop) return;
    this.loop = startPeriodic(() => this.tick().then(() => undefined), {
      everyMs: this.options.stepMs,
      onError: (error) => this.log.error({ err: error }, 'query round failed'),
    });
    void this.loop.runNow();
  }

  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    await loop?.stop();
  }

  /**
   * One round at the current aligned time: the first round backfills the window, later rounds
   * evaluate the new step (catching up any metric that failed before). Skips when no new step
   * has begun since the last round.
   */
  async tick(): Promise<RoundReport> {
    const step = this.options.stepMs;
    const now = Math.floor(this.deps.clock.now() / step) * step;
    if (now <= this.lastEvaluated) return { timeMs: now, delivered: 0, failed: [] };
    this.lastEvaluated = now;
    const started = this.deps.clock.monotonic();
    const entries = Object.entries(this.options.config.queries);
    const results = await Promise.all(entries.map(([metric, expr]) => this.evaluate(metric, expr, now)));
    const failed = entries.filter((_, i) => results[i] === undefined).map(([metric]) => metric);
    const delivered = results.reduce<number>((sum, n) => sum + (n ?? 0), 0);
    this.metrics.record(this.options.config.url, failed.length === 0, (this.deps.clock.monotonic() - started) / 1000);
    return { timeMs: now, delivered, failed };
  }

  /** Evaluates one metric up to `now`; returns samples delivered, or undefined on failure. */
  private async evaluate(metric: string, expr: string, now: number): Promise<number | undefined> {
    const step = this.options.stepMs;
    const last = this.lastSuccess.get(metric);
    // First round: the backfill window. Later: the steps since the last success (normally one,
    // more after an outage), at most one window back.
    const from = last === undefined ? now - this.options.backfillMs : Math.max(last + step, now - this.options.windowMs);
    const outcomes: QueryOutcome[] = [];
    if (from >= now) {
      outcomes.push(await this.api.instant(expr, now));
    } else {
      for (let start = from; start <= now; start += MAX_POINTS_PER_RANGE * step) {
        const end = Math.min(now, start + (MAX_POINTS_PER_RANGE - 1) * step);
        const outcome = await this.api.range(expr, start, end, step);
        outcomes.push(outcome);
        if (!outcome.ok) break;
      }
    }
    const failure = outcomes.find((o) => !o.ok);
    if (failure && !failure.ok) {
      this.problem(metric, `${failure.reason}: ${failure.message}`);
      return undefined;
    }
    let delivered = 0;
    for (const outcome of outcomes) {
      if (!outcome.ok) continue;
      const converted = seriesToSamples(outcome.series, {
        metric,
        agentLabel: this.options.config.agent_label,
        swarmLabel: this.options.config.swarm_label,
        defaultSwarm: this.options.config.swarm,
      });
      if (converted.unlabelled > 0 || converted.duplicates > 0) {
        this.problem(
          `${metric}:shape`,
          `query returned ${converted.unlabelled} series without the ${this.options.config.agent_label} label and ${converted.duplicates} duplicate agents; aggregate it by (${this.options.config.swarm_label}, ${this.options.config.agent_label})`,
        );
      }
      delivered += this.deliver(converted.samples);
    }
    this.lastSuccess.set(metric, now);
    if (this.lastProblem.delete(metric)) this.log.info({ metric }, 'query answers again');
    return delivered;
  }

  private deliver(samples: readonly Sample[]): number {
    let accepted = 0;
    for (let i = 0; i < samples.length; i += INGEST_CHUNK) {
      const outcome = this.deps.sink.ingest(samples.slice(i, i + INGEST_CHUNK), 'query');
      accepted += outcome.accepted;
      if (outcome.rejected > 0) this.problem('sink', `samples rejected: ${outcome.errors[0]?.reason ?? ''}`);
    }
    return accepted;
  }

  /** Logs once per distinct problem of a metric so an outage does not flood the log. */
  private problem(key: string, message: string): void {
    if (this.lastProblem.get(key) === message) return;
    this.lastProblem.set(key, message);
    this.log.warn({ metric: key, problem: message }, 'query problem');
  }
}
