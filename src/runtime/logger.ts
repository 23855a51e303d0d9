// Structured logging (pino) in logfmt or JSON, to stderr. Components take a child logger.
import { pino, type Logger } from 'pino';

export type { Logger };

function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : value instanceof Object ? JSON.stringify(value) : String(value);
  return /^[^\s"=\\]+$/.test(text) ? text : JSON.stringify(text);
}

/** Turns one pino JSON line into `ts=... level=... component=... msg="..." key=value`. */
export function jsonLineToLogfmt(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, pid: _pid, hostname: _hostname, ...rest } = record;
  const parts = [`ts=${new Date(typeof time === 'number' ? time : Date.now()).toISOString()}`, `level=${logfmtValue(level)}`];
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}=${logfmtValue(value)}`);
  if (msg !== undefined) parts.push(`msg=${logfmtValue(msg)}`);
  return `${parts.join(' ')}\n`;
}

export interface LoggerOptions {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly format: 'logfmt' | 'json';
  /** Defaults to stderr. */
  readonly write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const destination = { write: options.format === 'json' ? write : (line: string) => write(jsonLineToLogfmt(line)) };
  return pino(
    {
      level: options.level,
      base: undefined,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'secret', '*.secret'], censor: '[redacted]' },
    },
    destination,
  );
}
