// Pull mode: scrapes every target each interval, maps pages to samples and delivers them to the sink.
import type { Config } from '../../config/schema.js';
import type { Registry } from '../../runtime/prom.js';
import type { Clock } from '../../model/clock.js';
import type { Logger } from '../../runtime/logger.js';
import { startPeriodic, type PeriodicTask } from '../../runtime/periodic.js';
import type { SampleSink } from '../../model/sample.js';
import type { ParseLimits } from '../text-format/types.js';
import { MappingState, applyMapping } from './apply-mapping.js';
import { fetchPage } from './fetch-page.js';
import { FileSdWatcher } from './file-sd-watcher.js';
import { parseScrapeMapping, type ScrapeMapping } from './mapping-schema.js';
import { ScrapeMetrics } from './scrape-metrics.js';
import { type ScrapeTarget, targetsFromConfig } from './scrape-target.js';

/** Default cap on one page: node_exporter on a big host is ~5 MB; beyond 16 MiB is a misconfiguration. */
export const DEFAULT_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export interface ScraperOptions {
  readonly intervalMs: number;
  /** Per-scrape deadline; clamped to the interval so a target is never scraped twice at once. */
  readonly timeoutMs: number;
  readonly targets: readonly ScrapeTarget[];
  /** file_sd paths (the last component may hold `*`/`?` globs), polled each interval. */
  readonly fileSd: readonly string[];
  readonly mapping: ScrapeMapping;
  readonly bodyLimitBytes?: number;
  readonly parseLimits?: Partial<ParseLimits>;
}

export interface ScraperDeps {
  readonly sink: SampleSink;
  readonly metricsRegistry: Registry;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Called for each agent seen on a successful scrape, with the target's `type` when configured;
   * wire it to the agent registry's heartbeat so scraped agents are alive and typed.
   */
  readonly announceAgent?: (swarm: string, agent: string, update: { readonly type?: string }) => void;
  /** Injectable for tests. */
  readonly fetchImpl?: typeof fetch;
}

export type ScraperFromConfig =
  { readonly ok: true; readonly options: ScraperOptions } | { readonly ok: false; readonly problems: readonly string[] };

/** Builds scraper options from the validated `scrape` config section, validating `scrape.mapping`. */
export function scraperOptionsFromConfig(scrape: Config['scrape']): ScraperFromConfig {
  const mapping = parseScrapeMapping(scrape.mapping);
  if (!mapping.ok) return { ok: false, problems: mapping.problems };
  const problems: string[] = [];
  scrape.targets.forEach((t, i) => {
    if (t.agent !== undefined && t.agent_label !== undefined)
      problems.push(`scrape.targets.${i}: expected either agent or agent_label, got both`);
  });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    options: {
      intervalMs: scrape.interval,
      timeoutMs: scrape.timeout,
      targets: targetsFromConfig(scrape.targets),
      fileSd: scrape.file_sd,
      mapping: mapping.mapping,
    },
  };
}

/**
 * The scrape loop. Each tick refreshes file_sd targets and starts a scrape for every target whose
 * previous scrape has finished; it does not wait for them, so one hanging target never delays
 * the others or the next tick, and is abandoned at the timeout. Nothing here throws out.
 */
export class Scraper {
  private readonly metrics: ScrapeMetrics;
  private readonly fileSd: FileSdWatcher;
  private readonly timeoutMs: number;
  private readonly log: Logger;
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly states = new Map<string, MappingState>();
  private readonly lastProblem = new Map<string, string>();
  /** Keys of warnings already logged (bounded), so repeated conditions log once. */
  private readonly warned = new Set<string>();
  private current: ScrapeTarget[] = [];
  private loop: PeriodicTask | undefined;
  private stopping = new AbortController();

  constructor(
    private readonly options: ScraperOptions,
    private readonly deps: ScraperDeps,
  ) {
    this.log = deps.logger.child({ component: 'scraper' });
    this.metrics = new ScrapeMetrics(deps.metricsRegistry);
    this.fileSd = new FileSdWatcher(options.fileSd, this.log);
    this.timeoutMs = Math.min(options.timeoutMs, options.intervalMs);
    if (options.timeoutMs > options.intervalMs) {
      this.log.warn(
        { timeout_ms: options.timeoutMs, interval_ms: options.intervalMs },
        'scrape.timeout exceeds scrape.interval; using the interval',
      );
    }
  }

  /** Targets of the last tick (config first, then file_sd), deduplicated by URL. */
  targets(): readonly ScrapeTarget[] {
    return this.current;
  }

  /** Starts ticking every interval, the first tick now. */
  start(): void {
    if (this.loop) return;
    this.stopping = new AbortController();
    this.loop = startPeriodic(() => this.tick(), {
      everyMs: this.options.intervalMs,
      onError: (error) => this.log.error({ err: error }, 'scrape tick failed'),
    });
    void this.loop.runNow();
  }

  /** Stops ticking, aborts scrapes in flight and waits for them to settle. */
  async stop(): Promise<void> {
    const loop = this.loop;
    this.loop = undefined;
    this.stopping.abort();
    await loop?.stop();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * One round, awaited: refresh targets, scrape every idle target, wait for those scrapes. Tests
   * and the CLI's one-shot mode use it; the loop uses `tick()` which does not wait.
   */
  async scrapeOnce(): Promise<void> {
    await this.tick();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async tick(): Promise<void> {
    try {
      await this.fileSd.refresh();
    } catch (error) {
      this.log.error({ err: error }, 'file_sd refresh failed');
    }
    this.updateTargets([...this.options.targets, ...this.fileSd.targets()]);
    for (const target of this.current) {
      if (this.inFlight.has(target.url) || this.stopping.signal.aborted) continue;
      const run = this.scrape(target).finally(() => this.inFlight.delete(target.url));
      this.inFlight.set(target.url, run);
    }
  }

  private updateTargets(all: readonly ScrapeTarget[]): void {
    const byUrl = new Map<string, ScrapeTarget>();
    for (const target of all) {
      const seen = byUrl.get(target.url);
      if (seen) {
        if (seen.origin !== target.origin)
          this.warnOnce(
            `dup:${target.url}`,
            { target: target.url, kept: seen.origin, ignored: target.origin },
            'target listed twice; keeping the first',
          );
        continue;
      }
      byUrl.set(target.url, target);
    }
    for (const old of this.current) {
      if (!byUrl.has(old.url)) {
        this.metrics.forget(old.url);
        this.states.delete(old.url);
        this.lastProblem.delete(old.url);
        this.log.info({ target: old.url }, 'target removed');
      }
    }
    this.current = [...byUrl.values()];
  }

  private async scrape(target: ScrapeTarget): Promise<void> {
    const { clock } = this.deps;
    const started = clock.monotonic();
    const scrapeTimeMs = clock.now();
    try {
      const outcome = await fetchPage(target.url, {
        timeoutMs: this.timeoutMs,
        bodyLimitBytes: this.options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
        signal: this.stopping.signal,
        ...(this.options.parseLimits ? { parseLimits: this.options.parseLimits } : {}),
        ...(this.deps.fetchImpl ? { fetchImpl: this.deps.fetchImpl } : {}),
      });
      const seconds = (clock.monotonic() - started) / 1000;
      if (!outcome.ok) {
        if (outcome.reason === 'aborted') return;
        this.metrics.record(target.url, false, seconds);
        this.problem(target.url, `${outcome.reason}: ${outcome.message}`);
        return;
      }
      let state = this.states.get(target.url);
      if (!state) {
        state = new MappingState();
        this.states.set(target.url, state);
      }
      const result = applyMapping(outcome.families, target, this.options.mapping, state, scrapeTimeMs);
      if (this.deps.announceAgent) {
        for (const agent of result.agents) this.deps.announceAgent(target.swarm, agent, target.type ? { type: target.type } : {});
      }
      if (result.samples.length > 0) {
        const ingested = this.deps.sink.ingest(result.samples, 'scrape');
        if (ingested.rejected > 0) {
          this.warnOnce(
            `rejected:${target.url}:${ingested.errors[0]?.reason ?? ''}`,
            { target: target.url, rejected: ingested.rejected, first: ingested.errors[0]?.reason },
            'scraped samples rejected',
          );
        }
      }
      this.metrics.record(target.url, true, seconds);
      if (this.lastProblem.delete(target.url)) this.log.info({ target: target.url }, 'target is back up');
    } catch (error) {
      // Only a bug (in mapping or the sink) gets here; the loop must survive it.
      this.metrics.record(target.url, false, (clock.monotonic() - started) / 1000);
      this.problem(target.url, `internal: ${(error as Error).message}`);
    }
  }

  /** Logs a failing target once per distinct problem, so a dead target does not flood the log. */
  private problem(url: string, message: string): void {
    if (this.lastProblem.get(url) === message) return;
    this.lastProblem.set(url, message);
    this.log.warn({ target: url, problem: message }, 'scrape failed');
  }

  private warnOnce(key: string, fields: Record<string, unknown>, message: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size > 1000) this.warned.clear();
    this.warned.add(key);
    this.log.warn(fields, message);
  }
}
