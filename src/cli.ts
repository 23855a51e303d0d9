// Command-line flags (Go-exporter style) and their AGENTSWARM_EXPORTER_* environment twins -> overrides.
import { Command, Option } from 'commander';

interface FlagSpec {
  readonly flag: string;
  /** Dotted config key the flag overrides; undefined for --config.file. */
  readonly key: string | undefined;
  readonly env: string;
  readonly description: string;
  readonly boolean?: boolean;
}

export const FLAGS: readonly FlagSpec[] = [
  {
    flag: '--config.file <path>',
    key: undefined,
    env: 'AGENTSWARM_EXPORTER_CONFIG_FILE',
    description: 'YAML configuration file (every key optional)',
  },
  {
    flag: '--web.listen-address <address>',
    key: 'web.listen_address',
    env: 'AGENTSWARM_EXPORTER_WEB_LISTEN_ADDRESS',
    description: 'address to listen on (default ":10464")',
  },
  {
    flag: '--web.config.file <path>',
    key: 'web.config_file',
    env: 'AGENTSWARM_EXPORTER_WEB_CONFIG_FILE',
    description: 'exporter-toolkit web config (TLS, basic auth, headers), re-read on change',
  },
  {
    flag: '--web.telemetry-path <path>',
    key: 'web.telemetry_path',
    env: 'AGENTSWARM_EXPORTER_WEB_TELEMETRY_PATH',
    description: 'path of the metrics page (default "/metrics")',
  },
  {
    flag: '--log.level <level>',
    key: 'log.level',
    env: 'AGENTSWARM_EXPORTER_LOG_LEVEL',
    description: 'debug, info, warn or error (default "info")',
  },
  {
    flag: '--log.format <format>',
    key: 'log.format',
    env: 'AGENTSWARM_EXPORTER_LOG_FORMAT',
    description: 'logfmt or json (default "logfmt")',
  },
  {
    flag: '--storage.path <path>',
    key: 'storage.path',
    env: 'AGENTSWARM_EXPORTER_STORAGE_PATH',
    description: 'SQLite file for coordination history, ":memory:" for none (default "data/agentswarm.db")',
  },
  {
    flag: '--storage.url <url>',
    key: 'storage.url',
    env: 'AGENTSWARM_EXPORTER_STORAGE_URL',
    description: 'PostgreSQL instead of SQLite (postgres://user@host:port/db), shared by an HA pair',
  },
  {
    flag: '--shard <i/n>',
    key: 'shard',
    env: 'AGENTSWARM_EXPORTER_SHARD',
    description: 'own only the swarms whose hashmod(swarm, n) is i (e.g. "0/4")',
  },
  {
    flag: '--demo',
    key: 'demo.enabled',
    env: 'AGENTSWARM_EXPORTER_DEMO',
    description: 'start an embedded simulated five-agent swarm',
    boolean: true,
  },
];

export interface CliResult {
  readonly configFile: string | undefined;
  /** Dotted key -> value, flags over environment. */
  readonly overrides: ReadonlyMap<string, string | boolean>;
}

export class CliError extends Error {}

/** The key commander stores the flag's value under (it camel-cases dashed names). */
function attributeOf(spec: FlagSpec): string {
  return new Option(spec.flag).attributeName();
}

function parseBoolean(text: string, name: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new CliError(`${name}: expected true or false, got ${JSON.stringify(text)}`);
}

/**
 * Parses argv (without node and script) and the environment. `--help` and `--version` print and
 * exit through `exit`; errors throw CliError.
 */
export function parseCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  version: string,
  io: { out: (s: string) => void; exit: (code: number) => never },
): CliResult {
  const program = new Command('agentswarm-exporter')
    .description(
      'Prometheus exporter that analyses agent swarms and turns alerts into coordination tasks.\nEach flag has an AGENTSWARM_EXPORTER_* environment twin; precedence: flag > env > file > default.',
    )
    .version(version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: () => undefined })
    .allowExcessArguments(false);
  for (const spec of FLAGS) {
    program.addOption(new Option(spec.flag, `${spec.description} [env ${spec.env}]`));
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') io.exit(0);
    throw new CliError((error as Error).message.replace(/^error: /, ''));
  }
  const opts = program.opts<Record<string, string | boolean | undefined>>();
  const overrides = new Map<string, string | boolean>();
  let configFile: string | undefined;
  for (const spec of FLAGS) {
    const fromFlag = opts[attributeOf(spec)];
    const fromEnv = env[spec.env];
    let value: string | boolean | undefined = fromFlag;
    if (value === undefined && fromEnv !== undefined && fromEnv !== '') value = spec.boolean ? parseBoolean(fromEnv, spec.env) : fromEnv;
    if (value === undefined) continue;
    if (spec.key === undefined) configFile = String(value);
    else overrides.set(spec.key, value);
  }
  return { configFile, overrides };
}
