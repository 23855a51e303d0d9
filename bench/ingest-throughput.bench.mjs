// Ingest throughput of batches of 1,000 samples over keep-alive HTTP, validated and stored, against two
// peers measured in the same run: Debian's prometheus-pushgateway accepting the same samples as text,
// and a bare node:http server that only runs JSON.parse on the body (the floor of any JSON ingest).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit, freePort, startProcess, waitFor, which } from './lib/processes.mjs';
import { sendLoad } from './lib/load.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const METRICS = [
  'cpu_usage',
  'memory_usage',
  'response_time',
  'throughput',
  'error_rate',
  'queue_depth',
  'active_tasks',
  'coordination_load',
  'custom_a',
  'custom_b',
];
const BATCHES = 20;
const PER_BATCH = 1000;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);

// 20 batches x 100 agents x 10 metrics = 1,000 agents in all; values within every metric's range.
const batches = Array.from({ length: BATCHES }, (_, b) =>
  Array.from({ length: PER_BATCH }, (_, i) => ({
    swarm: 'bench',
    agent: `agent-${b * 100 + Math.floor(i / 10)}`,
    metric: METRICS[i % 10],
    value: Math.round(Math.random() * 1000) / 1000,
  })),
);
const jsonBodies = batches.map((samples) => JSON.stringify({ samples }));
// The same batches stamped into the past (a buffered agent's last 10 steps of 15 s, out of order):
// every sample takes the closed-step path of the time-keyed windows. Other agents than the
// untimestamped batches (swarm bench-ts), so the two do not share series.
const stampedAt = Date.now();
const stampedBodies = batches.map((samples) =>
  JSON.stringify({
    samples: samples.map((s, i) => ({ ...s, swarm: 'bench-ts', timestamp: stampedAt - 15_000 * (1 + ((i * 7) % 10)) - (i % 997) })),
  }),
);
/** BENCH_BASELINE_EXPORTER: another build's dist/src/bin/exporter.js, measured in the same run as a peer (before/after). */
const BASELINE = process.env.BENCH_BASELINE_EXPORTER;
const textBodies = batches.map((samples) => samples.map((s) => `bench_${s.metric}{agent="${s.agent}"} ${s.value}\n`).join(''));

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** Interleaves the contenders round by round and keeps each one's best round, so a burst of other
 * load on the machine penalises nobody in particular. */
async function compete(contenders) {
  const best = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const run = await sendLoad({
        url: c.url,
        contentType: c.contentType,
        bodies: c.bodies,
        connections: CONNECTIONS,
        durationMs: DURATION_MS / ROUNDS,
        expectStatus: c.expectStatus,
      });
      const rate = (run.requests * PER_BATCH) / run.seconds;
      const prev = best.get(c.name);
      if (!prev || rate > prev.samplesPerSecond) best.set(c.name, { samplesPerSecond: rate, failures: run.failures });
    }
  }
  return best;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
const configFile = join(dir, 'config.yml');
writeFileSync(
  configFile,
  'agents:\n  max_agents: 10000\n  max_custom_metrics: 64\nanalysis:\n  step: 15s\n  window: 1h\nstorage:\n  path: ":memory:"\nlog:\n  level: warn\n',
);

let results;
const processes = [];
const contenders = [];
try {
  const oursPort = await freePort();
  processes.push(
    startProcess(process.execPath, [
      join(root, 'dist/src/bin/exporter.js'),
      '--config.file',
      configFile,
      '--web.listen-address',
      `127.0.0.1:${oursPort}`,
    ]),
  );
  await waitFor(`http://127.0.0.1:${oursPort}/-/ready`);
  contenders.push({
    name: 'ours',
    url: `http://127.0.0.1:${oursPort}/api/v1/samples`,
    contentType: 'application/json',
    bodies: jsonBodies,
    expectStatus: 202,
  });
  // Its own process: the rewritten past steps cost analysis work (row repairs, re-seeds) that must
  // not be charged to the untimestamped figure.
  const stampedPort = await freePort();
  processes.push(
    startProcess(process.execPath, [
      join(root, 'dist/src/bin/exporter.js'),
      '--config.file',
      configFile,
      '--web.listen-address',
      `127.0.0.1:${stampedPort}`,
    ]),
  );
  await waitFor(`http://127.0.0.1:${stampedPort}/-/ready`);
  contenders.push({
    name: 'ours_timestamped',
    url: `http://127.0.0.1:${stampedPort}/api/v1/samples`,
    contentType: 'application/json',
    bodies: stampedBodies,
    expectStatus: 202,
  });
  if (BASELINE) {
    const basePort = await freePort();
    processes.push(
      startProcess(process.execPath, [BASELINE, '--config.file', configFile, '--web.listen-address', `127.0.0.1:${basePort}`]),
    );
    await waitFor(`http://127.0.0.1:${basePort}/-/ready`);
    contenders.push({
      name: 'baseline',
      url: `http://127.0.0.1:${basePort}/api/v1/samples`,
      contentType: 'application/json',
      bodies: jsonBodies,
      expectStatus: 202,
    });
  }

  const rawPort = await freePort();
  processes.push(startProcess(process.execPath, [join(root, 'bench/lib/raw-json-server.mjs'), String(rawPort)]));
  await waitFor(`http://127.0.0.1:${rawPort}/`);
  contenders.push({
    name: 'raw',
    url: `http://127.0.0.1:${rawPort}/`,
    contentType: 'application/json',
    bodies: jsonBodies,
    expectStatus: 202,
  });

  const pushgateway = which('prometheus-pushgateway') ?? which('pushgateway');
  if (pushgateway) {
    const pgPort = await freePort();
    processes.push(startProcess(pushgateway, [`--web.listen-address=127.0.0.1:${pgPort}`, '--persistence.file=']));
    await waitFor(`http://127.0.0.1:${pgPort}/-/ready`);
    contenders.push({
      name: 'pushgateway',
      url: `http://127.0.0.1:${pgPort}/metrics/job/bench`,
      contentType: 'text/plain; version=0.0.4',
      bodies: textBodies,
      expectStatus: 200,
    });
  }
  // Warm-up: fill every store with all 1,000 agents before measuring.
  for (const c of contenders)
    await sendLoad({
      url: c.url,
      contentType: c.contentType,
      bodies: c.bodies,
      connections: CONNECTIONS,
      durationMs: 600,
      expectStatus: c.expectStatus,
    });
  results = await compete(contenders);
} finally {
  await Promise.all(processes.map((p) => p.stop()));
}
const ours = results.get('ours');
const raw = results.get('raw');
const pg = results.get('pushgateway');
const stamped = results.get('ours_timestamped');
const baseline = results.get('baseline');

emit({
  bench: 'ingest_batch_1000',
  unit: 'samples/s',
  ours: Math.round(ours.samplesPerSecond),
  ours_failures: ours.failures,
  peer_raw_json_parse: Math.round(raw.samplesPerSecond),
  ratio_vs_raw: +(ours.samplesPerSecond / raw.samplesPerSecond).toFixed(3),
  target_vs_raw: '>=0.6',
  pass_vs_raw: ours.samplesPerSecond / raw.samplesPerSecond >= 0.6,
  peer_pushgateway: pg ? Math.round(pg.samplesPerSecond) : null,
  pushgateway_failures: pg ? pg.failures : null,
  ratio_vs_pushgateway: pg ? +(ours.samplesPerSecond / pg.samplesPerSecond).toFixed(3) : null,
  target_vs_pushgateway: '>=3',
  pass_vs_pushgateway: pg ? ours.samplesPerSecond / pg.samplesPerSecond >= 3 : null,
  timestamped_batch_1000: Math.round(stamped.samplesPerSecond),
  timestamped_failures: stamped.failures,
  ratio_timestamped_vs_untimestamped: +(stamped.samplesPerSecond / ours.samplesPerSecond).toFixed(3),
  peer_baseline_build: baseline ? Math.round(baseline.samplesPerSecond) : null,
  ratio_vs_baseline_build: baseline ? +(ours.samplesPerSecond / baseline.samplesPerSecond).toFixed(3) : null,
  target_vs_baseline_build: '>=0.9',
  connections: CONNECTIONS,
  duration_ms: DURATION_MS,
});
