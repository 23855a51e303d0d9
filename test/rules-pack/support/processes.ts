// Child processes and ports for tests that run the real Prometheus, Alertmanager and exporter: started, awaited and stopped by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A free TCP port on 127.0.0.1 (test/support/free-port.ts; re-exported for the tests that take their processes from here). */
export { freePort } from '../../support/free-port.js';

export interface Started {
  readonly name: string;
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr, for failure messages. */
  output(): string;
}

/** Starts a process; its output goes to `logPath` and is kept in memory (last 64 KiB). */
export function startProcess(
  name: string,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logPath: string },
): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(options.logPath);
  let buffer = '';
  const keep = (chunk: Buffer): void => {
    log.write(chunk);
    buffer = (buffer + chunk.toString('utf8')).slice(-65_536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('exit', () => log.end());
  return { name, child, output: () => buffer };
}

/** Stops a process by its PID: SIGTERM, then SIGKILL after `graceMs`. Resolves once it exited. */
export async function stopProcess(started: Started | undefined, graceMs = 5_000): Promise<void> {
  if (started === undefined) return;
  const { child } = started;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `probe` every `intervalMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? ` (last error: ${lastError.message})` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until GET `url` answers 200. */
export function waitForHttp(url: string, timeoutMs: number, started?: Started): Promise<true> {
  return waitFor(
    `${url}${started ? ` (${started.name})` : ''}`,
    async () => {
      if (started !== undefined && started.child.exitCode !== null) {
        throw new Error(`${started.name} exited with ${started.child.exitCode}:\n${started.output()}`);
      }
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return res.status === 200 ? true : undefined;
    },
    timeoutMs,
  );
}
