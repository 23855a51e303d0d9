// Resident memory of a running exporter (the composition root, a manual clock) holding one swarm of
// 1,000 agents × 10 metrics (8 canonical + 2 custom) with full 240-point windows (15 s step, 1 h
// window), analysis cycles running at every step as a live exporter runs them, after a scrape and
// a garbage collection. Target (issue 12): RSS ≤ 150 MiB. Beside it, in the same run:
//  - the same exporter with the same pushes and steps but no analysis cycle (what the analysis adds);
//  - a bare Node process holding the same raw numbers in plain Float64Arrays (the floor).
// The report names the consumers: the store's rings, the robust windows, the N² correlation states
// (the streaming budget's account) and the kernels' WebAssembly memory that holds them, the rest of
// the array buffers (the streaming states' private window copies among them), the heap and what is
// left (Node's own code and libraries, allocator slack).
// Environment: BENCH_AGENTS (default 1000), BENCH_NODE_FLAGS (extra Node flags for the exporter
// processes, e.g. "--max-semi-space-size=2"). Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { emit } from './lib/processes.mjs';
import { SwarmScenario } from './lib/swarm-scenarios.mjs';
import { ManualClock } from './lib/manual-clock.mjs';

const dist = (path) => new URL(`../dist/src/${path}`, import.meta.url).href;
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1000);
const POINTS = 240;
const STEP_MS = 15_000;
const mib = (bytes) => (bytes === null || bytes === undefined ? null : Math.round((10 * bytes) / 2 ** 20) / 10);

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

/** Bytes of what the analysis holds per metric, read where the objects allow it (null otherwise). */
function analysisHoldings(engine) {
  const analyzer = engine.analyzers?.get?.('default');
  const states = analyzer?.states;
  const arena = analyzer?.arena?.buffer?.byteLength ?? null;
  if (!(states instanceof Map)) return { capacity: analyzer?.capacity ?? null, robust: null, arena };
  let robust = 0;
  for (const s of states.values()) {
    const bytes = s.anomaly?.bank?.byteLength;
    // Before the compact bank: a ring and a sorted copy of 8 bytes a point each.
    robust += typeof bytes === 'number' ? bytes : s.anomaly?.bank ? s.anomaly.bank.series * s.anomaly.bank.window * 16 : 0;
  }
  return { capacity: analyzer.capacity, robust, arena };
}

async function exporterChild(withAnalysis) {
  const { parseConfigObject } = await import(dist('config/parse-config.js'));
  const { startExporter } = await import(dist('main.js'));
  const { createLogger } = await import(dist('runtime/logger.js'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const config = parseConfigObject({ web: { listen_address: '127.0.0.1:0' }, analysis: { step: '15s', window: '1h' }, storage: { path: ':memory:' } });
  const exporter = await startExporter({ config, clock, manualSteps: true, logger: createLogger({ level: 'error', format: 'json', write: () => undefined }), env: {} });
  const { registry, engine } = exporter;
  const swarm = new SwarmScenario({ scenario: 'aligned', agents: AGENTS, window: POINTS });
  let cycleMs = 0;
  for (let step = 0; step < POINTS + 5; step++) {
    const { samples } = swarm.samplesAt(step);
    if (step === 0) {
      // Through the real HTTP route (node:http, as an agent's client would; fetch would load undici
      // into the exporter's process, which the exporter itself does not need to hold agents).
      const per = 100 * swarm.metrics.length;
      for (let k = 0; k < samples.length; k += per) {
        const status = await post(`${exporter.url}/api/v1/samples`, JSON.stringify({ samples: samples.slice(k, k + per) }));
        if (status !== 202) throw new Error(`ingest failed: ${status}`);
      }
    } else {
      const outcome = registry.ingest(samples, 'push');
      if (outcome.rejected > 0) throw new Error(`ingest rejected ${outcome.rejected}: ${outcome.errors[0]?.reason}`);
    }
    if (withAnalysis) {
      const t0 = performance.now();
      await engine.cycle();
      cycleMs = performance.now() - t0;
    } else registry.step();
    clock.advance(STEP_MS);
  }
  await get(`${exporter.url}/metrics`);
  globalThis.gc?.();
  await new Promise((r) => setTimeout(r, 200));
  globalThis.gc?.();
  const windows = registry.swarm('default')?.windows;
  let ringBytes = 0;
  let series = 0;
  for (const metric of windows.metrics()) {
    for (const ring of windows.seriesOf(metric).values()) {
      ringBytes += ring.byteLength;
      series += 1;
    }
  }
  const holdings = analysisHoldings(engine);
  process.stdout.write(
    JSON.stringify({
      ...process.memoryUsage(),
      peak: process.resourceUsage().maxRSS * 1024,
      filled: windows.filled,
      series,
      ringBytes,
      corrStateBytes: engine.budget.usedBytes,
      robustBytes: holdings.robust,
      arenaBytes: holdings.arena,
      capacity: holdings.capacity,
      lastCycleMs: cycleMs,
    }),
  );
  await exporter.stop();
  process.exit(0);
}

if (process.argv[2] === 'child') await exporterChild(true);
else if (process.argv[2] === 'store-only') await exporterChild(false);
else if (process.argv[2] === 'peer') {
  const arrays = Array.from({ length: AGENTS * 10 }, () => Float64Array.from({ length: POINTS }, () => Math.random()));
  globalThis.gc?.();
  process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, held: arrays.length }));
  process.exit(0);
} else {
  const run = (mode) => {
    const flags = mode === 'peer' ? [] : (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const r = spawnSync(process.execPath, ['--expose-gc', ...flags, fileURLToPath(import.meta.url), mode], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`${mode} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const ours = run('child');
  const store = run('store-only');
  const peer = run('peer');
  // The correlation states live in the kernels' WebAssembly memory, outside arrayBuffers.
  const inBuffers = ours.ringBytes + (ours.robustBytes ?? 0);
  emit({
    bench: 'memory_rss',
    agents: AGENTS,
    metrics_per_agent: 10,
    window_points: POINTS,
    windows_filled: ours.filled,
    analysis: 'a cycle at every step',
    node_flags: process.env.BENCH_NODE_FLAGS ?? '',
    ours_rss_mib: mib(ours.rss),
    ours_peak_rss_mib: mib(ours.peak),
    ours_heap_used_mib: mib(ours.heapUsed),
    ours_heap_total_mib: mib(ours.heapTotal),
    ours_array_buffers_mib: mib(ours.arrayBuffers),
    store_rings_mib: mib(ours.ringBytes),
    robust_windows_mib: mib(ours.robustBytes),
    correlation_states_mib: mib(ours.corrStateBytes),
    // The kernels' WebAssembly memory: the correlation states, their scratch and freed blocks
    // (it grows, never shrinks), outside arrayBuffers.
    other_array_buffers_mib: mib(ours.arrayBuffers - inBuffers),
    kernel_memory_mib: mib(ours.arenaBytes),
    rest_of_rss_mib: mib(ours.rss - ours.heapTotal - ours.arrayBuffers - (ours.arenaBytes ?? ours.corrStateBytes)),
    slot_capacity: ours.capacity,
    last_cycle_ms: Math.round(ours.lastCycleMs),
    without_analysis_rss_mib: mib(store.rss),
    without_analysis_heap_used_mib: mib(store.heapUsed),
    without_analysis_array_buffers_mib: mib(store.arrayBuffers),
    analysis_adds_rss_mib: mib(ours.rss - store.rss),
    peer: 'bare node holding the same Float64Arrays',
    peer_rss_mib: mib(peer.rss),
    target_mib: 150,
    pass: mib(ours.rss) <= 150,
  });
}
