// The exporter as a child process: its config file written, spawned, awaited until it says it
// listens (or exits), and stopped by PID, bounded in time. The durability, regression and HA tests
// choose what to run (the built binary, the sources through tsx, or the receiver harness) on top.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary (`npm run build`, which `npm test` runs first). */
export const EXPORTER_BINARY = fileURLToPath(new URL('../../dist/src/bin/exporter.js', import.meta.url));
/** The binary's sources, run with `node --import tsx`: always the code under test. */
export const EXPORTER_SOURCE = fileURLToPath(new URL('../../src/bin/exporter.ts', import.meta.url));

export interface ExporterProcess {
  readonly process: ChildProcess;
  /** Set once it said it listens; undefined when it exited before. */
  readonly url: string | undefined;
  /** stderr so far, as the chunks read. */
  readonly stderr: string[];
  /** stderr so far, as non-empty lines. */
  readonly lines: () => string[];
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
}

export interface SpawnExporterOptions {
  /** Node's arguments: the entry point and the exporter's flags. */
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /**
   * How it says it listens: `log` is main.ts's stderr line `... url=http://127.0.0.1:PORT ... msg=listening`;
   * `stdout-json` is the receiver harness's first stdout line, `{"url": ...}`.
   */
  readonly ready?: 'log' | 'stdout-json';
  /** Killed by PID, and the start rejected, when it has neither listened nor exited by then. */
  readonly timeoutMs?: number;
}

let configs = 0;

/** Writes `config` (JSON is YAML) to a fresh file in `dir`, for `--config.file`. */
export function writeExporterConfig(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, `config-${++configs}.yml`);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** Starts it and resolves once it listens (url set) or exits first (url undefined). */
export async function spawnExporter(options: SpawnExporterOptions): Promise<ExporterProcess> {
  const ready = options.ready ?? 'log';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, [...options.args], {
    env: options.env ?? process.env,
    stdio: ['ignore', ready === 'stdout-json' ? 'pipe' : 'ignore', 'pipe'],
  });
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string | undefined>((resolve, reject) => {
    let err = '';
    let out = '';
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`exporter did not start within ${timeoutMs} ms:\n${stderr.join('')}`));
    }, timeoutMs);
    const found = (at: string | undefined): void => {
      settled = true;
      clearTimeout(timer);
      resolve(at);
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr.push(text);
      // Matched only until it listens: a test that times its own requests must not pay for rescanning the log.
      if (settled || ready !== 'log') return;
      err += text;
      const match = /url=(http:\/\/[^\s"]+).*msg=listening/.exec(err);
      if (match?.[1]) found(match[1]);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (settled) return;
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) found((JSON.parse(line) as { url: string }).url);
    });
    void exited.then(() => found(undefined));
  });
  return {
    process: child,
    url,
    stderr,
    exited,
    lines: () =>
      stderr
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

/** Sends `signal` by PID if it still runs, and waits for its exit. */
export async function stopExporter(exporter: ExporterProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (exporter === undefined || exporter.process.exitCode !== null || exporter.process.signalCode !== null) return;
  exporter.process.kill(signal);
  await exporter.exited;
}
