// Other clients' latency while slow clients hold connections (docs/reliability.md test 27): the exporter
// binary (SQLite, no swarm) probed on /-/ready by 3 keep-alive clients every 20 ms for 14 s, once alone
// (the peer) and once beside 7 clients that drip headers or bodies byte by byte until the server cuts
// them (headers at 10 s). Target: p99 ≤ 20 ms beside them. The test suite checks the cuts themselves.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { emit, listeningPort } from './lib/processes.mjs';

const EXPORTER = fileURLToPath(new URL('../dist/src/bin/exporter.js', import.meta.url));
const PROBE_MS = 14_000;
const TARGET_P99_MS = 20;

function probe(port, durationMs) {
  const agent = new Agent({ keepAlive: true });
  const out = [];
  const end = performance.now() + durationMs;
  const client = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      await new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/-/ready', agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
      out.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return Promise.all([0, 1, 2].map(client)).then(() => {
    agent.destroy();
    const sorted = out.sort((a, b) => a - b);
    const pct = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 100) / 100;
    return { requests: sorted.length, p50_ms: pct(50), p99_ms: pct(99), max_ms: pct(100) };
  });
}

/** A client that sends `first`, then `drip` every second, never finishing its request. */
function slowClient(port, first, drip) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(first));
  const timer = setInterval(() => drip !== undefined && !socket.destroyed && socket.write(drip), 1000);
  socket.on('close', () => clearInterval(timer));
  return () => {
    clearInterval(timer);
    socket.destroy();
  };
}

const dir = mkdtempSync(join(tmpdir(), 'agentswarm-bench-slow-'));
const child = spawn(process.execPath, [EXPORTER, '--web.listen-address=127.0.0.1:0', `--storage.path=${join(dir, 'a.db')}`], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
const exited = new Promise((resolve) => child.once('exit', resolve));
try {
  const port = await listeningPort(child, exited);
  await probe(port, 1000);
  const alone = await probe(port, PROBE_MS);
  const body = (path) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"a":`;
  const stops = [
    slowClient(port, '', undefined),
    slowClient(port, 'POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: y\r\n'),
    slowClient(port, 'GET /-/ready HTTP/1.1\r\nHo', 's'),
    slowClient(port, body('/api/v1/alerts'), ' '),
    slowClient(port, body('/api/v1/samples'), ' '),
    slowClient(port, body('/api/v1/alerts'), undefined),
    slowClient(port, body('/api/v1/samples'), undefined),
  ];
  const beside = await probe(port, PROBE_MS);
  for (const stop of stops) stop();
  emit({
    bench: 'slow-clients',
    scenario: `3 clients probing /-/ready every 20 ms for ${PROBE_MS / 1000} s beside 7 slow-header and slow-body clients`,
    ...beside,
    target_p99_ms: TARGET_P99_MS,
    meets_target: beside.p99_ms <= TARGET_P99_MS,
    peer: { name: 'the same probe without slow clients (same process, same run)', ...alone },
    node: process.version,
  });
} finally {
  child.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
}
