// Parse throughput of a ~10 MB exposition page: our parser vs Debian's python3-prometheus-client, same run.
// Needs `npm run build` (imports ../dist). Target: ≥ 3× the Python parser.
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseExposition } from '../dist/src/ingest/text-format/parse-exposition.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '../test/fixtures/exposition');
const PYTHON = '/usr/bin/python3';
const TARGET_BYTES = 10 * 1024 * 1024;
const RUNS = 7;
/** Parses before timing so the JIT has optimised the hot loop, as in a long-running scraper. */
const WARMUP = 3;

/** Real pages from the committed corpus, repeated with distinct label values up to ~10 MB. */
function buildPage() {
  const histogram = readFileSync(join(fixtures, 'large-histogram.prom'), 'utf8');
  const node = readFileSync(join(fixtures, 'node-like.prom'), 'utf8');
  const prometheus = readFileSync(join(fixtures, 'prometheus-2.42.prom'), 'utf8');
  const parts = [];
  let size = 0;
  for (let copy = 0; size < TARGET_BYTES; copy += 1) {
    const part = histogram.replaceAll('swarm="swarm-', `swarm="c${copy}-swarm-`) + node + prometheus;
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const page = buildPage();
const bytes = Buffer.byteLength(page);

// Ours: WARMUP untimed parses, then the median of RUNS timed ones.
let samples = 0;
for (let i = 0; i < WARMUP; i += 1) {
  const warm = parseExposition(page);
  if (!warm.ok) throw new Error(`parse failed: ${JSON.stringify(warm.error)}`);
  samples = warm.sampleCount;
}
const oursMs = [];
// No forced gc() between runs: a scraper parses in a warm heap, and a forced full GC makes the
// next parse pay for regrowing the young generation, which is not what we want to measure.
for (let i = 0; i < RUNS; i += 1) {
  const started = performance.now();
  const result = parseExposition(page);
  oursMs.push(performance.now() - started);
  if (!result.ok) throw new Error('parse failed');
}

// Peer: the Python parser in its own interpreter, timed inside Python (startup excluded).
const dir = mkdtempSync(join(tmpdir(), 'parse-bench-'));
let peer;
try {
  const file = join(dir, 'page.prom');
  writeFileSync(file, page);
  const script = `
import json, sys, time
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1], encoding='utf-8').read()
runs = int(sys.argv[2])
times = []
n = 0
for _ in range(runs):
    t = time.perf_counter()
    n = sum(len(f.samples) for f in text_string_to_metric_families(text))
    times.append((time.perf_counter() - t) * 1000)
times.sort()
print(json.dumps({"median_ms": times[len(times) // 2], "min_ms": times[0], "samples": n}))
`;
  const run = spawnSync(PYTHON, ['-c', script, file, String(RUNS)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`python peer failed (is python3-prometheus-client installed?): ${run.stderr}`);
  peer = JSON.parse(run.stdout);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Best-of-N is the least noisy estimate on a shared machine; medians are reported alongside.
const ours = Math.min(...oursMs);
const mbPerS = (ms) => Math.round((bytes / 1024 / 1024 / (ms / 1000)) * 10) / 10;
const round1 = (ms) => Math.round(ms * 10) / 10;
const speedup = Math.round((peer.min_ms / ours) * 100) / 100;
process.stdout.write(
  `${JSON.stringify({
    bench: 'parse-text-format',
    page_bytes: bytes,
    samples,
    runs: RUNS,
    ours_min_ms: round1(ours),
    ours_median_ms: round1(median(oursMs)),
    ours_mb_per_s: mbPerS(ours),
    peer: 'python3-prometheus-client 0.16 text_string_to_metric_families (Debian)',
    peer_samples: peer.samples,
    peer_min_ms: round1(peer.min_ms),
    peer_median_ms: round1(peer.median_ms),
    peer_mb_per_s: mbPerS(peer.min_ms),
    speedup,
    target_speedup: 3,
    meets_target: speedup >= 3,
  })}\n`,
);
if (samples !== peer.samples) {
  process.stderr.write(`sample counts differ: ours ${samples}, python ${peer.samples}\n`);
  process.exitCode = 1;
}
