// Resident memory of a running exporter process holding one realistic swarm: 1,000 agents pushing
// 10 metrics each (8 canonical + 2 custom) over HTTP, 240-point windows (15 s step, 1 h window)
// filled, churn with expiry (2 % of the agents replaced every 4 steps, the leavers expire after
// agents.expire_after) and missed pushes (1 % of agent pushes dropped), an analysis cycle at every
// step as a live exporter runs them. Target (issue 12): RSS ≤ 150 MiB.
//
// The exporter runs alone in a child process (the composition root with a manual clock, stepped by
// this process over IPC); the swarm is generated here and pushed to it through the real HTTP route,
// so the child's heap holds what an exporter holds (request bodies, parsed samples), not the
// generator's objects. Beside it, in the same run:
//  - the same exporter with the same pushes and steps but no analysis cycle (what the analysis adds);
//  - the same exporter started with no agent at all (Node, libraries, SQLite: the fixed part);
//  - a bare Node process holding the same raw numbers in plain Float64Arrays (the floor).
// The report names the consumers: the store's rings, the robust windows, the N² correlation states
// (the streaming budget's account) and the kernels' WebAssembly memory that holds them, the rest of
// the array buffers (the streaming states' private window copies among them), the V8 heap (its
// young generation apart: the garbage of ingest lives there) and what is left (Node's own code and
// libraries, allocator slack).
// Environment: BENCH_AGENTS (default 1000), BENCH_NODE_FLAGS (extra Node flags for the exporter
// processes, e.g. "--max-semi-space-size=2"), BENCH_MODES (comma list of analysis, store, idle, peer;
// default all). Run `npm run build` first.
import { fork, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';
import { seeded } from './analysis/harness.mjs';
import { emit } from './lib/processes.mjs';
import { SwarmScenario } from './lib/swarm-scenarios.mjs';
import { ManualClock } from './lib/manual-clock.mjs';

const dist = (path) => new URL(`../dist/src/${path}`, import.meta.url).href;
const AGENTS = Number(process.env.BENCH_AGENTS ?? 1000);
const POINTS = 240;
const STEP_MS = 15_000;
/** Cycles after the window is full, the RSS is sampled after each (the steady state). */
const EXTRA_STEPS = 12;
/** Share of agent pushes (all ten metrics of one agent at one step) that never arrive. */
const MISSED_PUSH_RATE = 0.01;
const AGENTS_PER_REQUEST = 100;
const mib = (bytes) => (bytes === null || bytes === undefined ? null : Math.round((10 * bytes) / 2 ** 20) / 10);

function post(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
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

/** RssAnon / RssFile of this process, bytes (Linux; null elsewhere). */
function rssParts() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return { anon: null, file: null };
  }
}

/** Debugging aid: the largest resident mappings of this process, to stderr. */
function dumpSmaps() {
  const text = readFileSync('/proc/self/smaps', 'utf8');
  const maps = [];
  let current = null;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      current = { size: (parseInt(head[2], 16) - parseInt(head[1], 16)) / 1024, name: head[3] || '[anon]', rss: 0 };
      maps.push(current);
    } else if (current && line.startsWith('Rss:')) current.rss = Number(line.split(/\s+/)[1]);
  }
  maps.sort((a, b) => b.rss - a.rss);
  for (const m of maps.slice(0, 25)) process.stderr.write(`${(m.rss / 1024).toFixed(1)} MiB of ${(m.size / 1024).toFixed(1)} ${m.name}\n`);
}

/** Bytes of what the analysis holds, read where the objects allow it (null otherwise). */
function analysisHoldings(engine) {
  const analyzer = engine.analyzers?.get?.('default');
  const states = analyzer?.states;
  const arena = analyzer?.arena?.buffer?.byteLength ?? null;
  // The arena's high-water mark and the freed blocks below it (a grown state leaves its old block).
  const arenaTop = typeof analyzer?.arena?.top === 'number' ? analyzer.arena.top : null;
  const freeList = analyzer?.arena?.freeList;
  const arenaFree = Array.isArray(freeList) ? freeList.reduce((sum, b) => sum + (b.bytes ?? 0), 0) : null;
  if (!(states instanceof Map)) return { capacity: analyzer?.capacity ?? null, robust: null, arena, arenaTop, arenaFree };
  let robust = 0;
  for (const s of states.values()) robust += s.anomaly?.bankBytes ?? 0;
  return { capacity: analyzer.capacity, robust, arena, arenaTop, arenaFree };
}

/** The exporter process: started with a manual clock, stepped by the parent over IPC. */
async function exporterChild(mode) {
  const { parseConfigObject } = await import(dist('config/parse-config.js'));
  const { startExporter } = await import(dist('main.js'));
  const { createLogger } = await import(dist('runtime/logger.js'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const config = parseConfigObject({
    web: { listen_address: '127.0.0.1:0' },
    analysis: { step: '15s', window: '1h' },
    storage: { path: ':memory:' },
  });
  const exporter = await startExporter({
    config,
    clock,
    manualSteps: true,
    logger: createLogger({ level: 'error', format: 'json', write: () => undefined }),
    env: {},
  });
  const { registry, engine } = exporter;
  // Young-generation collections: how much short-lived garbage ingest and cycles make.
  let scavenges = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail?.kind === 1) scavenges += 1;
  });
  gcs.observe({ entryTypes: ['gc'] });
  const samples = [];
  let cycleMs = 0;
  process.on('message', async (msg) => {
    if (msg.cmd === 'step') {
      const t0 = performance.now();
      if (mode === 'analysis') await engine.cycle();
      else registry.step();
      cycleMs = performance.now() - t0;
      clock.advance(STEP_MS);
      if (msg.sample) samples.push(process.memoryUsage().rss);
      process.send({ ok: true });
    } else if (msg.cmd === 'report') {
      const steadyRss = samples.length > 0 ? samples.slice().sort((a, b) => a - b)[samples.length >> 1] : null;
      const steadyMaxRss = samples.length > 0 ? Math.max(...samples) : null;
      const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      globalThis.gc?.();
      await new Promise((r) => setTimeout(r, 200));
      globalThis.gc?.();
      const windows = registry.swarm('default')?.windows;
      let ringBytes = 0;
      let series = 0;
      for (const metric of windows?.metrics() ?? []) {
        for (const ring of windows.seriesOf(metric).values()) {
          ringBytes += ring.byteLength;
          series += 1;
        }
      }
      const holdings = analysisHoldings(engine);
      if (process.env.BENCH_SMAPS) dumpSmaps();
      process.send({
        ...process.memoryUsage(),
        ...rssParts(),
        peak: process.resourceUsage().maxRSS * 1024,
        steadyRss,
        steadyMaxRss,
        youngSpaceBytes: young?.space_size ?? null,
        scavenges,
        agents: registry.size,
        filled: windows?.filled ?? 0,
        series,
        ringBytes,
        corrStateBytes: engine.budget.usedBytes,
        robustBytes: holdings.robust,
        arenaBytes: holdings.arena,
        arenaTop: holdings.arenaTop,
        arenaFree: holdings.arenaFree,
        capacity: holdings.capacity,
        lastCycleMs: cycleMs,
      });
      gcs.disconnect();
      await exporter.stop();
      process.exit(0);
    }
  });
  process.send({ url: exporter.url });
}

/** Runs one exporter child through the swarm (none for 'idle') and returns its report. */
async function measureExporter(mode) {
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = fork(fileURLToPath(import.meta.url), [mode], {
    execArgv: ['--expose-gc', ...flags],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies = [];
  let waiting = null;
  child.on('message', (m) => (waiting ? (waiting(m), (waiting = null)) : replies.push(m)));
  const next = () => (replies.length > 0 ? Promise.resolve(replies.shift()) : new Promise((r) => (waiting = r)));
  const ask = (msg) => {
    child.send(msg);
    return next();
  };
  const { url } = await next();
  const swarm = new SwarmScenario({ scenario: 'churn', agents: AGENTS, window: POINTS });
  const rng = seeded(4242 + AGENTS);
  let missed = 0;
  let pushed = 0;
  if (mode !== 'idle') {
    for (let step = 0; step < POINTS + EXTRA_STEPS; step++) {
      const { samples } = swarm.samplesAt(step);
      // Samples come agent by agent (each agent's metrics together): drop whole pushes at random.
      const per = swarm.metrics.length;
      const kept = [];
      for (let k = 0; k < samples.length; k += per) {
        if (rng.next() < MISSED_PUSH_RATE) missed += 1;
        else for (let j = k; j < k + per; j++) kept.push(samples[j]);
      }
      pushed += kept.length / per;
      for (let k = 0; k < kept.length; k += AGENTS_PER_REQUEST * per) {
        const status = await post(`${url}/api/v1/samples`, JSON.stringify({ samples: kept.slice(k, k + AGENTS_PER_REQUEST * per) }));
        if (status !== 202) throw new Error(`ingest failed: ${status}`);
      }
      await ask({ cmd: 'step', sample: step >= POINTS });
    }
  }
  if ((await get(`${url}/metrics`)) !== 200) throw new Error('scrape failed');
  const exit = new Promise((r) => child.once('exit', r));
  const report = await ask({ cmd: 'report' });
  await exit;
  return { ...report, missedPushShare: missed / Math.max(1, missed + pushed) };
}

function peerChild(series) {
  const arrays = [];
  for (let k = 0; k < series; k++) {
    const a = new Float64Array(POINTS);
    for (let t = 0; t < POINTS; t++) a[t] = Math.random();
    arrays.push(a);
  }
  globalThis.gc?.();
  process.stdout.write(JSON.stringify({ rss: process.memoryUsage().rss, held: arrays.length }));
  process.exit(0);
}

const role = process.argv[2];
if (role === 'analysis' || role === 'store' || role === 'idle') await exporterChild(role);
else if (role === 'peer') peerChild(Number(process.argv[3]));
else {
  const modes = new Set((process.env.BENCH_MODES ?? 'analysis,store,idle,peer').split(','));
  const ours = modes.has('analysis') ? await measureExporter('analysis') : null;
  const store = modes.has('store') ? await measureExporter('store') : null;
  const idle = modes.has('idle') ? await measureExporter('idle') : null;
  const series = ours?.series ?? store?.series ?? AGENTS * 10;
  let peer = null;
  if (modes.has('peer')) {
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'peer', String(series)], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    });
    if (r.status !== 0) throw new Error(`peer failed: ${r.stderr}`);
    peer = JSON.parse(r.stdout);
  }
  const o = ours ?? {};
  // The correlation states live in the kernels' WebAssembly memory, outside arrayBuffers.
  const inBuffers = (o.ringBytes ?? 0) + (o.robustBytes ?? 0);
  emit({
    bench: 'memory_rss',
    agents: AGENTS,
    metrics_per_agent: 10,
    window_points: POINTS,
    swarm: 'churn 2 %/4 steps with expiry, 1 % of pushes missed, pushed over HTTP',
    analysis: 'a cycle at every step',
    node_flags: process.env.BENCH_NODE_FLAGS ?? '',
    agents_known: o.agents,
    series: o.series,
    windows_filled: o.filled,
    missed_push_share: o.missedPushShare,
    ours_peak_rss_mib: mib(o.peak),
    ours_steady_rss_mib: mib(o.steadyRss),
    ours_steady_max_rss_mib: mib(o.steadyMaxRss),
    ours_rss_after_gc_mib: mib(o.rss),
    ours_rss_anon_mib: mib(o.anon),
    ours_rss_file_mib: mib(o.file),
    ours_heap_used_mib: mib(o.heapUsed),
    ours_heap_total_mib: mib(o.heapTotal),
    ours_young_space_mib: mib(o.youngSpaceBytes),
    ours_scavenges: o.scavenges,
    ours_array_buffers_mib: mib(o.arrayBuffers),
    store_rings_mib: mib(o.ringBytes),
    robust_windows_mib: mib(o.robustBytes),
    correlation_states_mib: mib(o.corrStateBytes),
    other_array_buffers_mib: mib(o.arrayBuffers - inBuffers),
    // The kernels' WebAssembly memory: the correlation states, their scratch and freed blocks (it
    // grows, never shrinks), outside arrayBuffers.
    kernel_memory_mib: mib(o.arenaBytes),
    kernel_memory_high_water_mib: mib(o.arenaTop),
    kernel_memory_freed_blocks_mib: mib(o.arenaFree),
    rest_of_rss_mib: mib(o.rss - o.heapTotal - o.arrayBuffers - (o.arenaBytes ?? o.corrStateBytes)),
    slot_capacity: o.capacity,
    last_cycle_ms: Math.round(o.lastCycleMs ?? 0),
    without_analysis_peak_rss_mib: mib(store?.peak),
    without_analysis_rss_after_gc_mib: mib(store?.rss),
    without_analysis_heap_total_mib: mib(store?.heapTotal),
    without_analysis_array_buffers_mib: mib(store?.arrayBuffers),
    without_analysis_young_space_mib: mib(store?.youngSpaceBytes),
    without_analysis_scavenges: store?.scavenges,
    analysis_adds_peak_rss_mib: ours && store ? mib(ours.peak - store.peak) : null,
    idle_exporter_rss_mib: mib(idle?.rss),
    idle_exporter_peak_rss_mib: mib(idle?.peak),
    peer: 'bare node holding the same Float64Arrays',
    peer_series: peer?.held,
    peer_rss_mib: mib(peer?.rss),
    target_mib: 150,
    pass: ours ? mib(ours.peak) <= 150 : null,
  });
}
