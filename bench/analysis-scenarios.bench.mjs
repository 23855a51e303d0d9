// The analysis cycle on real swarm dynamics (bench/lib/swarm-scenarios.mjs): the whole swarm at
// once, canonical metrics only, staggered joins, churn with expiry, missed pushes; 8 canonical + 2
// custom metrics, the default analysis step and window (15 s, 30 m: W = 120). Each scenario runs in
// its own process through the exporter's composition root (startExporter with a manual clock:
// AgentRegistry ingest, AnalysisEngine.cycle()), so its peak RSS is its own. Peers in the same run,
// on the very windows the analysis saw at its last cycle: numpy's pairwise-complete correlation
// from mask products and pandas' DataFrame.corr, BLAS on one thread.
//
// Reported per scenario: the median cycle once the swarm is settled (for staggered joins: once the
// joiners have a quarter window of points, the state the rest of the window looks like; for the
// others every cycle after the first), the first cycle after a join (kept, not dropped), the
// slowest cycle after the first, the first cycle on a full window (a bench shortcut: the window is filled without
// analysis, so that cycle seeds every state; a live exporter starts with empty windows), peak RSS.
//
// Targets (issue 12): 1,000 agents × 10 metrics: staggered, churn and missed each ≤ 1.5× the aligned
// median and ≤ 0.5× the numpy peer; 5,000 × 10 with churn: every cycle after the seeding one
// < 25 % of the 15 s step, peak RSS ≤ 1 GiB.
//
// Environment: BENCH_AGENTS (sizes, default "1000,5000"), BENCH_SCENARIOS (default all at 1,000;
// aligned and churn at larger sizes; "all" for all), BENCH_CYCLES (settled cycles, default 8),
// BENCH_BUDGET_S (stop a scenario's cycles after this long, default 150; the first cycle after a
// join, the one after it and two settled cycles always run), BENCH_PANDAS_METRICS (metrics pandas is timed
// on, scaled to all; default 10 at ≤ 1,000 agents, 1 above). Run `npm run build` first.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, SwarmScenario, gapShare } from './lib/swarm-scenarios.mjs';
import { ManualClock } from './lib/manual-clock.mjs';

const dist = (path) => new URL(`../dist/src/${path}`, import.meta.url).href;
const STEP_MS = 15_000;
const WINDOW = '30m';
const W = 120;
/** The analysis' least overlap for a pair (correlation-track.ts, minOverlapFor), given to the peers. */
const MIN_OVERLAP = Math.min(W, Math.max(10, Math.ceil(W / 4)));
const STEP_TARGET_MS = 0.25 * STEP_MS;

const sizes = (process.env.BENCH_AGENTS ?? '1000,5000').split(',').map(Number);
const cyclesWanted = Number(process.env.BENCH_CYCLES ?? 8);
const budgetMs = 1000 * Number(process.env.BENCH_BUDGET_S ?? 150);

function scenariosFor(n) {
  const asked = process.env.BENCH_SCENARIOS;
  if (asked === 'all') return SCENARIOS;
  if (asked !== undefined) return asked.split(',');
  return n <= 1000 ? SCENARIOS : ['aligned', 'churn'];
}

const mib = (bytes) => Math.round(bytes / 2 ** 20);
const round = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Child: one scenario at one size; prints one JSON object and leaves the windows in `dataPath`. */
async function child(scenario, n, dataPath) {
  const { parseConfigObject } = await import(dist('config/parse-config.js'));
  const { startExporter } = await import(dist('main.js'));
  const { createLogger } = await import(dist('runtime/logger.js'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  // Defaults everywhere but the room for churn's leavers (they stay until agents.expire_after).
  const config = parseConfigObject({
    web: { listen_address: '127.0.0.1:0' },
    storage: { path: ':memory:' },
    agents: { max_agents: 3 * n },
    analysis: { step: `${STEP_MS / 1000}s`, window: WINDOW },
  });
  const exporter = await startExporter({
    config,
    clock,
    manualSteps: true,
    logger: createLogger({ level: 'error', format: 'json', write: () => undefined }),
    env: {},
  });
  const { registry, engine } = exporter;
  if (registry.windowPoints !== W) throw new Error(`expected W = ${W}, got ${registry.windowPoints}`);
  const swarm = new SwarmScenario({ scenario, agents: n, window: W });
  const push = (step) => {
    const { samples, joined } = swarm.samplesAt(step);
    for (const index of joined) registry.heartbeat('default', swarm.id(index), swarm.metadata(index));
    const outcome = registry.ingest(samples, 'push');
    if (outcome.rejected > 0) throw new Error(`ingest rejected ${outcome.rejected}: ${outcome.errors[0]?.reason}`);
  };
  // The window first, without analysis; the first cycle then seeds every state from it.
  const fillStarted = performance.now();
  let step = 0;
  for (; step < W - 1; step += 1) {
    push(step);
    registry.step();
    clock.advance(STEP_MS);
  }
  const fillMs = performance.now() - fillStarted;
  globalThis.gc?.();
  const rssBeforeAnalysis = process.memoryUsage().rss;
  const cycles = [];
  const started = performance.now();
  const hasJoins = scenario === 'staggered' || scenario === 'churn';
  let joinsMeasured = 0;
  let settled = 0;
  for (; ; step += 1) {
    const done = cycles.length;
    // The first cycle after a join is measured, and the one after it, whatever the budget; so are
    // the cycles that bring a staggered swarm to its settled state, and two settled ones.
    const mustGoOn = (hasJoins && joinsMeasured === 0) || cycles.at(-1)?.join === true || settled < 2;
    if (!mustGoOn && (settled >= cyclesWanted || performance.now() - started > budgetMs)) break;
    const join = done > 0 && swarm.joinsAt(step);
    const isSettled = done > 0 && swarm.settledAt(step);
    push(step);
    const t0 = performance.now();
    await engine.cycle();
    cycles.push({ ms: performance.now() - t0, join, seed: done === 0, settled: isSettled });
    if (join) joinsMeasured += 1;
    if (isSettled) settled += 1;
    clock.advance(STEP_MS);
  }
  const state = registry.swarm('default');
  const agents = [...state.agents.keys()];
  const rows = agents.length;
  // The windows the last cycle analysed, every agent present (failed ones too), for the peers.
  const data = new Float64Array(swarm.metrics.length * rows * W);
  swarm.metrics.forEach((metric, m) => {
    agents.forEach((agent, i) => {
      const at = (m * rows + i) * W;
      if (state.windows.view(metric, agent)) data.set(state.windows.chronological(metric, agent), at);
      else data.fill(Number.NaN, at, at + W);
    });
  });
  writeFileSync(dataPath, Buffer.from(data.buffer));
  const analyzer = engine.analyzers?.get?.('default');
  const snapshot = engine.latest().get('default');
  const result = {
    cycles,
    rows,
    metrics: swarm.metrics.length,
    fill_ms: fillMs,
    gap_cells_pct: 100 * gapShare(state.windows),
    missed_samples_pct: (100 * swarm.missedSamples) / Math.max(1, swarm.missedSamples + swarm.pushedSamples),
    rss_before_analysis_mib: mib(rssBeforeAnalysis),
    rss_mib: mib(process.memoryUsage().rss),
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    heap_used_mib: mib(process.memoryUsage().heapUsed),
    capacity: analyzer?.capacity,
    tiers: analyzer?.tiers ? Object.fromEntries(analyzer.tiers()) : undefined,
    top_pairs: Object.values(snapshot?.top_pairs ?? {}).reduce((sum, p) => sum + p.length, 0),
  };
  await exporter.stop();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function runChild(scenario, n, dataPath) {
  const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), 'child', scenario, String(n), dataPath], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
  });
  if (run.status !== 0) throw new Error(`${scenario} at ${n} failed (${run.status ?? run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

function runPeers(dataPath, metrics, rows, n) {
  const pandasMetrics = Number(process.env.BENCH_PANDAS_METRICS ?? (n <= 1000 ? metrics : 1));
  const reps = n <= 1000 ? 5 : 1;
  const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_MAIN_FREE: '1' };
  const script = fileURLToPath(new URL('./lib/pairwise_peer.py', import.meta.url));
  const run = spawnSync(
    python,
    [script, dataPath, String(metrics), String(rows), String(W), String(MIN_OVERLAP), String(reps), String(pandasMetrics)],
    { env, encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) throw new Error(`peer failed (${python}): ${run.stderr || run.error}`);
  return JSON.parse(run.stdout);
}

function main() {
  for (const n of sizes) {
    let alignedMedian;
    for (const scenario of scenariosFor(n)) {
      const dir = mkdtempSync(join(tmpdir(), 'bench-scenarios-'));
      try {
        const dataPath = join(dir, 'windows.f64');
        const r = runChild(scenario, n, dataPath);
        const peer = runPeers(dataPath, r.metrics, r.rows, n);
        const after = r.cycles.filter((c) => !c.seed).map((c) => c.ms);
        const joins = r.cycles.filter((c) => c.join).map((c) => c.ms);
        const med = median(r.cycles.filter((c) => c.settled).map((c) => c.ms));
        if (scenario === 'aligned') alignedMedian = med;
        const vsAligned = alignedMedian === undefined ? null : med / alignedMedian;
        const vsNumpy = med / peer.numpy_ms;
        const maxAfterSeed = Math.max(...after);
        let target = null;
        let pass = null;
        if (n === 1000 && ['staggered', 'churn', 'missed'].includes(scenario)) {
          target = 'median <= 1.5x aligned and <= 0.5x numpy';
          pass = vsAligned !== null && vsAligned <= 1.5 && vsNumpy <= 0.5;
        } else if (n === 5000 && scenario === 'churn') {
          target = `every cycle after the seeding one < ${STEP_TARGET_MS} ms, peak RSS <= 1024 MiB`;
          pass = maxAfterSeed < STEP_TARGET_MS && r.peak_rss_mib <= 1024;
        }
        process.stdout.write(
          `${JSON.stringify({
            bench: 'analysis_scenario',
            scenario,
            n,
            metrics: r.metrics,
            w: W,
            median_ms: round(med),
            first_after_join_ms: round(joins[0] ?? null),
            join_cycles_ms: joins.map(round),
            max_ms: round(maxAfterSeed),
            seed_ms: round(r.cycles[0].ms),
            cycles: after.length,
            settled_cycles: r.cycles.filter((c) => c.settled).length,
            median_all_ms: round(median(after)),
            peak_rss_mib: r.peak_rss_mib,
            rss_before_analysis_mib: r.rss_before_analysis_mib,
            vs_aligned: vsAligned === null ? null : Math.round(vsAligned * 1000) / 1000,
            peer: 'numpy pairwise-complete (mask products), every metric',
            peer_ms: round(peer.numpy_ms),
            vs_numpy: Math.round(vsNumpy * 1000) / 1000,
            pandas_ms: round(peer.pandas_ms),
            pandas_metrics_timed: peer.pandas_metrics_timed,
            peer_max_abs_diff: peer.max_abs_diff,
            peer_nan_mismatches: peer.nan_mismatches,
            target,
            pass,
            rows: r.rows,
            capacity: r.capacity,
            gap_cells_pct: Math.round(r.gap_cells_pct * 100) / 100,
            missed_samples_pct: Math.round(r.missed_samples_pct * 100) / 100,
            tiers: r.tiers,
            top_pairs: r.top_pairs,
            fill_ms: round(r.fill_ms),
            cycle_ms: r.cycles.map((c) => round(c.ms)),
          })}\n`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
}

if (process.argv[2] === 'child') await child(process.argv[3], Number(process.argv[4]), process.argv[5]);
else main();
