// Bench helpers: free loopback ports, child processes started and stopped by PID, readiness polling.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(url, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${url}`);
}

/** Starts a child process; returns { child, stop } where stop kills it by PID and waits. */
export function startProcess(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', options.stderr ?? 'ignore'], ...options });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, 'SIGTERM');
        const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

export function which(name) {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const path = `${dir}/${name}`;
    if (existsSync(path)) return path;
  }
  return undefined;
}

export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Resolves the port an exporter child logs in its `msg=listening` line. The child's log keeps flowing
 * (info lines per task under load), so once the port is known only a bounded tail is kept for the
 * error message: scanning an ever-growing buffer costs the bench O(n²) CPU that it then reports as
 * the exporter's latency.
 */
export function listeningPort(child, exited) {
  const TAIL = 16_384;
  let text = '';
  let found = false;
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      text = (text + chunk.toString('utf8')).slice(-TAIL);
      if (found) return;
      const match = /url=http:\/\/127\.0\.0\.1:(\d+).*msg=listening/.exec(text);
      if (match) {
        found = true;
        resolve(Number(match[1]));
      }
    });
    void exited.then((code) => reject(new Error(`exporter exited with ${code}:\n${text}`)));
  });
}
