// Composition root: the only place that reads the environment and files, opens sockets and exits.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCli, CliError } from './cli.js';
import { ConfigError, parseConfigObject, setPath } from './config/parse-config.js';
import type { Config } from './config/schema.js';
import { parse as parseYaml } from 'yaml';
import { systemClock, type Clock } from './model/clock.js';
import { AgentRegistry } from './store/agent-registry.js';
import { Registry } from './exposition/prom.js';
import { ExporterMetrics } from './exposition/exporter-metrics.js';
import { registerProcessMetrics } from './exposition/process-metrics.js';
import { renderAgentFamilies, slicePauser } from './exposition/agent-families.js';
import { renderAnalysisFamilies } from './exposition/analysis-families.js';
import { countingSink } from './exposition/exporter-metrics.js';
import { AnalysisEngine } from './analysis-cycle/analysis-engine.js';
import { AnalysisMetrics } from './analysis-cycle/analysis-metrics.js';
import { toPlanAnalysis } from './analysis-cycle/plan-analysis.js';
import { recordHistory } from './analysis-cycle/history-recorder.js';
import { CoordinationService } from './coordination/coordination-service.js';
import { resolveActionTargets } from './coordination/action-delivery.js';
import { registryPlanContext } from './coordination/registry-plan-context.js';
import { SqliteTaskStore } from './persistence/sqlite-task-store.js';
import { createAlertRoutes } from './http/alert-routes.js';
import { createCoordinationRoutes } from './http/coordination-routes.js';
import { createAnalysisRoutes } from './http/analysis-routes.js';
import { createOtlpRoutes } from './http/otlp-routes.js';
import { createStatusPageRoutes } from './http/status-page-routes.js';
import { Scraper, scraperOptionsFromConfig } from './ingest/scrape/scraper.js';
import { QueryReader } from './ingest/query/query-reader.js';
import { upstreamHeaders } from './ingest/query/query-config.js';
import { DEMO_SECRET_REF, startDemoOrchestrator, startEmbeddedDemo } from './demo/embedded-demo.js';
import { createApp } from './http/create-app.js';
import { createProbeRoutes, type Readiness } from './http/probe-routes.js';
import { createMetricsRoute } from './http/metrics-route.js';
import { createIngestRoutes, createSamplesFastLane } from './http/ingest-routes.js';
import { createAgentsRoutes } from './http/agents-routes.js';
import { bearerAuth } from './http/bearer-auth.js';
import { parseListenAddress } from './http/listen-address.js';
import { startPeriodic, type PeriodicTask } from './runtime/periodic.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { readBuildInfo } from './runtime/build-info.js';

/** RELIABILITY: Node's defaults (60 s headers, 300 s request) are too loose. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const SHUTDOWN_GRACE_MS = 10_000;
/** Longest stretch a /metrics render holds the event loop before yielding (bench target: 50 ms block). */
const RENDER_SLICE_MS = 10;
/** How often a compact analysis snapshot and the agent states are written to the history tables. */
const HISTORY_INTERVAL_MS = 60_000;

export interface RunningExporter {
  readonly url: string;
  readonly server: Server;
  readonly registry: AgentRegistry;
  readonly engine: AnalysisEngine;
  readonly coordination: CoordinationService;
  readonly config: Readonly<Config>;
  /** Graceful stop: ready -> 503, loops stopped, connections drained within the grace period. */
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
  /** Tests drive steps by hand (registry.step()) instead of on a timer. */
  readonly manualSteps?: boolean;
}

function readToken(path: string | undefined, key: string): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([`${key}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`], 'configuration');
  }
  if (text === '') throw new ConfigError([`${key}: ${path} is empty`], 'configuration');
  return text;
}

/**
 * The demo plays minute-long phases: unless the user set them, it analyses every 2 s over 5 minutes
 * and declares an agent failed after 15 s, so every scripted event shows within a few steps.
 */
export const DEMO_DEFAULTS: Readonly<Record<string, string>> = { 'analysis.step': '2s', 'analysis.window': '5m', 'agents.heartbeat_timeout': '15s' };

function applyDemoDefaults(raw: Record<string, unknown>): void {
  const demo = raw.demo as Record<string, unknown> | undefined;
  if (demo?.enabled !== true) return;
  for (const [key, value] of Object.entries(DEMO_DEFAULTS)) {
    const [section, name] = key.split('.') as [string, string];
    const current = raw[section] as Record<string, unknown> | undefined;
    if (current?.[name] === undefined) setPath(raw, key, value);
  }
}

/** Loads config: file (if any) < env < flags, validated once. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, version: string, io: { out: (s: string) => void; exit: (code: number) => never }): Readonly<Config> {
  const cli = parseCli(argv, env, version, io);
  let raw: Record<string, unknown> = {};
  const source = cli.configFile ?? 'flags and environment';
  if (cli.configFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(cli.configFile, 'utf8');
    } catch (error) {
      throw new ConfigError([`--config.file: cannot read ${cli.configFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`], source);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text, { uniqueKeys: true });
    } catch (error) {
      throw new ConfigError([`not valid YAML: ${(error as Error).message}`], source);
    }
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(['(top level): expected a mapping'], source);
      raw = doc as Record<string, unknown>;
    }
  }
  for (const [key, value] of cli.overrides) setPath(raw, key, value);
  applyDemoDefaults(raw);
  return parseConfigObject(raw, source);
}

/** Starts the exporter with a validated config; resolves once it listens and is ready. */
export async function startExporter(options: StartOptions): Promise<RunningExporter> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const build = readBuildInfo(options.env);
  const readiness: Readiness = { ready: false };
  const cleanup: (() => Promise<void> | void)[] = [];
  const fail = async (error: unknown): Promise<never> => {
    for (const undo of cleanup.reverse()) await undo();
    throw error;
  };

  const auth = config.web.auth;
  const ingestToken = readToken(auth.ingest_token_file, 'web.auth.ingest_token_file');
  const webhookToken = readToken(auth.webhook_token_file, 'web.auth.webhook_token_file');
  const apiToken = readToken(auth.api_token_file, 'web.auth.api_token_file');
  for (const [key, value] of Object.entries({ ingest_token_file: ingestToken, webhook_token_file: webhookToken, api_token_file: apiToken })) {
    if (value === undefined) logger.warn({ component: 'web' }, `web.auth.${key} is not set: that API is open to anyone who can reach the port`);
  }
  const scrapeOptions = scraperOptionsFromConfig(config.scrape);
  if (!scrapeOptions.ok) throw new ConfigError(scrapeOptions.problems, 'configuration');

  const registry = new AgentRegistry(
    {
      heartbeatTimeoutMs: config.agents.heartbeat_timeout,
      expireAfterMs: config.agents.expire_after,
      maxAgents: config.agents.max_agents,
      maxCustomMetrics: config.agents.max_custom_metrics,
      stepMs: config.analysis.step,
      windowMs: config.analysis.window,
    },
    clock,
  );
  const promRegistry = new Registry();
  registerProcessMetrics(promRegistry);
  const exporterMetrics = new ExporterMetrics(promRegistry, build);
  const sink = countingSink(registry, exporterMetrics);
  const engine = new AnalysisEngine(
    registry,
    {
      stepMs: config.analysis.step,
      windowPoints: registry.windowPoints,
      topPairs: config.analysis.top_pairs,
      maxLag: config.analysis.max_lag,
      anomalyThreshold: config.analysis.anomaly_threshold,
      forecastHorizonsMs: config.analysis.forecast_horizons,
    },
    clock,
    new AnalysisMetrics(promRegistry),
  );

  // Coordination: durable store, action targets (the demo's own orchestrator in demo mode), service.
  const store = openTaskStore(config.storage.path);
  cleanup.push(() => store.close());
  const demoLog = logger.child({ component: 'demo' });
  const orchestrator = config.demo.enabled ? await startDemoOrchestrator((m) => demoLog.info(m)).catch(fail) : undefined;
  if (orchestrator) cleanup.push(() => orchestrator.receiver.close());
  let coordination: CoordinationService;
  try {
    const actions = orchestrator ? { ...config.coordination.actions, default: { url: orchestrator.url, secret_file: DEMO_SECRET_REF } } : config.coordination.actions;
    coordination = new CoordinationService({
      config: config.coordination,
      retentionMs: config.storage.retention,
      store,
      registry: promRegistry,
      actions: resolveActionTargets(actions, (path) => (orchestrator && path === DEMO_SECRET_REF ? orchestrator.secret : readFileSync(path, 'utf8'))),
      logger,
      planContext: registryPlanContext(registry, (swarm) => {
        const snapshot = engine.latest().get(swarm);
        return snapshot ? toPlanAnalysis(snapshot) : undefined;
      }),
      clock,
    });
  } catch (error) {
    return fail(error instanceof ConfigError ? error : new ConfigError([(error as Error).message], 'configuration'));
  }

  const httpLog = logger.child({ component: 'http' });
  const onUnexpectedError = (error: unknown): void => httpLog.error({ err: error }, 'unexpected error');
  const apiAuth = bearerAuth(apiToken);
  const app = createApp({
    routers: [
      // Ingest first: express tries routers in order (the batch route is served before express).
      createIngestRoutes({ registry, metrics: exporterMetrics, token: ingestToken }),
      createStatusPageRoutes({ version: build.version, telemetryPath: config.web.telemetry_path, pollIntervalMs: config.analysis.step }),
      createProbeRoutes({ readiness }),
      createMetricsRoute({
        path: config.web.telemetry_path,
        registry: promRegistry,
        renderers: [
          (write) => renderAgentFamilies(registry, write, slicePauser(RENDER_SLICE_MS)),
          async (write) => {
            for (const chunk of renderAnalysisFamilies(engine.latest())) await write(chunk);
          },
        ],
        onError: onUnexpectedError,
      }),
      createOtlpRoutes({ sink, ...(config.otlp && { mapping: config.otlp }), ...(ingestToken !== undefined && { token: ingestToken }), logger }),
      createAgentsRoutes({ registry, auth: apiAuth }),
      createAnalysisRoutes({ engine, registry, auth: apiAuth }),
      createAlertRoutes({ receiver: coordination, token: webhookToken, logger }),
      createCoordinationRoutes({ api: coordination, token: apiToken }),
    ],
    onUnexpectedError,
  });

  const samplesFastLane = createSamplesFastLane({ registry, metrics: exporterMetrics, token: ingestToken, onError: onUnexpectedError });
  const server = createServer((req, res) => {
    if (!samplesFastLane(req, res)) app(req, res);
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = 65_000;
  const address = parseListenAddress(config.web.listen_address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(fail);
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? (bound.address === '::' ? '127.0.0.1' : `[${bound.address}]`) : bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address;
  const url = `http://${host}:${bound.port}`;

  try {
    coordination.start();
  } catch (error) {
    server.close();
    return fail(error);
  }
  const stepLog = logger.child({ component: 'analysis' });
  const loops: PeriodicTask[] = [];
  if (options.manualSteps !== true) {
    loops.push(
      startPeriodic(() => engine.cycle(), {
        everyMs: config.analysis.step,
        onError: (error) => stepLog.error({ err: error }, 'analysis cycle failed'),
        onSkip: () => stepLog.warn('analysis cycle skipped: the previous one still runs'),
      }),
    );
  }
  loops.push(
    startPeriodic(() => recordHistory(coordination, registry, engine.latest()), {
      everyMs: HISTORY_INTERVAL_MS,
      onError: (error) => stepLog.warn({ err: error }, 'recording analysis history failed'),
    }),
  );
  const pullers: { stop(): Promise<void> }[] = [];
  if (scrapeOptions.options.targets.length > 0 || scrapeOptions.options.fileSd.length > 0) {
    const scraper = new Scraper(scrapeOptions.options, { sink, registry: promRegistry, clock, logger, announceAgent: (swarm, agent, update) => void registry.heartbeat(swarm, agent, update) });
    scraper.start();
    pullers.push(scraper);
  }
  if (config.query) {
    const query = config.query;
    const reader = new QueryReader(
      { config: query, stepMs: query.step ?? config.analysis.step, backfillMs: query.backfill ?? config.analysis.window, windowMs: config.analysis.window, headers: upstreamHeaders(query, (path) => readFileSync(path, 'utf8')) },
      { sink, registry: promRegistry, clock, logger },
    );
    reader.start();
    pullers.push(reader);
  }

  readiness.ready = true;
  logger.info({ component: 'web', address: config.web.listen_address, url, version: build.version }, 'listening');

  const demo = orchestrator
    ? await startEmbeddedDemo({
        exporterUrl: url,
        orchestrator,
        registry,
        analysis: () => engine.latest(),
        seed: config.demo.seed,
        stepMs: config.analysis.step,
        ...(ingestToken !== undefined && { ingestToken }),
        ...(webhookToken !== undefined && { webhookToken }),
        ...(config.demo.mode === 'scrape' && { scrape: { sink, registry: promRegistry, clock, logger } }),
        log: (m) => demoLog.info(m),
      })
    : undefined;
  if (demo) logger.info({ component: 'demo', agents: demo.simulator.agents.length, swarm: demo.simulator.swarm }, 'demo swarm started');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      readiness.ready = false;
      await demo?.stop();
      await Promise.all([...loops, ...pullers].map((loop) => loop.stop()));
      await coordination.stop(SHUTDOWN_GRACE_MS);
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.closeAllConnections();
          resolve();
        }, SHUTDOWN_GRACE_MS);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      if (!demo) await orchestrator?.receiver.close();
      store.close();
    })();
    return stopping;
  };

  return { url, server, registry, engine, coordination, config, stop };
}

/** SQLite at storage.path (its folder created), or in memory for ":memory:". */
function openTaskStore(path: string): SqliteTaskStore {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  return SqliteTaskStore.open(path);
}

/** Process entry: parse flags and config, start, stop on SIGTERM/SIGINT. Returns the exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const build = readBuildInfo(env);
  let config: Readonly<Config>;
  try {
    config = loadConfig(argv, env, build.version, { out: (s) => process.stdout.write(s), exit: (code) => process.exit(code) });
  } catch (error) {
    if (error instanceof ConfigError || error instanceof CliError) {
      process.stderr.write(`agentswarm-exporter: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ level: config.log.level, format: config.log.format });
  let running: RunningExporter;
  try {
    running = await startExporter({ config, logger, env });
  } catch (error) {
    logger.error({ err: error }, 'start-up failed');
    return 1;
  }
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      void running.stop().then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  logger.info('stopped');
  return 0;
}
