// Composition root: the only place that reads the environment and files, opens sockets and exits.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseCli, CliError } from './cli.js';
import { ConfigError, parseConfigObject, setPath } from './config/parse-config.js';
import { readConfigFile } from './config/config-file.js';
import { readSecretOnce, watchToken } from './config/secret-files.js';
import type { Config } from './config/schema.js';
import { systemClock, type Clock } from './model/clock.js';
import { AgentRegistry } from './store/agent-registry.js';
import { Registry } from './runtime/prom.js';
import { ExporterMetrics } from './exposition/exporter-metrics.js';
import { registerProcessMetrics } from './exposition/process-metrics.js';
import { renderAgentFamilies } from './exposition/agent-families.js';
import { slicePauser } from './runtime/slice-pauser.js';
import { Foreground } from './runtime/foreground.js';
import { TurnQueue } from './runtime/turn-queue.js';
import { renderAnalysisFamilies } from './exposition/analysis-families.js';
import { renderSystemFamilies } from './exposition/system-families.js';
import { countingSink } from './exposition/exporter-metrics.js';
import { AnalysisEngine } from './analysis-cycle/analysis-engine.js';
import { AnalysisMetrics } from './analysis-cycle/analysis-metrics.js';
import { toPlanAnalysis } from './analysis-cycle/plan-analysis.js';
import { recordHistory } from './analysis-cycle/history-recorder.js';
import { DEFAULT_SWARM_SYSTEM_SETTINGS, SwarmSystem } from './analysis-cycle/swarm-system.js';
import { CoordinationService } from './coordination/coordination-service.js';
import { registryPlanContext } from './coordination/registry-plan-context.js';
import { SqliteTaskStore } from './persistence/sqlite-task-store.js';
import { DatabaseLockedError } from './persistence/database-lock.js';
import { DatabaseCorruptError, type StoreHealth } from './persistence/store-errors.js';
import { rotatingActionTargets } from './coordination/rotating-action-targets.js';
import { SERVER_TIMEOUTS } from './http/server-timeouts.js';
import { PostgresTaskStore } from './persistence/postgres-task-store.js';
import type { ExporterDatabase } from './persistence/task-store.js';
import { StoreUnavailableError } from './persistence/store-errors.js';
import { createAlertRoutes } from './http/alert-routes.js';
import { createCoordinationRoutes } from './http/coordination-routes.js';
import { createAnalysisRoutes } from './http/analysis-routes.js';
import { createSystemRoutes } from './http/system-routes.js';
import { createOtlpRoutes } from './http/otlp-routes.js';
import { createStatusPageRoutes } from './http/status-page-routes.js';
import { Scraper, scraperOptionsFromConfig } from './ingest/scrape/scraper.js';
import { QueryReader } from './ingest/query/query-reader.js';
import { upstreamHeaders } from './config/query-config.js';
import { DEMO_SECRET_REF, startDemoOrchestrator, startEmbeddedDemo } from './demo/embedded-demo.js';
import { applyDemoDefaults } from './demo/demo-defaults.js';
import { createApp } from './http/create-app.js';
import { createProbeRoutes, type Readiness } from './http/probe-routes.js';
import { createMetricsRoute } from './http/metrics-route.js';
import { createIngestRoutes, createSamplesFastLane } from './http/ingest-routes.js';
import { createAgentsRoutes } from './http/agents-routes.js';
import { createAgentWindowRoute } from './http/agent-window-route.js';
import { bearerAuth } from './http/bearer-auth.js';
import { WebConfigSource } from './http/web-config/web-config-source.js';
import { createWebGate } from './http/web-config/web-gate.js';
import { blowfishInitialState } from './http/web-config/blowfish-pi.js';
import { parseListenAddress } from './http/listen-address.js';
import { startPeriodic, type PeriodicTask } from './runtime/periodic.js';
import { createLogger, type Logger } from './runtime/logger.js';
import { ownedSwarmsOnly } from './ingest/shard-sink.js';
import { ownsSwarm } from './model/shard.js';
import { checkAgentId, checkSwarm } from './model/sample-rules.js';
import { readBuildInfo } from './runtime/build-info.js';

const SHUTDOWN_GRACE_MS = 10_000;
/** After its database file vanished, how long the exporter answers 503 before it stops (docs/reliability.md). */
const FATAL_HOLD_MS = 1000;
/** Longest stretch a /metrics render holds the event loop before yielding (a probe waits at most about this). */
const RENDER_SLICE_MS = 3;
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
  /** Resolves (after a graceful stop) when the exporter had to stop itself: its database file vanished. */
  readonly failed: Promise<Error>;
}

export interface StartOptions {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly env?: NodeJS.ProcessEnv;
  /** Tests drive steps by hand (registry.step()) instead of on a timer. */
  readonly manualSteps?: boolean;
}

/** Loads config: file (if any) < env < flags, validated once. */
export function loadConfig(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  version: string,
  io: { out: (s: string) => void; exit: (code: number) => never },
): Readonly<Config> {
  const cli = parseCli(argv, env, version, io);
  const source = cli.configFile ?? 'flags and environment';
  const raw = cli.configFile === undefined ? {} : readConfigFile(cli.configFile);
  for (const [key, value] of cli.overrides) setPath(raw, key, value);
  applyDemoDefaults(raw);
  const config = parseConfigObject(raw, source);
  // Checked with the rest of the configuration, before anything starts.
  try {
    parseListenAddress(config.web.listen_address);
  } catch (error) {
    throw new ConfigError([(error as Error).message], source);
  }
  return config;
}

/** Starts the exporter with a validated config; resolves once it listens and is ready. */
export async function startExporter(options: StartOptions): Promise<RunningExporter> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  /** When this exporter started (ms): an OTLP series that started after it has no unknown history. */
  const startedAt = clock.now();
  const build = readBuildInfo(options.env);
  const readiness: Readiness = { ready: false };
  const cleanup: (() => Promise<void> | void)[] = [];
  const fail = async (error: unknown): Promise<never> => {
    for (const undo of cleanup.reverse()) await undo();
    throw error;
  };

  const auth = config.web.auth;
  const watched: { stop(): void }[] = [];
  cleanup.push(() => watched.forEach((w) => w.stop()));
  const ingestToken = watchToken(auth.ingest_token_file, 'web.auth.ingest_token_file', logger, watched);
  const webhookToken = watchToken(auth.webhook_token_file, 'web.auth.webhook_token_file', logger, watched);
  const apiToken = watchToken(auth.api_token_file, 'web.auth.api_token_file', logger, watched);
  for (const [key, value] of Object.entries({
    ingest_token_file: ingestToken,
    webhook_token_file: webhookToken,
    api_token_file: apiToken,
  })) {
    if (value === undefined)
      logger.warn({ component: 'web' }, `web.auth.${key} is not set: that API is open to anyone who can reach the port`);
  }
  const scrapeOptions = scraperOptionsFromConfig(config.scrape);
  if (!scrapeOptions.ok) throw new ConfigError(scrapeOptions.problems, 'configuration');
  // The HTTPS server, once created: a changed certificate or key is swapped into it.
  let httpsServer: HttpsServer | undefined;
  let webConfig: WebConfigSource | undefined;
  if (config.web.config_file !== undefined) {
    const webLog = logger.child({ component: 'web', file: 'web.config_file' });
    try {
      webConfig = new WebConfigSource(config.web.config_file, {
        onChange: (state) => {
          if (state.tls) httpsServer?.setSecureContext(state.tls);
          webLog.info(
            { users: Object.keys(state.config.basic_auth_users).length, tls: state.tls !== undefined },
            'web config changed: it applies to the next request or handshake',
          );
        },
        onError: (message) => webLog.warn(message),
      });
    } catch (error) {
      throw error instanceof ConfigError ? error : new ConfigError([(error as Error).message], 'web.config_file');
    }
    watched.push(webConfig);
    // Blowfish's initial state is computed once (a few hundred ms): pay it now, not on the first login.
    if (Object.keys(webConfig.current().config.basic_auth_users).length > 0) blowfishInitialState();
  }

  const registry = new AgentRegistry(
    {
      heartbeatTimeoutMs: config.agents.heartbeat_timeout,
      expireAfterMs: config.agents.expire_after,
      maxAgents: config.agents.max_agents,
      maxCustomMetrics: config.agents.max_custom_metrics,
      stepMs: config.analysis.step,
      windowMs: config.analysis.window,
      carryForwardSteps: config.analysis.carry_forward,
    },
    clock,
  );
  const metricsRegistry = new Registry();
  registerProcessMetrics(metricsRegistry);
  const exporterMetrics = new ExporterMetrics(metricsRegistry, build);
  // A sharded replica keeps only its own swarms, whatever the ingest mode (docs/high-availability.md).
  const sink = ownedSwarmsOnly(countingSink(registry, exporterMetrics), config.shard);
  // Requests first: the analysis and the history recorder wait while a scrape or a push is in progress (runtime/foreground.ts).
  const foreground = new Foreground();
  // Pushed bodies and OTLP exports are decoded and ingested one per turn of the loop, in arrival order (runtime/turn-queue.ts).
  const ingestTurns = new TurnQueue(foreground);
  const engine = new AnalysisEngine(
    registry,
    {
      stepMs: config.analysis.step,
      windowPoints: registry.windowPoints,
      topPairs: config.analysis.top_pairs,
      correlationFdr: config.analysis.correlation_fdr,
      maxLag: config.analysis.max_lag,
      anomalyThreshold: config.analysis.anomaly_threshold,
      forecastHorizonsMs: config.analysis.forecast_horizons,
      scalingTargetUtilisation: config.analysis.scaling_target_utilization,
    },
    clock,
    new AnalysisMetrics(metricsRegistry),
    foreground.backgroundTurn,
  );

  // Coordination: durable store, action targets (the demo's own orchestrator in demo mode), service.
  let onStoreFault = (_fault: Exclude<StoreHealth, { ok: true }>): void => undefined;
  const store = openDatabase(config.storage, readSecretOnce(config.storage.password_file, 'storage.password_file'), (fault) =>
    onStoreFault(fault),
  );
  cleanup.push(() => store.close());
  // The swarm as a system: totals every cycle, USL and baselines from the stored history.
  const system = new SwarmSystem(
    clock,
    {
      ...DEFAULT_SWARM_SYSTEM_SETTINGS,
      baselineMetrics: config.analysis.baseline_metrics,
      ...(config.demo.enabled && { scalabilityBucketMs: 10 * config.analysis.step }),
    },
    store,
  );
  const demoLog = logger.child({ component: 'demo' });
  const orchestrator = config.demo.enabled ? await startDemoOrchestrator((m) => demoLog.info(m)).catch(fail) : undefined;
  if (orchestrator) cleanup.push(() => orchestrator.receiver.close());
  let coordination: CoordinationService;
  try {
    const actions = orchestrator
      ? { ...config.coordination.actions, default: { url: orchestrator.url, secret_file: DEMO_SECRET_REF } }
      : config.coordination.actions;
    const coordinationLog = logger.child({ component: 'coordination' });
    const targets = rotatingActionTargets(actions, {
      special: (path) => (orchestrator && path === DEMO_SECRET_REF ? orchestrator.secret : undefined),
      onChange: (path) => coordinationLog.info({ file: path }, 'secret file changed: deliveries are signed with the new secret'),
      onError: (message) => coordinationLog.warn(message),
    });
    watched.push(targets);
    coordination = new CoordinationService({
      config: config.coordination,
      retentionMs: config.storage.retention,
      store,
      metricsRegistry,
      actions: targets.targets,
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
      createIngestRoutes({ registry, metrics: exporterMetrics, token: ingestToken, shard: config.shard }),
      createStatusPageRoutes({ version: build.version, telemetryPath: config.web.telemetry_path, pollIntervalMs: config.analysis.step }),
      createProbeRoutes({ readiness }),
      createMetricsRoute({
        path: config.web.telemetry_path,
        foreground,
        metricsRegistry,
        renderers: [
          (write) => renderAgentFamilies(registry, write, slicePauser(RENDER_SLICE_MS)),
          async (write) => {
            // ~6 MB at 5,000 agents: written a chunk at a time, the loop turning between slices.
            const pause = slicePauser(RENDER_SLICE_MS);
            for (const families of [renderAnalysisFamilies(engine.latest()), renderSystemFamilies(system.latest())])
              for (const chunk of families) {
                await write(chunk);
                const turn = pause();
                if (turn !== undefined) await turn;
              }
          },
        ],
        onError: onUnexpectedError,
      }),
      createOtlpRoutes({
        sink,
        turns: ingestTurns,
        ...(config.otlp && { mapping: config.otlp }),
        ...(ingestToken !== undefined && { token: ingestToken }),
        logger,
        // The first export registers its agent, samples or not (a valid name in one of this shard's swarms).
        announce: (swarm, agent) => {
          if (ownsSwarm(config.shard, swarm) && checkSwarm(swarm, 'swarm') === undefined && checkAgentId(agent, 'agent') === undefined)
            registry.heartbeat(swarm, agent, {});
        },
        // A new agent's first cumulative point is data when it started after the exporter, or within the window.
        firstCumulativeSinceNs: () => BigInt(Math.floor(Math.min(startedAt, clock.now() - config.analysis.window))) * 1_000_000n,
      }),
      createAgentsRoutes({ registry, auth: apiAuth }),
      createAgentWindowRoute({ registry, auth: apiAuth }),
      createAnalysisRoutes({ engine, registry, auth: apiAuth }),
      createSystemRoutes({ system, clock, auth: apiAuth }),
      createAlertRoutes({ receiver: coordination, token: webhookToken, logger }),
      createCoordinationRoutes({ api: coordination, token: apiToken }),
    ],
    onUnexpectedError,
  });

  const samplesFastLane = createSamplesFastLane({
    registry,
    turns: ingestTurns,
    metrics: exporterMetrics,
    token: ingestToken,
    shard: config.shard,
    onError: onUnexpectedError,
  });
  const gate = webConfig
    ? createWebGate({ state: () => webConfig.current(), bearerTokens: [ingestToken, webhookToken, apiToken] })
    : undefined;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (gate && !gate(req, res)) return;
    if (!samplesFastLane(req, res)) app(req, res);
  };
  const tlsAtStart = webConfig?.current();
  if (tlsAtStart?.tls) {
    // Certificates are asked for only when the policy needs them (a browser would otherwise prompt).
    const clientAuth = tlsAtStart.config.tls_server_config?.client_auth_type ?? 'NoClientCert';
    httpsServer = createHttpsServer(
      { ...SERVER_TIMEOUTS, ...tlsAtStart.tls, requestCert: clientAuth !== 'NoClientCert', rejectUnauthorized: false },
      handle,
    );
  }
  const server: Server = httpsServer ?? createServer(SERVER_TIMEOUTS, handle);
  const address = parseListenAddress(config.web.listen_address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(fail);
  const bound = server.address() as AddressInfo;
  const host =
    bound.family === 'IPv6'
      ? bound.address === '::'
        ? '127.0.0.1'
        : `[${bound.address}]`
      : bound.address === '0.0.0.0'
        ? '127.0.0.1'
        : bound.address;
  const url = `${httpsServer ? 'https' : 'http'}://${host}:${bound.port}`;

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
      startPeriodic(() => engine.cycle().finally(() => system.observe(registry.agents())), {
        everyMs: config.analysis.step,
        onError: (error) => stepLog.error({ err: error }, 'analysis cycle failed'),
        onSkip: () => stepLog.warn('analysis cycle skipped: the previous one still runs'),
      }),
    );
  }
  loops.push(
    startPeriodic(() => recordHistory(coordination, registry, engine.latest(), foreground.backgroundTurn), {
      everyMs: HISTORY_INTERVAL_MS,
      onError: (error) => stepLog.warn({ err: error }, 'recording analysis history failed'),
    }),
  );
  const pullers: { stop(): Promise<void> }[] = [];
  if (scrapeOptions.options.targets.length > 0 || scrapeOptions.options.fileSd.length > 0) {
    // A sharded replica scrapes only the static targets of its own swarms (file_sd ones are filtered by the sink).
    const owned = { ...scrapeOptions.options, targets: scrapeOptions.options.targets.filter((t) => ownsSwarm(config.shard, t.swarm)) };
    const announceAgent = (swarm: string, agent: string, update: Parameters<AgentRegistry['heartbeat']>[2]): void => {
      if (ownsSwarm(config.shard, swarm)) void registry.heartbeat(swarm, agent, update);
    };
    const scraper = new Scraper(owned, { sink, metricsRegistry, clock, logger, announceAgent });
    scraper.start();
    pullers.push(scraper);
  }
  if (config.query) {
    const query = config.query;
    const reader = new QueryReader(
      {
        config: query,
        stepMs: query.step ?? config.analysis.step,
        backfillMs: query.backfill ?? config.analysis.window,
        windowMs: config.analysis.window,
        headers: upstreamHeaders(query, (path) => readFileSync(path, 'utf8')),
      },
      { sink, metricsRegistry, clock, logger },
    );
    reader.start();
    pullers.push(reader);
  }

  readiness.ready = store.health().ok;
  logger.info({ component: 'web', address: config.web.listen_address, url, version: build.version }, 'listening');

  const demo = orchestrator
    ? await startEmbeddedDemo({
        exporterUrl: url,
        orchestrator,
        registry,
        analysis: () => engine.latest(),
        seed: config.demo.seed,
        stepMs: config.analysis.step,
        timeScale: config.demo.time_scale,
        alerting: config.demo.alerting,
        // One window less a step: the oldest sample stays inside the window when it arrives.
        backfillMs: config.analysis.window - config.analysis.step,
        ...(ingestToken !== undefined && { ingestToken: ingestToken() }),
        ...(webhookToken !== undefined && { webhookToken: webhookToken() }),
        ...(config.demo.mode === 'scrape' && { scrape: { sink, metricsRegistry, clock, logger } }),
        log: (m) => demoLog.info(m),
      })
    : undefined;
  if (demo) {
    logger.info(
      {
        component: 'demo',
        agents: demo.simulator.agents.length,
        swarm: demo.simulator.swarm,
        alerting: config.demo.alerting,
        time_scale: config.demo.time_scale,
        storage: config.storage.path,
      },
      config.storage.path === ':memory:'
        ? 'demo swarm started; its coordination history is kept in memory, apart from any real deployment'
        : `demo swarm started; its coordination history goes to ${config.storage.path}`,
    );
  }

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
      watched.forEach((w) => w.stop());
    })();
    return stopping;
  };

  // A vanished or corrupt database: not ready, 503 everywhere (the store refuses every call), one
  // error line. A vanished file also stops the process, so that its restart opens a fresh one.
  let reportFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (reportFailure = resolve));
  onStoreFault = (fault) => {
    readiness.ready = false;
    const gone = fault.reason === 'gone';
    logger.error(
      { component: 'storage', reason: fault.reason, path: config.storage.path },
      `${fault.message}: answering 503 and not ready${gone ? '; stopping so that a restart opens it afresh' : ''}`,
    );
    if (gone) setTimeout(() => void stop().then(() => reportFailure(new Error(fault.message))), FATAL_HOLD_MS).unref();
  };
  if (!store.health().ok) onStoreFault(store.health() as Exclude<StoreHealth, { ok: true }>);

  return { url, server, registry, engine, coordination, config, stop, failed };
}

/** PostgreSQL at storage.url when set; else SQLite at storage.path (its folder created), or in memory for ":memory:". */
function openDatabase(
  storage: Readonly<Config['storage']>,
  password: string | undefined,
  onFault: (fault: Exclude<StoreHealth, { ok: true }>) => void,
): ExporterDatabase {
  if (storage.url !== undefined) return PostgresTaskStore.open({ url: storage.url, password });
  const path = storage.path;
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  return SqliteTaskStore.open(path, { onFault });
}

/** One line for a start-up failure: what could not be done and why, in words. */
export function describeStartupError(error: unknown, config: Readonly<Config>): string {
  if (error instanceof ConfigError) return error.message;
  // The lock holder's pid, or the integrity command: these say it in full already.
  if (error instanceof DatabaseLockedError || error instanceof DatabaseCorruptError) return error.message;
  const e = error as NodeJS.ErrnoException & { hostname?: string };
  const address = config.web.listen_address;
  switch (e.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${address}: the address is already in use (another process holds the port; choose another with --web.listen-address)`;
    case 'EACCES':
      if (e.syscall === 'listen') return `cannot listen on ${address}: permission denied (ports below 1024 need privileges)`;
      break;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${address}: no interface of this machine has that address`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${address}: host ${JSON.stringify(e.hostname ?? address)} not found`;
    case 'SQLITE_BUSY':
    case 'SQLITE_LOCKED':
      return `cannot open storage.path ${config.storage.path}: the database is locked by another process (another exporter on the same file?)`;
    case 'SQLITE_CANTOPEN':
    case 'SQLITE_READONLY':
    case 'SQLITE_NOTADB':
    case 'SQLITE_CORRUPT':
      return `cannot open storage.path ${config.storage.path}: ${e.message}`;
    default:
      break;
  }
  if (error instanceof StoreUnavailableError) {
    const why = error.reason === 'busy' ? 'the database is locked by another process (another exporter on the same file?)' : error.message;
    return `cannot open storage.path ${config.storage.path}: ${why}`;
  }
  return `start-up failed: ${error instanceof Error ? error.message : String(error)}`;
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
  // Signal handlers before anything starts: a SIGTERM right after "listening" is logged (a test, a
  // supervisor) must stop the exporter gracefully, not take Node's default action and kill it.
  let stopping = false;
  let stop: () => void = () => undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl-C is a person insisting: stop now. A repeated SIGTERM is not (npm's npx
      // wrapper forwards the one its process group got, and process managers repeat theirs): keep
      // draining, where Node's default action would have killed the process mid-shutdown.
      if (signal === 'SIGINT') process.exit(130);
      logger.info({ signal }, 'already shutting down');
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const release = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  let running: RunningExporter;
  try {
    running = await startExporter({ config, logger, env });
  } catch (error) {
    release();
    // One human line naming the cause, no stack: 2 for configuration, 1 for everything else.
    process.stderr.write(`agentswarm-exporter: ${describeStartupError(error, config)}\n`);
    return error instanceof ConfigError ? 2 : 1;
  }
  const failure = await new Promise<Error | undefined>((resolve) => {
    void running.failed.then(resolve);
    stop = () => void running.stop().then(() => resolve(undefined));
    // A signal that came while starting: stop now that there is something to stop.
    if (stopping) stop();
  });
  release();
  logger.info('stopped');
  return failure === undefined ? 0 : 1;
}
