// Shared plumbing of the analysis benchmarks: seeded data, the numpy peer (OpenBLAS pinned to one
// thread, spawned in the same run) and the one-JSON-line-per-result output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
export const dist = (path) => new URL(`../../dist/src/analysis/${path}`, import.meta.url).href;

/** mulberry32 + Box–Muller, so both sides of a comparison see the same numbers. */
export function seeded(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, gauss: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()) };
}

/**
 * n series of `steps` points (row-major): a few shared load factors, per-agent noise and offsets,
 * like a swarm's metric. Returns a Float64Array n × steps.
 */
export function swarmSeries(n, steps, seed) {
  const rng = seeded(seed);
  const factors = Array.from({ length: 4 }, () => Float64Array.from({ length: steps }, () => rng.gauss()));
  const out = new Float64Array(n * steps);
  for (let i = 0; i < n; i += 1) {
    const f = factors[i % 4];
    const weight = 0.2 + 0.8 * rng.next();
    const offset = 100 * rng.next();
    for (let t = 0; t < steps; t += 1) out[i * steps + t] = offset + weight * f[t] + rng.gauss();
  }
  return out;
}

/** Columns [from, from + w) of an n × steps row-major matrix, as an n × w row-major matrix. */
export function windowOf(data, n, steps, from, w) {
  const out = new Float64Array(n * w);
  for (let i = 0; i < n; i += 1) out.set(data.subarray(i * steps + from, i * steps + from + w), i * w);
  return out;
}

/**
 * The best of several runs. Both sides are reported this way (the peer prints its best too), as
 * Python's timeit advises: on a shared machine the minimum is the run least disturbed by others.
 */
export function best(values) {
  return Math.min(...values);
}

/** Runs the numpy peer on an n × w window; returns its JSON answer plus the reference matrix if asked. */
export function numpyPeer(op, window, n, w, reps, refRows = 0) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-analysis-'));
  try {
    const data = join(dir, 'window.f64');
    const ref = join(dir, 'ref.f64');
    writeFileSync(data, Buffer.from(window.buffer, window.byteOffset, window.byteLength));
    const args = [join(here, 'numpy_peer.py'), op, data, String(n), String(w), String(reps)];
    if (op === 'corrcoef') args.push(String(refRows), ref);
    const python = process.env.BENCH_PYTHON ?? 'python3';
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const run = spawnSync(python, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`numpy peer failed (${python}): ${run.stderr || run.error}`);
    const answer = JSON.parse(run.stdout);
    if (op === 'corrcoef') {
      const bytes = readFileSync(ref);
      answer.matrix = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
    }
    return answer;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Largest |ours − reference| over the pairs i < j < refRows, ours a packed matrix over n rows. */
export function maxAbsErrPacked(packedR, n, fullRef, refRows) {
  let worst = 0;
  for (let i = 0; i < refRows; i += 1) {
    const base = (i * (2 * n - i - 1)) / 2 - i - 1;
    for (let j = i + 1; j < refRows; j += 1) {
      const e = Math.abs(packedR[base + j] - fullRef[i * refRows + j]);
      if (!(e <= worst)) worst = Number.isNaN(e) ? Infinity : e;
    }
  }
  return worst;
}

/** Prints one result line. `target` is "<=x" on ours/peer. */
export function emit(fields) {
  const limit = Number(fields.target.slice(2));
  const ratio = fields.ours_ms / fields.peer_ms;
  const errOk = fields.max_abs_err === undefined || fields.max_abs_err <= (fields.max_err_allowed ?? 1e-9);
  const line = {
    bench: fields.bench,
    n: fields.n,
    w: fields.w,
    ours_ms: round(fields.ours_ms),
    peer: fields.peer,
    peer_ms: round(fields.peer_ms),
    ratio: round(ratio),
    target: fields.target,
    pass: ratio <= limit && errOk,
    ...(fields.max_abs_err === undefined ? {} : { max_abs_err: fields.max_abs_err }),
    ...(fields.extra ?? {}),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function round(x) {
  return Math.round(x * 1000) / 1000;
}
