// Every analysis kernel a cycle needs, for one swarm of N agents × 8 metrics at W = 120, against
// numpy computing only the 8 correlation matrices (OpenBLAS, one thread) in the same run. Kernels
// only: no window store, snapshot or exposition (the analysis cycle adds those).
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { best, dist, emit, numpyPeer, swarmSeries, windowOf } from './analysis/harness.mjs';

const { StreamingCorrelation } = await import(dist('streaming-correlation.js'));
const { KernelArena } = await import(dist('kernel-arena.js'));
const { RobustWindowBank } = await import(dist('robust-window-bank.js'));
const { leadLag } = await import(dist('lead-lag.js'));
const { metricCorrelation } = await import(dist('metric-correlation.js'));
const { findAnomalyClusters } = await import(dist('anomaly-clusters.js'));
const { linearTrend } = await import(dist('linear-trend.js'));
const { bottleneckScores } = await import(dist('bottleneck.js'));
const { loadBalance } = await import(dist('load-balance.js'));
const { fitHolt, holtForecast } = await import(dist('holt.js'));
const { saturationSteps, recommendAgents } = await import(dist('capacity-forecast.js'));

const M = 8;
const W = 120;
const RECENT = 5;

for (const [n, defaultCycles] of [
  [1000, 20],
  [5000, 5],
]) {
  const CYCLES = Number(process.env.BENCH_CYCLES ?? defaultCycles);
  const total = W + CYCLES;
  const data = Array.from({ length: M }, (_, m) => swarmSeries(n, total, 1000 * m + n));
  const arena = new KernelArena();
  const states = data.map((d) => {
    const s = new StreamingCorrelation({ capacity: n, window: W, arena });
    const window = windowOf(d, n, total, 0, W);
    s.seed(Array.from({ length: n }, (_, i) => window.subarray(i * W, (i + 1) * W)));
    return s;
  });
  const banks = data.map(() => new RobustWindowBank({ series: n, window: W }));
  // Rings the store would hold (same head for every metric), filled with the first W steps.
  const rings = data.map((d) => windowOf(d, n, total, 0, W));
  const z = data.map(() => new Float64Array(n));
  const flags = data.map(() => new Uint8Array(n * RECENT));
  const column = new Float64Array(n);
  for (let t = 0; t < W; t += 1) {
    for (let m = 0; m < M; m += 1) {
      for (let i = 0; i < n; i += 1) column[i] = data[m][i * total + t];
      banks[m].push(column, z[m]);
    }
  }
  const chrono = (ring, i, head, out) => {
    for (let k = 0; k < W; k += 1) out[k] = ring[i * W + ((head + k) % W)];
    return out;
  };
  const x = new Float64Array(W);
  const y = new Float64Array(W);
  const scratch = new Float64Array(M * W);
  const metricPairs = new Float64Array(n * 28);
  const times = [];
  let summaryCount = 0;
  for (let c = 0; c < CYCLES; c += 1) {
    const step = W + c;
    const head = (step + 1) % W; // oldest slot after this step's write
    const t0 = performance.now();
    const leads = [];
    for (let m = 0; m < M; m += 1) {
      for (let i = 0; i < n; i += 1) {
        const v = data[m][i * total + step];
        column[i] = v;
        rings[m][i * W + (step % W)] = v;
      }
      states[m].pushAndCorrelate(column);
      const summary = states[m].summary(20);
      summaryCount += summary.top.length;
      banks[m].push(column, z[m]);
      const f = flags[m];
      for (let i = 0; i < n; i += 1) {
        f.copyWithin(i * RECENT, i * RECENT + 1, (i + 1) * RECENT);
        f[(i + 1) * RECENT - 1] = Math.abs(z[m][i]) >= 3.5 ? 1 : 0;
      }
      for (const p of summary.top) {
        const found = leadLag(chrono(rings[m], p.a, head, x), chrono(rings[m], p.b, head, y), 10);
        if (found !== null && found.lag !== 0)
          leads.push(
            found.lag > 0
              ? { leader: p.a, follower: p.b, lagSteps: found.lag, r: found.r }
              : { leader: p.b, follower: p.a, lagSteps: -found.lag, r: found.r },
          );
      }
    }
    const series = new Array(M);
    for (let i = 0; i < n; i += 1) {
      for (let m = 0; m < M; m += 1) series[m] = rings[m].subarray(i * W, (i + 1) * W);
      metricCorrelation(series, { scratch, out: metricPairs.subarray(i * 28, (i + 1) * 28) });
    }
    findAnomalyClusters({
      agents: n,
      steps: RECENT,
      minAbsR: 0.7,
      threshold: 3.5,
      minOverlap: Math.max(10, W / 4),
      // Links are judged on the flagged agents' windows without their anomalous steps (as the analyzer does).
      layers: flags.map((f, m) => ({ metric: `m${m}`, anomalous: f })),
      series: (layer, slot) => chrono(rings[layer], slot, head, new Float64Array(W)),
    });
    const util = new Float64Array(n);
    const slope = new Float64Array(n);
    const latency = new Float64Array(n);
    const load = new Float64Array(W);
    for (let i = 0; i < n; i += 1) {
      util[i] = Math.min(1, Math.abs(column[i]) / 200);
      slope[i] = linearTrend(chrono(rings[5], i, head, x)).slope / 15;
      latency[i] = banks[2].median(i);
      for (let k = 0; k < W; k += 1) load[k] += x[k];
    }
    bottleneckScores({ utilisation: util, queueSlope: slope, throughput: util, queueDepth: util, windowSeconds: W * 15, latency, leads });
    loadBalance(util);
    const fit = fitHolt(load);
    const forecasts = [20, 60, 240].map((h) => holtForecast(fit, h));
    saturationSteps(fit, 1e9);
    recommendAgents(
      [
        { type: 'a', agents: n / 2, capacity: n * 5, load: 1 },
        { type: 'b', agents: n / 2, capacity: n * 5, load: 2 },
      ],
      forecasts[2],
    );
    times.push(performance.now() - t0);
  }
  const peer = numpyPeer('corrcoef', windowOf(data[0], n, total, total - W, W), n, W, n >= 5000 ? 3 : 7, 2);
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  emit({
    bench: 'analysis_kernels_cycle',
    n,
    w: W,
    ours_ms: best(times),
    peer: 'numpy.corrcoef x8',
    peer_ms: 8 * peer.best_ms,
    target: '<=1',
    extra: {
      metrics: M,
      cycles: CYCLES,
      share_of_15s_step: Math.round((best(times) / 15_000) * 1e4) / 1e4,
      rss_mb: rssMb,
      arena_mb: Math.round(arena.reservedBytes / 2 ** 20),
      backend: arena.backend,
      top_pairs_seen: summaryCount,
    },
  });
}
