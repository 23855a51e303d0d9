// Correlation kernels against numpy.corrcoef (OpenBLAS, one thread) on the same windows, measured in
// the same run: the per-step streaming update with every pair's r (N = 1,000 and 5,000; W = 120 and
// 720), and the exact full recompute used for resyncs and the JSON API (N = 1,000).
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { dist, emit, maxAbsErrPacked, best, numpyPeer, swarmSeries, windowOf } from './analysis/harness.mjs';

const { StreamingCorrelation } = await import(dist('streaming-correlation.js'));
const { exactCorrelation } = await import(dist('correlation-matrix.js'));
const { KernelArena } = await import(dist('kernel-arena.js'));

const STEPS = Number(process.env.BENCH_STEPS ?? 12);
const WARMUP = 3;

function rowsOf(window, n, w) {
  return Array.from({ length: n }, (_, i) => window.subarray(i * w, (i + 1) * w));
}

// Per-step update + all r.
for (const [n, w, target] of [
  [1000, 120, '<=0.5'],
  [1000, 720, '<=0.2'],
  [5000, 120, '<=0.5'],
  [5000, 720, '<=0.2'],
]) {
  const total = w + WARMUP + STEPS;
  const data = swarmSeries(n, total, n * 7 + w);
  const state = new StreamingCorrelation({ capacity: n, window: w });
  state.seed(rowsOf(windowOf(data, n, total, 0, w), n, w));
  const column = new Float64Array(n);
  const times = [];
  let r = null;
  for (let s = 0; s < WARMUP + STEPS; s += 1) {
    for (let i = 0; i < n; i += 1) column[i] = data[i * total + w + s];
    const t0 = performance.now();
    r = state.pushAndCorrelate(column);
    const dt = performance.now() - t0;
    if (s >= WARMUP) times.push(dt);
  }
  const refRows = Math.min(n, 1000);
  const peer = numpyPeer('corrcoef', windowOf(data, n, total, total - w, w), n, w, n >= 5000 ? 3 : 7, refRows);
  const maxAbsErr = maxAbsErrPacked(r, n, peer.matrix, refRows);
  // The periodic exact resync (every resyncEvery steps) is not in the per-step time: report it too.
  const t0 = performance.now();
  state.resync();
  const resyncMs = performance.now() - t0;
  emit({
    bench: 'correlation_step',
    n,
    w,
    ours_ms: best(times),
    peer: 'numpy.corrcoef',
    peer_ms: peer.best_ms,
    target,
    max_abs_err: maxAbsErr,
    extra: {
      backend: state.backend,
      steps: STEPS,
      resync_ms: Math.round(resyncMs),
      resync_every: state.resyncEvery,
      checked_pairs: (refRows * (refRows - 1)) / 2,
    },
  });
}

// Exact full recompute.
for (const [n, w] of [
  [1000, 120],
  [1000, 720],
]) {
  const window = windowOf(swarmSeries(n, w, n * 13 + w), n, w, 0, w);
  const rows = rowsOf(window, n, w);
  const arena = new KernelArena();
  const times = [];
  let m = null;
  for (let k = 0; k < 6; k += 1) {
    const t0 = performance.now();
    m = exactCorrelation(rows, { arena });
    const dt = performance.now() - t0;
    if (k > 0) times.push(dt);
  }
  const peer = numpyPeer('corrcoef', window, n, w, 7, n);
  emit({
    bench: 'correlation_exact',
    n,
    w,
    ours_ms: best(times),
    peer: 'numpy.corrcoef',
    peer_ms: peer.best_ms,
    target: '<=3',
    max_abs_err: maxAbsErrPacked(m.r, n, peer.matrix, n),
    extra: { backend: arena.backend },
  });
}
