// GET /metrics render time at 1,000 agents x 10 metrics and at ~100k series, against Debian's
// prometheus-pushgateway holding the same number of series, measured in the same run with the same
// client (curl); plus the longest event-loop block of the exporter while it renders.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { emit, freePort, startProcess, waitFor, which } from './lib/processes.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { parseConfigObject } = await import(join(root, 'dist/src/config/parse-config.js'));
const { startExporter } = await import(join(root, 'dist/src/main.js'));
const { createLogger } = await import(join(root, 'dist/src/runtime/logger.js'));

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
const SCRAPES = 15;
const run = promisify(execFile);

/** Times `SCRAPES` GETs with curl (a separate process, so the client does not block our event loop). */
/**
 * Times `SCRAPES` GETs with curl, all from ONE child shell: spawning is synchronous in Node (and
 * slower the larger the process), so one spawn per scrape would block the very event loop we
 * measure. `onSpawned` runs right after the single spawn.
 */
async function curlTimes(url, onSpawned = () => undefined) {
  const script = `for i in $(seq ${SCRAPES}); do curl -s -o /dev/null -w '%{time_total} %{size_download}\\n' '${url}'; done`;
  const pending = run('sh', ['-c', script], { encoding: 'utf8' });
  onSpawned();
  const r = await pending;
  const times = r.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [t, size] = line.split(' ');
      return { ms: Number(t) * 1000, bytes: Number(size) };
    });
  const sorted = times.map((x) => x.ms).sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)], bytes: times[0].bytes };
}

async function fillPushgateway(url, lines) {
  const GROUPS = 20;
  const per = Math.ceil(lines / GROUPS);
  for (let g = 0; g < GROUPS; g++) {
    let body = '';
    for (let i = 0; i < per; i++) body += `bench_metric_${i % 10}{agent="agent-${g}-${Math.floor(i / 10)}"} ${Math.random()}\n`;
    const res = await fetch(`${url}/metrics/job/bench/instance/g${g}`, { method: 'PUT', body, headers: { 'content-type': 'text/plain' } });
    if (!res.ok) throw new Error(`pushgateway refused: ${res.status} ${await res.text()}`);
  }
}

async function scenario(label, agents, pushgatewayBin) {
  const config = parseConfigObject({
    web: { listen_address: '127.0.0.1:0' },
    agents: { max_agents: 100_000 },
    analysis: { step: '15s', window: '1h' },
    storage: { path: ':memory:' },
  });
  const exporter = await startExporter({
    config,
    logger: createLogger({ level: 'error', format: 'json', write: () => undefined }),
    manualSteps: true,
    env: {},
  });
  try {
    const now = Date.now();
    for (let a = 0; a < agents; a += 100) {
      const samples = [];
      for (let k = a; k < Math.min(agents, a + 100); k++) {
        for (const metric of METRICS)
          samples.push({
            swarm: `swarm-${k % 10}`,
            agent: `agent-${k}`,
            metric,
            value: Math.round(Math.random() * 1000) / 1000,
            timestamp: now,
          });
      }
      exporter.registry.ingest(samples, 'push');
    }
    exporter.registry.step();
    const page = await (await fetch(`${exporter.url}/metrics`)).text();
    const series = page.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

    const histogram = monitorEventLoopDelay({ resolution: 1 });
    const ours = await curlTimes(`${exporter.url}/metrics`, () => histogram.enable());
    histogram.disable();
    const maxBlockMs = histogram.max / 1e6;

    let peer;
    if (pushgatewayBin) {
      const port = await freePort();
      const pg = startProcess(pushgatewayBin, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=']);
      try {
        await waitFor(`http://127.0.0.1:${port}/-/ready`);
        await fillPushgateway(`http://127.0.0.1:${port}`, series);
        const pgPage = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const pgSeries = pgPage.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
        peer = { ...(await curlTimes(`http://127.0.0.1:${port}/metrics`)), series: pgSeries };
      } finally {
        await pg.stop();
      }
    }
    emit({
      bench: 'metrics_render',
      scenario: label,
      agents,
      series,
      ours_median_ms: +ours.medianMs.toFixed(2),
      ours_bytes: ours.bytes,
      peer: 'prometheus-pushgateway GET /metrics',
      peer_series: peer?.series ?? null,
      peer_median_ms: peer ? +peer.medianMs.toFixed(2) : null,
      ratio: peer ? +(ours.medianMs / peer.medianMs).toFixed(3) : null,
      target: '<=0.5',
      pass: peer ? ours.medianMs / peer.medianMs <= 0.5 : null,
      max_event_loop_block_ms: +maxBlockMs.toFixed(1),
      target_block_ms: 50,
      pass_block: maxBlockMs <= 50,
    });
  } finally {
    await exporter.stop();
  }
}

const pushgateway = which('prometheus-pushgateway') ?? which('pushgateway');
await scenario('1000 agents x 10 metrics', 1000, pushgateway);
await scenario('~100k series', 4350, pushgateway);
