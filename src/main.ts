// Composition root: the only place that reads the environment and files, opens sockets and exits.
import { readFileSync } from 'node:fs';
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
import { renderAgentFamilies, slicePauser } from './exposition/agent-families.js';
import { createApp } from './http/create-app.js';
import { createProbeRoutes, type Readiness } from './http/probe-routes.js';
import { createMetricsRoute } from './http/metrics-route.js';
import { createIngestRoutes } from './http/ingest-routes.js';
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

export interface RunningExporter {
  readonly url: string;
  readonly server: Server;
  readonly registry: AgentRegistry;
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
  return parseConfigObject(raw, source);
}

/** Starts the exporter with a validated config; resolves once it listens and is ready. */
export async function startExporter(options: StartOptions): Promise<RunningExporter> {
  const { config, logger } = options;
  const clock = options.clock ?? systemClock;
  const build = readBuildInfo(options.env);
  const readiness: Readiness = { ready: false };

  const auth = config.web.auth;
  const ingestToken = readToken(auth.ingest_token_file, 'web.auth.ingest_token_file');
  const apiToken = readToken(auth.api_token_file, 'web.auth.api_token_file');
  for (const [key, value] of Object.entries({ ingest_token_file: ingestToken, api_token_file: apiToken })) {
    if (value === undefined) logger.warn({ component: 'web' }, `web.auth.${key} is not set: that API is open to anyone who can reach the port`);
  }

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
  const exporterMetrics = new ExporterMetrics(promRegistry, build);
  const httpLog = logger.child({ component: 'http' });
  const onUnexpectedError = (error: unknown): void => httpLog.error({ err: error }, 'unexpected error');

  const app = createApp({
    routers: [
      createProbeRoutes({ readiness, version: build.version, telemetryPath: config.web.telemetry_path }),
      createMetricsRoute({ path: config.web.telemetry_path, registry: promRegistry, renderers: [() => renderAgentFamilies(registry, slicePauser(RENDER_SLICE_MS))], onError: onUnexpectedError }),
      createIngestRoutes({ registry, metrics: exporterMetrics, token: ingestToken }),
      createAgentsRoutes({ registry, auth: bearerAuth(apiToken) }),
    ],
    onUnexpectedError,
  });

  const server = createServer(app);
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
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? (bound.address === '::' ? '127.0.0.1' : `[${bound.address}]`) : bound.address === '0.0.0.0' ? '127.0.0.1' : bound.address;
  const url = `http://${host}:${bound.port}`;

  const stepLog = logger.child({ component: 'step' });
  const loops: PeriodicTask[] = [];
  if (options.manualSteps !== true) {
    loops.push(
      startPeriodic(() => registry.step(), {
        everyMs: config.analysis.step,
        onError: (error) => stepLog.error({ err: error }, 'step failed'),
        onSkip: () => stepLog.warn('step skipped: the previous one still runs'),
      }),
    );
  }

  readiness.ready = true;
  logger.info({ component: 'web', address: config.web.listen_address, url, version: build.version }, 'listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      readiness.ready = false;
      await Promise.all(loops.map((loop) => loop.stop()));
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
    })();
    return stopping;
  };

  return { url, server, registry, config, stop };
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
