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
const METRICS = ['cpu_usage', 'memory_usage', 'response_time', 'throughput', 'error_rate', 'queue_depth', 'active_tasks', 'coordination_load', 'custom_a', 'custom_b'];
const BATCHES = 20;
const PER_BATCH = 1000;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);
const CONNECTIONS = 4;

// 20 batches x 100 agents x 10 metrics = 1,000 agents in all; values within every metric's range.
const batches = Array.from({ length: BATCHES }, (_, b) =>
  Array.from({ length: PER_BATCH }, (_, i) => ({ swarm: 'bench', agent: `agent-${b * 100 + Math.floor(i / 10)}`, metric: METRICS[i % 10], value: Math.round(Math.random() * 1000) / 1000 })),
);
const jsonBodies = batches.map((samples) => JSON.stringify({ samples }));
const textBodies = batches.map((samples) => samples.map((s) => `bench_${s.metric}{agent="${s.agent}"} ${s.value}\n`).join(''));

async function measure(name, start, url, contentType, bodies, expectStatus) {
  const proc = await start();
  try {
    // Warm-up, then the measured run.
    await sendLoad({ url, contentType, bodies, connections: CONNECTIONS, durationMs: 500, expectStatus });
    const run = await sendLoad({ url, contentType, bodies, connections: CONNECTIONS, durationMs: DURATION_MS, expectStatus });
    return { name, samplesPerSecond: (run.requests * PER_BATCH) / run.seconds, requests: run.requests, failures: run.failures };
  } finally {
    await proc.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'bench-ingest-'));
const configFile = join(dir, 'config.yml');
writeFileSync(configFile, 'agents:\n  max_agents: 10000\n  max_custom_metrics: 64\nanalysis:\n  step: 15s\n  window: 1h\nstorage:\n  path: ":memory:"\nlog:\n  level: warn\n');

const oursPort = await freePort();
const ours = await measure(
  'agentswarm-exporter',
  async () => {
    const p = startProcess(process.execPath, [join(root, 'dist/src/bin/exporter.js'), '--config.file', configFile, '--web.listen-address', `127.0.0.1:${oursPort}`]);
    await waitFor(`http://127.0.0.1:${oursPort}/-/ready`);
    return p;
  },
  `http://127.0.0.1:${oursPort}/api/v1/samples`,
  'application/json',
  jsonBodies,
  202,
);

const rawPort = await freePort();
const raw = await measure(
  'node:http + JSON.parse',
  async () => {
    const p = startProcess(process.execPath, [join(root, 'bench/lib/raw-json-server.mjs'), String(rawPort)]);
    await waitFor(`http://127.0.0.1:${rawPort}/`);
    return p;
  },
  `http://127.0.0.1:${rawPort}/`,
  'application/json',
  jsonBodies,
  202,
);

const pushgateway = which('prometheus-pushgateway') ?? which('pushgateway');
let pg;
if (pushgateway) {
  const pgPort = await freePort();
  // Each batch is its own group, as 20 pushers would use; POST replaces same-named metrics in the group.
  const bodiesByGroup = textBodies;
  pg = await measure(
    'prometheus-pushgateway',
    async () => {
      const p = startProcess(pushgateway, [`--web.listen-address=127.0.0.1:${pgPort}`, `--persistence.file=`]);
      await waitFor(`http://127.0.0.1:${pgPort}/-/ready`);
      return p;
    },
    `http://127.0.0.1:${pgPort}/metrics/job/bench`,
    'text/plain; version=0.0.4',
    bodiesByGroup,
    200,
  );
}

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
  connections: CONNECTIONS,
  duration_ms: DURATION_MS,
});
