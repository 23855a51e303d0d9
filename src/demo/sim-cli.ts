// agentswarm-sim's command line: flags -> a simulated swarm (and optionally its webhook receiver) until a signal or --duration.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { formatDuration, parseDuration } from '../config/duration.js';
import { createLogger } from '../runtime/logger.js';
import { startCoordinationReceiver } from './coordination-receiver.js';
import type { CoordinationReceiver } from './coordination-receiver.js';
import { scenarioNames } from './scenarios.js';
import { phaseUnitMs } from './pack-timing.js';
import { readBuildInfo } from '../runtime/build-info.js';
import { startSimulatedSwarm } from './simulated-swarm.js';

export interface SimCliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Registers a handler for SIGINT/SIGTERM; returns an unregister function. */
  readonly onSignal: (handler: (signal: string) => void) => () => void;
}

export const processIo: SimCliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  onSignal: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
};

interface SimFlags {
  target: string;
  scenario: string;
  agents?: number;
  seed: number;
  swarm: string;
  token?: string;
  tokenFile?: string;
  step: number;
  phase?: number;
  timeScale: number;
  backfill?: number;
  heartbeat?: number;
  duration?: number;
  concurrency: number;
  batchSize: number;
  receiverPort?: number;
  receiverSecretFile?: string;
  statsInterval: number;
}

const durationArg =
  (min: number) =>
  (text: string): number => {
    const ms = parseDuration(text);
    if (ms === undefined) throw new InvalidArgumentError(`expected a duration such as "500ms", "1s" or "5m", got ${JSON.stringify(text)}`);
    if (ms < min) throw new InvalidArgumentError(`expected at least ${formatDuration(min)}, got ${JSON.stringify(text)}`);
    return ms;
  };

const intArg =
  (min: number, max: number) =>
  (text: string): number => {
    const n = Number(text);
    if (!/^-?\d+$/.test(text.trim()) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
    return n;
  };

const scaleArg = (text: string): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1) throw new InvalidArgumentError(`expected a number in (0, 1], got ${JSON.stringify(text)}`);
  return n;
};

const urlArg = (text: string): string => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(`expected an http(s) URL such as http://127.0.0.1:10464, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError(`expected an http or https URL, got ${JSON.stringify(text)}`);
  return text;
};

function program(io: SimCliIo): Command {
  return new Command('agentswarm-sim')
    .description(
      "Push a seeded simulated agent swarm to an agentswarm-exporter over its HTTP API: the demo's scripted day, or many agents for a load test.",
    )
    .addOption(new Option('--target <url>', 'exporter base URL').default('http://127.0.0.1:10464').argParser(urlArg))
    .addOption(new Option('--scenario <name>', 'what the swarm plays').choices(scenarioNames()).default('day'))
    .addOption(
      new Option('--agents <n>', "number of agents (default: the scenario's; day 5, steady 100, wave 20)").argParser(intArg(1, 100_000)),
    )
    .addOption(
      new Option('--seed <n>', 'seed of the simulation (same seed, same swarm)')
        .default(42)
        .argParser(intArg(-2_147_483_648, 4_294_967_295)),
    )
    .addOption(new Option('--swarm <name>', 'swarm label of every agent').default('sim'))
    .addOption(new Option('--token <token>', 'ingest bearer token (prefer --token-file: arguments are visible to other users)'))
    .addOption(new Option('--token-file <path>', 'file holding the ingest bearer token'))
    .addOption(new Option('--step <duration>', 'push interval (one simulated step)').default(1000, '1s').argParser(durationArg(10)))
    .addOption(
      new Option(
        '--time-scale <factor>',
        "the day's phases are the rules pack's `for:` times this factor: 1 = the pack as shipped (an 85-minute day), 0.1 = ten times faster",
      )
        .default(1)
        .argParser(scaleArg),
    )
    .addOption(
      new Option('--phase <duration>', 'length of one phase unit of the scenario (default: one minute times --time-scale)').argParser(
        durationArg(10),
      ),
    )
    .addOption(
      new Option(
        '--backfill <duration>',
        "first push this much of the scenario at once, with past timestamps, so the exporter's windows start full (at most its analysis.window)",
      ).argParser(durationArg(0)),
    )
    .addOption(
      new Option(
        '--heartbeat <duration>',
        'heartbeat interval of each agent (default: 10s, or 20ms per agent when that is longer)',
      ).argParser(durationArg(10)),
    )
    .addOption(new Option('--duration <duration>', 'stop after this long (default: until SIGINT/SIGTERM)').argParser(durationArg(1)))
    .addOption(new Option('--concurrency <n>', 'HTTP requests in flight at once').default(8).argParser(intArg(1, 256)))
    .addOption(new Option('--batch-size <n>', 'samples per POST /api/v1/samples').default(1000).argParser(intArg(1, 100_000)))
    .addOption(
      new Option(
        '--receiver-port <port>',
        'also receive coordination webhooks on this port (0 = any) and act on the swarm; needs --receiver-secret-file',
      ).argParser(intArg(0, 65_535)),
    )
    .addOption(
      new Option('--receiver-secret-file <path>', "file holding the webhook signing secret shared with the exporter's action secret_file"),
    )
    .addOption(
      new Option('--stats-interval <duration>', 'how often to log delivery statistics').default(10_000, '10s').argParser(durationArg(1000)),
    )
    .addHelpText(
      'after',
      `
Examples:
  agentswarm-sim --target http://127.0.0.1:10464                       # the demo's scripted day, 5 agents
  agentswarm-sim --scenario steady --agents 5000 --duration 5m          # load test
  agentswarm-sim --receiver-port 8080 --receiver-secret-file secret     # also act on coordination tasks

Scenarios: day (calm, load wave, bottleneck, correlated anomaly, agent failure, recovery; loops),
steady (constant load, no incidents), wave (calm and load waves).
On exit, one JSON line with the delivery statistics is printed to stdout.`,
    )
    .version(readBuildInfo(process.env).version, '--version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}

function readSecret(path: string, what: string): string {
  const text = readFileSync(path, 'utf8').trim();
  if (text.length === 0) throw new Error(`${what}: ${path} is empty`);
  return text;
}

/**
 * Runs agentswarm-sim with `argv` (without node and script). Resolves with the exit code:
 * 0 after --duration or a signal, 0 for --help and --version, 2 for bad usage, 1 when start-up
 * fails or nothing could be delivered to the target.
 */
export async function runSimCli(argv: readonly string[], io: SimCliIo = processIo): Promise<number> {
  const cli = program(io);
  let flags: SimFlags;
  try {
    cli.parse([...argv], { from: 'user' });
    flags = cli.opts<SimFlags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }

  const logger = createLogger({ level: 'info', format: 'logfmt', write: io.stderr }).child({ component: 'sim' });
  const log = (message: string): void => logger.info(message);
  // Listen before start-up (registering 5,000 agents takes a while); after the first signal the
  // handler is removed, so a second Ctrl-C gets Node's default and ends the process at once.
  let durationTimer: NodeJS.Timeout | undefined;
  let stopRequested: (reason: string) => void = () => undefined;
  const stopReason = new Promise<string>((resolve) => {
    stopRequested = resolve;
  });
  const off = io.onSignal((name) => {
    off();
    stopRequested(name);
  });
  let receiver: CoordinationReceiver | undefined;
  try {
    if (flags.receiverPort !== undefined && flags.receiverSecretFile === undefined) {
      off();
      io.stderr("agentswarm-sim: --receiver-port needs --receiver-secret-file: an unsigned receiver would act on anyone's request\n");
      return 2;
    }
    const token = flags.tokenFile !== undefined ? readSecret(flags.tokenFile, '--token-file') : flags.token;
    const sim = await startSimulatedSwarm({
      target: flags.target,
      scenario: flags.scenario,
      ...(flags.agents === undefined ? {} : { agents: flags.agents }),
      seed: flags.seed,
      swarm: flags.swarm,
      ...(token === undefined ? {} : { token }),
      stepMs: flags.step,
      phaseMs: flags.phase ?? phaseUnitMs(flags.timeScale),
      ...(flags.backfill === undefined ? {} : { backfillMs: flags.backfill }),
      ...(flags.heartbeat === undefined ? {} : { heartbeatMs: flags.heartbeat }),
      maxConcurrentRequests: flags.concurrency,
      batchSize: flags.batchSize,
      log,
    });
    if (flags.receiverSecretFile !== undefined) {
      receiver = await startCoordinationReceiver({
        simulator: sim,
        secret: readSecret(flags.receiverSecretFile, '--receiver-secret-file'),
        port: flags.receiverPort ?? 0,
        // Reachable by an exporter on another host only when the port was asked for explicitly.
        host: flags.receiverPort === undefined ? '127.0.0.1' : '0.0.0.0',
        log,
      });
    }

    // Nothing delivered at start-up: the target is wrong or down; say so and fail instead of idling.
    if (sim.registered === 0) {
      await sim.stop();
      throw new Error(`cannot deliver to ${flags.target}: ${sim.lastFailure() ?? 'no agent could register'}`);
    }

    const startedAt = Date.now();
    const statsTimer = setInterval(() => {
      const s = sim.status();
      log(
        `step ${s.steps} cycle ${s.cycle} phase ${s.phase}; down: ${s.down.join(', ') || 'none'}; samples accepted ${s.reporter.samplesAccepted}, rejected ${s.reporter.samplesRejected}, dropped ${s.reporter.samplesDropped}; requests ${s.reporter.requests}, failures ${s.reporter.failures}`,
      );
    }, flags.statsInterval);

    if (flags.duration !== undefined) durationTimer = setTimeout(() => stopRequested('duration'), flags.duration);
    const signal = await stopReason;
    off();
    clearTimeout(durationTimer);
    clearInterval(statsTimer);
    log(signal === 'duration' ? `ran for ${formatDuration(flags.duration ?? 0)}, stopping` : `${signal} received, stopping`);
    await sim.stop();
    await receiver?.close();
    const s = sim.status();
    const delivered = s.reporter.samplesAccepted > 0 || s.reporter.requests === 0;
    io.stdout(
      `${JSON.stringify({ scenario: s.scenario, swarm: s.swarm, agents: sim.agents.length, steps: s.steps, seconds: Math.round((Date.now() - startedAt) / 100) / 10, ...s.reporter, ...(receiver === undefined ? {} : { coordination: receiver.stats() }) })}\n`,
    );
    if (!delivered) {
      io.stderr(`agentswarm-sim: no sample was delivered to ${flags.target}: ${sim.lastFailure() ?? 'every request failed'}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    off();
    clearTimeout(durationTimer);
    await receiver?.close();
    io.stderr(`agentswarm-sim: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
