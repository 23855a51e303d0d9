// Webhook ack latency and task throughput on SQLite and on PostgreSQL in the same run, exporter binary:
// (1) 50 notifications/s of 100 alerts for 8 s while every action target hangs (open loop, latency from
// the scheduled send time), after 2 s of the same storm on the fresh process reported apart;
// (2) tasks delivered per second to a target answering 200 at once.
// PostgreSQL: a throwaway cluster (initdb + pg_ctl on a free loopback port, as the `postgres` user under root).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { emit, freePort, listeningPort } from './lib/processes.mjs';

const RATE = 50;
const ALERTS = 100;
const SECONDS = Number(process.env.BENCH_HA_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const DELIVERY_TASKS = 2000;
const TARGET_P99_MS = 250;
// BENCH_NODE_ARGS: extra Node flags for the exporters (e.g. --cpu-prof), to see where an ack's time goes.
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const EXPORTER = fileURLToPath(new URL('../dist/src/bin/exporter.js', import.meta.url));

function pgBin() {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const v = readdirSync(base)
    .filter((d) => existsSync(join(base, d, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a))[0];
  return v === undefined ? undefined : join(base, v, 'bin');
}

async function startPostgres(bin) {
  const root = process.getuid() === 0;
  const dir = mkdtempSync(join(root ? '/tmp' : tmpdir(), 'agentswarm-bench-pg-'));
  const as = (cmd, args) => {
    const r = root
      ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', cwd: '/' })
      : spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  };
  if (root) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  as(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  // Durable commits (fsync on, synchronous_commit on), like the SQLite store's synchronous=FULL.
  as(join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      as(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function startExporter(dir, storage, targetUrl, coordination = {}) {
  const configFile = join(dir, `config-${Math.random()}.yml`);
  writeFileSync(configFile, JSON.stringify({ storage, coordination: { ...coordination, actions: { default: { url: targetUrl } } } }));
  const child = spawn(process.execPath, [...nodeArgs, EXPORTER, `--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = listeningPort(child, exited);
  return {
    port,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function body(n, prefix) {
  const alerts = Array.from({ length: ALERTS }, (_, j) => ({
    status: 'firing',
    labels: {
      alertname: 'AgentSwarmAgentDown',
      swarm: 'bench',
      agent: `agent-${j}`,
      severity: 'critical',
      coordination_type: 'cross_system_healing',
      priority: 'emergency',
    },
    annotations: { summary: 'An agent stopped reporting.' },
    startsAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph',
    fingerprint: createHash('sha256').update(`${prefix}/${n}/${j}`).digest('hex').slice(0, 16),
  }));
  return JSON.stringify({
    receiver: 'agentswarm',
    status: 'firing',
    alerts,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am',
    version: '4',
    groupKey: `g${n}`,
    truncatedAlerts: 0,
  });
}

function post(agent, port, text) {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/v1/alerts',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(text);
  });
}

async function openLoop(port, bodies) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const latencies = [];
  let ok = 0;
  const start = performance.now() + 20;
  const pending = [];
  for (let i = 0; i < bodies.length; i += 1) {
    const scheduled = start + (i * 1000) / RATE;
    const wait = scheduled - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(agent, port, bodies[i]).then((s) => {
        latencies.push(performance.now() - scheduled);
        if (s === 200) ok += 1;
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const pct = (p) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] * 100) / 100;
  return { ok, seconds: (performance.now() - start) / 1000, p50_ms: pct(50), p99_ms: pct(99), max_ms: pct(100) };
}

async function target(answer) {
  let received = 0;
  const hung = [];
  const server = createServer((req, res) => {
    received += 1;
    req.resume();
    if (answer === 'hang') hung.push(res);
    else
      req.on('end', () => {
        res.writeHead(200);
        res.end('{}');
      });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/c`,
    received: () => received,
    close: () => {
      for (const r of hung) r.socket?.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

async function measure(engine, storage, dir) {
  // (1) ack latency under a storm, every action target hanging.
  const hang = await target('hang');
  const ex = startExporter(dir, storage(), hang.url);
  const port = await ex.port;
  // The first 2 s of the storm warm a fresh process (JIT, the store's sessions and prepared
  // statements): reported apart (warmup_*), then 8 s measured.
  const warmup = await openLoop(
    port,
    Array.from({ length: RATE * WARMUP_SECONDS }, (_, n) => body(n, `${engine}-w`)),
  );
  const storm = await openLoop(
    port,
    Array.from({ length: RATE * SECONDS }, (_, n) => body(n, `${engine}-s`)),
  );
  await ex.stop();
  hang.close();
  // (2) delivery throughput: 2,000 tasks to a target answering 200 at once.
  const fast = await target('ok');
  const ex2 = startExporter(dir, storage(), fast.url, { concurrency: 20, per_target_concurrency: 20 });
  const port2 = await ex2.port;
  const agent = new Agent({ keepAlive: true });
  const t0 = performance.now();
  for (let n = 0; n < DELIVERY_TASKS / ALERTS; n += 1) await post(agent, port2, body(n, `${engine}-d`));
  while (fast.received() < DELIVERY_TASKS && performance.now() - t0 < 120_000) await new Promise((r) => setTimeout(r, 20));
  const deliverySeconds = (performance.now() - t0) / 1000;
  agent.destroy();
  await ex2.stop();
  fast.close();
  return {
    engine,
    warmup_ack_p50_ms: warmup.p50_ms,
    warmup_ack_p99_ms: warmup.p99_ms,
    ack_p50_ms: storm.p50_ms,
    ack_p99_ms: storm.p99_ms,
    ack_max_ms: storm.max_ms,
    notifications_acknowledged: storm.ok,
    notifications_sent: RATE * SECONDS,
    tasks_created_per_s: Math.round((storm.ok * ALERTS) / storm.seconds),
    tasks_delivered_per_s: Math.round(Math.min(fast.received(), DELIVERY_TASKS) / deliverySeconds),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'agentswarm-bench-ha-'));
const bin = pgBin();
const pg = bin === undefined ? undefined : await startPostgres(bin);
try {
  let db = 0;
  const sqlite = await measure('sqlite', () => ({ path: join(dir, `s${++db}.db`) }), dir);
  let postgres;
  if (pg !== undefined) {
    // A fresh database per exporter run, so each starts empty like the SQLite file.
    const admin = (sql) => spawnSync(join(bin, 'psql'), [pg.url, '-qc', sql], { encoding: 'utf8' });
    postgres = await measure(
      'postgresql',
      () => {
        const name = `bench${++db}`;
        admin(`CREATE DATABASE ${name}`);
        return { url: pg.url.replace(/\/postgres$/, `/${name}`) };
      },
      dir,
    );
  }
  emit({
    bench: 'coordination-ha',
    scenario: `${RATE}/s notifications x ${ALERTS} alerts for ${SECONDS}s, after ${WARMUP_SECONDS}s of the same (warmup_*), with every action target hanging (ack latency); ${DELIVERY_TASKS} tasks to a 200-at-once target (delivery)`,
    ...(postgres ?? { engine: 'postgresql', error: 'PostgreSQL not found' }),
    target_p99_ms: TARGET_P99_MS,
    meets_target: postgres !== undefined && postgres.ack_p99_ms <= TARGET_P99_MS,
    peer: sqlite,
    node: process.version,
  });
} finally {
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
}
