// Robust z per step (sorted sliding windows: one memmove and binary searches per series) against
// numpy recomputing median and MAD over every window, measured in the same run on the same data.
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { dist, emit, best, numpyPeer, swarmSeries, windowOf } from './analysis/harness.mjs';

const { RobustWindowBank } = await import(dist('robust-window-bank.js'));

const STEPS = Number(process.env.BENCH_STEPS ?? 50);
const WARMUP = 5;

for (const [n, w] of [
  [1000, 120],
  [1000, 720],
  [5000, 120],
]) {
  const total = w + WARMUP + STEPS;
  const data = swarmSeries(n, total, n * 3 + w);
  const bank = new RobustWindowBank({ series: n, window: w });
  const column = new Float64Array(n);
  const z = new Float64Array(n);
  const times = [];
  for (let s = 0; s < total; s += 1) {
    for (let i = 0; i < n; i += 1) column[i] = data[i * total + s];
    const t0 = performance.now();
    bank.push(column, z);
    const dt = performance.now() - t0;
    if (s >= w + WARMUP) times.push(dt);
  }
  const peer = numpyPeer('robust', windowOf(data, n, total, total - w, w), n, w, 15);
  let maxAbsErr = 0;
  for (let i = 0; i < n; i += 1) maxAbsErr = Math.max(maxAbsErr, Math.abs(z[i] - peer.z[i]));
  emit({
    bench: 'robust_z_step',
    n,
    w,
    ours_ms: best(times),
    peer: 'numpy.median+MAD',
    peer_ms: peer.best_ms,
    target: '<=0.1',
    max_abs_err: maxAbsErr,
    extra: { steps: STEPS },
  });
}
