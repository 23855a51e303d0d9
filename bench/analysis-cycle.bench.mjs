// The whole analysis cycle (AnalysisEngine.cycle(): registry step, every kernel on every metric,
// snapshot) on a full window, each size in a fresh child process so its RSS is its own:
//  - 1,000 agents × 8 metrics, W = 120: against numpy computing only the 8 correlation matrices
//    (np.corrcoef, OpenBLAS on one thread) in the same run — target: less;
//  - 5,000 agents × 8 metrics: the slowest cycle against 25 % of a 15 s step, peak RSS ≤ 1 GiB
//    (numpy's 8 matrices reported alongside);
//  - stretch: 10,000 agents × 1 metric at a 1 s step (numpy's matrix alongside).
// Run `npm run build` first: it imports ../dist/src.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { best, numpyPeer, seeded, windowOf } from './analysis/harness.mjs';
import { ManualClock } from './lib/manual-clock.mjs';

const dist = (path) => new URL(`../dist/src/${path}`, import.meta.url).href;
const W = 120;
const METRICS = [
  'cpu_usage',
  'memory_usage',
  'response_time',
  'throughput',
  'error_rate',
  'queue_depth',
  'active_tasks',
  'coordination_load',
];
const RATIOS = new Set(['cpu_usage', 'memory_usage', 'error_rate', 'coordination_load']);

const CONFIGS = {
  n1000: { n: 1000, metrics: 8, stepMs: 15_000, cycles: 20 },
  n5000: { n: 5000, metrics: 8, stepMs: 15_000, cycles: 6 },
  n10000: { n: 10_000, metrics: 1, stepMs: 1000, cycles: 6 },
};
const WARM_UP_CYCLES = 3;

/**
 * A swarm's metric as agents produce it: four shared load factors (AR(1), so load moves smoothly),
 * each agent's own weight, offset and noise. `value(i)` is agent i's value at the current step.
 */
function metricSource(n, seed, ratio) {
  const rng = seeded(seed);
  const weight = Float64Array.from({ length: n }, () => 0.2 + 0.8 * rng.next());
  const offset = Float64Array.from({ length: n }, () => rng.next());
  const factors = new Float64Array(4);
  return {
    advance() {
      for (let k = 0; k < 4; k += 1) factors[k] = 0.8 * factors[k] + 0.6 * rng.gauss();
    },
    value(i) {
      const x = weight[i] * factors[i % 4] + rng.gauss();
      return ratio ? Math.min(1, Math.max(0, 0.3 + 0.4 * offset[i] + 0.04 * x)) : Math.max(0, 5 + 10 * offset[i] + x);
    },
  };
}

/** Child: fill the windows, run the cycles, print one JSON object. */
async function child(name) {
  const { n, metrics, stepMs, cycles } = CONFIGS[name];
  const { AgentRegistry } = await import(dist('store/agent-registry.js'));
  const { AnalysisEngine } = await import(dist('analysis-cycle/analysis-engine.js'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const registry = new AgentRegistry(
    { heartbeatTimeoutMs: 3 * stepMs, expireAfterMs: 600 * stepMs, maxAgents: n, maxCustomMetrics: 8, stepMs, windowMs: W * stepMs },
    clock,
  );
  const engine = new AnalysisEngine(
    registry,
    { stepMs, windowPoints: W, topPairs: 20, maxLag: 10, anomalyThreshold: 3.5, forecastHorizonsMs: [300_000, 900_000, 3_600_000] },
    clock,
  );
  const names = METRICS.slice(0, metrics);
  const sources = names.map((m, k) => metricSource(n, 1000 * k + n, RATIOS.has(m)));
  const ids = Array.from({ length: n }, (_, i) => `agent-${i}`);
  for (let i = 0; i < n; i += 1)
    registry.heartbeat('default', ids[i], { type: i % 5 === 0 ? 'planner' : 'worker', variant: i % 3 === 0 ? 'v2' : 'v1', capacity: 16 });
  const samples = new Array(n * metrics);
  const ingestTimes = [];
  const push = () => {
    let k = 0;
    names.forEach((metric, m) => {
      sources[m].advance();
      for (let i = 0; i < n; i += 1) samples[k++] = { agent: ids[i], metric, value: sources[m].value(i) };
    });
    const t0 = performance.now();
    registry.ingest(samples, 'push');
    ingestTimes.push(performance.now() - t0);
  };
  // The window first, without analysis (the first cycle seeds every state from it), then cycles.
  for (let t = 0; t < W - 1; t += 1) {
    push();
    registry.step();
    clock.advance(stepMs);
  }
  // The registry's own step (liveness, health, window write) is part of a cycle; timed apart too.
  // The engine runs it in slices (stepInSlices): the time of all its slices is summed.
  const stepTimes = [];
  const registryStep = registry.stepInSlices.bind(registry);
  registry.stepInSlices = function* timedStep() {
    const work = registryStep();
    let spent = 0;
    for (;;) {
      const t0 = performance.now();
      const next = work.next();
      spent += performance.now() - t0;
      if (next.done) break;
      yield;
    }
    stepTimes.push(spent);
  };
  const times = [];
  for (let c = 0; c < WARM_UP_CYCLES + cycles; c += 1) {
    push();
    const t0 = performance.now();
    await engine.cycle();
    if (c >= WARM_UP_CYCLES) times.push(performance.now() - t0);
    clock.advance(stepMs);
  }
  const analysis = engine.latest().get('default');
  const analyzer = engine.analyzers?.get?.('default');
  const mib = (bytes) => Math.round(bytes / 2 ** 20);
  process.stdout.write(
    `${JSON.stringify({
      times,
      ingest_ms: best(ingestTimes.slice(-cycles)),
      registry_step_ms: best(stepTimes.slice(-cycles)),
      rss_mib: mib(process.memoryUsage().rss),
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
      memory: Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, mib(v)])),
      budget_used_mib: mib(engine.budget.usedBytes),
      capacity: analyzer?.capacity,
      tiers: analyzer ? Object.fromEntries(analyzer.tiers()) : undefined,
      top_pairs: Object.values(analysis?.top_pairs ?? {}).reduce((sum, p) => sum + p.length, 0),
      filled: analysis?.filled_points,
    })}\n`,
  );
}

function runChild(name) {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), 'child', name], { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (run.status !== 0) throw new Error(`${name} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

/** numpy's time for one corrcoef of an n × W window of the same kind of data (best of `reps`). */
function numpyCorrcoef(n, reps) {
  const source = metricSource(n, 7, false);
  const data = new Float64Array(n * W);
  for (let t = 0; t < W; t += 1) {
    source.advance();
    for (let i = 0; i < n; i += 1) data[i * W + t] = source.value(i);
  }
  return numpyPeer('corrcoef', windowOf(data, n, W, 0, W), n, W, reps, 2).best_ms;
}

const round = (x) => Math.round(x * 1000) / 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

function emit(fields) {
  const ratio = fields.ours_ms / fields.peer_ms;
  const limit = Number(fields.target.slice(2));
  const line = {
    bench: fields.bench,
    n: fields.n,
    w: W,
    ours_ms: round(fields.ours_ms),
    peer: fields.peer,
    peer_ms: round(fields.peer_ms),
    ratio: round(ratio),
    target: fields.target,
    pass: ratio <= limit && (fields.extraPass ?? true),
    ...fields.extra,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main() {
  {
    const r = runChild('n1000');
    const peer = numpyCorrcoef(1000, 9);
    emit({
      bench: 'analysis_cycle',
      n: 1000,
      ours_ms: best(r.times),
      peer: 'numpy.corrcoef x8',
      peer_ms: 8 * peer,
      target: '<=1',
      extra: {
        metrics: 8,
        what: 'best cycle: registry step + every kernel + snapshot',
        median_ms: round(median(r.times)),
        max_ms: round(Math.max(...r.times)),
        cycles: r.times.length,
        registry_step_ms: round(r.registry_step_ms),
        ingest_ms: round(r.ingest_ms),
        rss_mib: r.rss_mib,
        peak_rss_mib: r.peak_rss_mib,
        tiers: r.tiers,
      },
    });
  }
  {
    const r = runChild('n5000');
    const peer = numpyCorrcoef(5000, 3);
    const slowest = Math.max(...r.times);
    emit({
      bench: 'analysis_cycle_5000',
      n: 5000,
      ours_ms: slowest,
      peer: '25% of a 15 s step',
      peer_ms: 0.25 * 15_000,
      target: '<=1',
      extraPass: r.peak_rss_mib <= 1024,
      extra: {
        metrics: 8,
        what: 'slowest cycle',
        median_ms: round(median(r.times)),
        best_ms: round(best(r.times)),
        cycles: r.times.length,
        peak_rss_mib: r.peak_rss_mib,
        rss_limit_mib: 1024,
        rss_mib: r.rss_mib,
        memory_mib: r.memory,
        numpy_corrcoef_x8_ms: round(8 * peer),
        capacity: r.capacity,
        budget_used_mib: r.budget_used_mib,
        tiers: r.tiers,
        registry_step_ms: round(r.registry_step_ms),
        ingest_ms: round(r.ingest_ms),
      },
    });
  }
  {
    const r = runChild('n10000');
    const peer = numpyCorrcoef(10_000, 2);
    emit({
      bench: 'analysis_cycle_10000_stretch',
      n: 10_000,
      ours_ms: Math.max(...r.times),
      peer: '1 s step',
      peer_ms: 1000,
      target: '<=1',
      extra: {
        metrics: 1,
        what: 'slowest cycle',
        median_ms: round(median(r.times)),
        cycles: r.times.length,
        peak_rss_mib: r.peak_rss_mib,
        numpy_corrcoef_ms: round(peer),
        capacity: r.capacity,
        tiers: r.tiers,
        registry_step_ms: round(r.registry_step_ms),
        ingest_ms: round(r.ingest_ms),
      },
    });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]);
else await main();
