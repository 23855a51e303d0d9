// Webhook acknowledgement latency while every action target hangs: 50 notifications/s of 100 alerts
// each for ~10 s against the exporter binary's Alertmanager receiver (SQLite, WAL, synchronous=FULL),
// and the floor measured in the same run: a bare node:http server that only parses the JSON and
// answers 200. Open loop (requests leave on schedule whatever the answers), latency measured from the
// scheduled send time, so a stall is not hidden by coordinated omission. Runs dist/src/bin/exporter.js.
import Database from 'better-sqlite3';
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { URL, fileURLToPath } from 'node:url';
import { listeningPort } from './lib/processes.mjs';

const RATE_PER_SECOND = 50;
const ALERTS_PER_NOTIFICATION = 100;
const DURATION_SECONDS = 10;
const WARMUP_NOTIFICATIONS = 25;
const TARGET_P99_MS = 250;
const SELF = fileURLToPath(import.meta.url);
const EXPORTER = fileURLToPath(new URL('../dist/src/bin/exporter.js', import.meta.url));

const mode = process.argv[2];
if (mode === '--serve-floor') await serveFloor();
else await main();

/** The floor: parse the JSON body, answer 200. Nothing is stored. */
async function serveFloor() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}');
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

/** The exporter binary (built by `npm run bench`), listening on an ephemeral port; resolves its port. */
function startExporter(dir, dbPath, targetUrl) {
  const configFile = join(dir, 'config.yml');
  // JSON is YAML. Defaults otherwise: concurrency 5, per-target 2, task_timeout 15s; info logs carry the URL.
  writeFileSync(configFile, JSON.stringify({ coordination: { actions: { default: { url: targetUrl } } } }));
  const child = spawn(
    process.execPath,
    [EXPORTER, `--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0', `--storage.path=${dbPath}`, '--log.level=info'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = listeningPort(child, exited);
  return { child, port, exited };
}

function startChild(args) {
  const child = spawn(process.execPath, [SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]).port);
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, port, exited };
}

function notificationBody(n, prefix) {
  const alerts = [];
  for (let j = 0; j < ALERTS_PER_NOTIFICATION; j += 1) {
    alerts.push({
      status: 'firing',
      labels: {
        alertname: 'AgentSwarmAgentDown',
        swarm: 'bench',
        agent: `agent-${j}`,
        severity: 'critical',
        coordination_type: 'cross_system_healing',
        priority: 'emergency',
      },
      annotations: {
        summary: 'An agent stopped reporting.',
        description: `Agent agent-${j} of swarm bench has sent no heartbeat for 45s.`,
      },
      startsAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=agentswarm_agent_up+%3D%3D+0',
      // Alertmanager fingerprints are hashes of the label set: spread like this, not sequential.
      fingerprint: createHash('sha256').update(`${prefix}/${n}/${j}`).digest('hex').slice(0, 16),
    });
  }
  return JSON.stringify({
    receiver: 'agentswarm',
    status: 'firing',
    alerts,
    groupLabels: { swarm: 'bench' },
    commonLabels: { swarm: 'bench' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: `{}:{swarm="bench",n="${n}"}`,
    truncatedAlerts: 0,
  });
}

function post(agent, port, body) {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/alerts',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** Sends `bodies` at RATE_PER_SECOND on a fixed schedule; returns latencies (ms) and status counts. */
async function openLoop(port, bodies) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies = [];
  let ok = 0;
  let other = 0;
  const interval = 1000 / RATE_PER_SECOND;
  const start = performance.now() + 20;
  const pending = [];
  for (let i = 0; i < bodies.length; i += 1) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(
      post(agent, port, bodies[i]).then((status) => {
        latencies.push(performance.now() - scheduled);
        if (status === 200) ok += 1;
        else other += 1;
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  return { latencies, ok, other, seconds: (performance.now() - start) / 1000 };
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(latencies) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x) => Math.round(x * 100) / 100;
  return { p50_ms: round(percentile(sorted, 50)), p99_ms: round(percentile(sorted, 99)), max_ms: round(sorted.at(-1) ?? Number.NaN) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'agentswarm-bench-'));
  const dbPath = join(dir, 'bench.db');
  // Every action target hangs: accepts the request and never answers.
  const hung = [];
  const target = createServer((req) => {
    hung.push(req);
    req.resume();
  });
  await new Promise((resolve) => target.listen(0, '127.0.0.1', resolve));
  const targetUrl = `http://127.0.0.1:${target.address().port}/coordination`;

  const count = RATE_PER_SECOND * DURATION_SECONDS;
  const warmup = Array.from({ length: WARMUP_NOTIFICATIONS }, (_, n) => notificationBody(n, 'w'));
  const bodies = Array.from({ length: count }, (_, n) => notificationBody(n, 'b'));

  const exporter = startExporter(dir, dbPath, targetUrl);
  let result;
  let walBytes = 0;
  try {
    const port = await exporter.port;
    await openLoop(port, warmup);
    result = await openLoop(port, bodies);
    walBytes = statSync(`${dbPath}-wal`).size;
  } finally {
    exporter.child.kill('SIGTERM');
    await exporter.exited;
  }
  for (const req of hung) req.socket.destroy();
  target.close();

  const db = new Database(dbPath, { readonly: true });
  const tasks = db.prepare('SELECT COUNT(*) AS n FROM tasks').get().n;
  const delivering = db.prepare('SELECT COUNT(*) AS n FROM attempts').get().n;
  db.close();
  rmSync(dir, { recursive: true, force: true });

  const floor = startChild(['--serve-floor']);
  let peer;
  try {
    peer = await openLoop(await floor.port, bodies);
  } finally {
    floor.child.kill('SIGTERM');
    await floor.exited;
  }

  const acknowledged = result.ok + WARMUP_NOTIFICATIONS;
  const own = summary(result.latencies);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'coordination-webhook',
      scenario: `${RATE_PER_SECOND}/s notifications x ${ALERTS_PER_NOTIFICATION} alerts for ${DURATION_SECONDS}s, every action target hanging`,
      ...own,
      target_p99_ms: TARGET_P99_MS,
      meets_target: own.p99_ms <= TARGET_P99_MS,
      notifications_sent: count + WARMUP_NOTIFICATIONS,
      notifications_acknowledged: acknowledged,
      notifications_refused: result.other,
      tasks,
      tasks_expected: acknowledged * ALERTS_PER_NOTIFICATION,
      counts_match: tasks === acknowledged * ALERTS_PER_NOTIFICATION,
      attempts_committed_meanwhile: delivering,
      wal_mib_at_end: Math.round((walBytes / 1048576) * 10) / 10,
      achieved_rate_per_second: Math.round((count / result.seconds) * 10) / 10,
      peer: { name: 'node:http JSON.parse + 200 (floor)', ...summary(peer.latencies), acknowledged: peer.ok },
      node: process.version,
    })}\n`,
  );
}
