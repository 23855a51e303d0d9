// Resident memory of a running exporter holding 1,000 agents x 10 metrics with full 240-point windows
// (15 s step, 1 h window), after a garbage collection. Target: RSS <= 150 MiB. The peer in the same run
// is a bare Node process that only holds the same raw numbers in plain Float64Arrays (the floor).
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { emit } from './lib/processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const AGENTS = 1000;
const METRICS = ['cpu_usage', 'memory_usage', 'response_time', 'throughput', 'error_rate', 'queue_depth', 'active_tasks', 'coordination_load', 'custom_a', 'custom_b'];
const POINTS = 240;

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(url) {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    })
      .on('error', reject)
      .end();
  });
}

if (process.argv[2] === 'child') {
  const { parseConfigObject } = await import(join(root, 'dist/src/config/parse-config.js'));
  const { startExporter } = await import(join(root, 'dist/src/main.js'));
  const { createLogger } = await import(join(root, 'dist/src/runtime/logger.js'));
  const { ManualClock } = await import(join(root, 'dist/src/model/clock.js'));
  const clock = new ManualClock(Date.now());
  const config = parseConfigObject({ web: { listen_address: '127.0.0.1:0' }, analysis: { step: '15s', window: '1h' }, storage: { path: ':memory:' } });
  const exporter = await startExporter({ config, clock, manualSteps: true, logger: createLogger({ level: 'error', format: 'json', write: () => undefined }), env: {} });
  for (let step = 0; step < POINTS + 5; step++) {
    for (let a = 0; a < AGENTS; a += 100) {
      const samples = [];
      for (let k = a; k < a + 100; k++) for (const metric of METRICS) samples.push({ swarm: `swarm-${k % 4}`, agent: `agent-${k}`, metric, value: Math.random() });
      if (step === 0) {
        // Through the real HTTP route (node:http, as an agent's client would; fetch would load undici
        // into the exporter's process, which the exporter itself does not need to hold agents).
        const status = await post(`${exporter.url}/api/v1/samples`, JSON.stringify({ samples }));
        if (status !== 202) throw new Error(`ingest failed: ${status}`);
      } else exporter.registry.ingest(samples, 'push');
    }
    clock.advance(15_000);
    exporter.registry.step();
  }
  await get(`${exporter.url}/metrics`);
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc?.();
  process.stdout.write(JSON.stringify({ ...process.memoryUsage(), filled: exporter.registry.swarm('swarm-0')?.windows.filled }));
  await exporter.stop();
  process.exit(0);
} else if (process.argv[2] === 'peer') {
  const arrays = Array.from({ length: AGENTS * METRICS.length }, () => Float64Array.from({ length: POINTS }, () => Math.random()));
  globalThis.gc?.();
  process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, held: arrays.length }));
  process.exit(0);
} else {
  const run = (mode) => JSON.parse(spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), mode], { encoding: 'utf8', maxBuffer: 1 << 20 }).stdout);
  const ours = run('child');
  const peer = run('peer');
  const mib = (b) => +(b / 1024 / 1024).toFixed(1);
  emit({
    bench: 'memory_rss',
    agents: AGENTS,
    metrics_per_agent: METRICS.length,
    window_points: POINTS,
    windows_filled: ours.filled,
    ours_rss_mib: mib(ours.rss),
    ours_heap_used_mib: mib(ours.heapUsed),
    ours_heap_total_mib: mib(ours.heapTotal),
    ours_array_buffers_mib: mib(ours.arrayBuffers),
    peer: 'bare node holding the same Float64Arrays',
    peer_rss_mib: mib(peer.rss),
    target_mib: 150,
    pass: mib(ours.rss) <= 150,
  });
}
