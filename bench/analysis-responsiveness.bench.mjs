// Does the exporter keep answering while the analysis runs? The real exporter binary
// (dist/src/bin/exporter.js, a config file, 127.0.0.1 on a free port) holds a 5,000-agent churn
// swarm (bench/lib/swarm-scenarios.mjs, 8 canonical + 2 custom metrics) pushed over node:http at a
// 1 s step with a 2 m window (W = 120, the default's point count; heartbeat timeout and expiry
// scaled to the step as the defaults are to 15 s: 3 and 40 steps). Once the window is filled:
//  - a prober in its own process sends GET /-/healthy every 20 ms (target: p99 ≤ 20 ms, max ≤ 50 ms
//    for the probes sent while a cycle runs);
//  - this process scrapes /metrics in a loop; scrapes that overlap a cycle are compared with those
//    that do not (target: within ± 20 %).
// Which moments a cycle ran is read from the exporter itself: each scrape carries the analysis
// duration histogram and the last-success time, so every cycle's [end − duration, end] is known
// whenever one cycle ended between two scrapes (otherwise its span is treated as all busy).
// Environment: BENCH_AGENTS (default 5000), BENCH_FILL_STEPS (steps pushed before measuring,
// default 120), BENCH_MEASURE_S (default 30), BENCH_NODE_ARGS (extra Node flags for the exporter, e.g.
// --cpu-prof or --trace-gc, to see what holds its event loop). Run `npm run build` first.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { emit, freePort, startProcess, waitFor } from './lib/processes.mjs';
import { SwarmScenario } from './lib/swarm-scenarios.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const AGENTS = Number(process.env.BENCH_AGENTS ?? 5000);
const FILL_STEPS = Number(process.env.BENCH_FILL_STEPS ?? 120);
const MEASURE_MS = 1000 * Number(process.env.BENCH_MEASURE_S ?? 30);
const STEP_MS = 1000;
const W = 120;
const PROBE_EVERY_MS = 20;
const AGENTS_PER_REQUEST = 500;
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');

const agent = new Agent({ keepAlive: true, maxSockets: 8 });
/** Its own connection, so a scrape never waits behind pushes for a socket. */
const scrapeAgent = new Agent({ keepAlive: true, maxSockets: 1 });

function send(port, method, path, body, via = agent) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: via }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One step of the swarm: heartbeats of the joiners, then the samples in requests of 500 agents. */
async function pushStep(port, swarm, step) {
  const { samples, joined } = swarm.samplesAt(step);
  await Promise.all(joined.map((i) => send(port, 'POST', `/api/v1/agents/${swarm.id(i)}/heartbeat`, JSON.stringify(swarm.metadata(i)))));
  const per = AGENTS_PER_REQUEST * swarm.metrics.length;
  const answers = [];
  for (let k = 0; k < samples.length; k += per)
    answers.push(send(port, 'POST', '/api/v1/samples', JSON.stringify({ samples: samples.slice(k, k + per) })));
  for (const a of await Promise.all(answers)) if (a.status !== 202) throw new Error(`ingest answered ${a.status}: ${a.body.slice(0, 200)}`);
}

/** The analysis' own account in a /metrics body: completed cycles, their total seconds, last success. */
function analysisAccount(body) {
  const value = (name) => {
    const m = body.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm'));
    return m ? Number(m[1]) : NaN;
  };
  return {
    count: value('agentswarm_analysis_duration_seconds_count'),
    sum: value('agentswarm_analysis_duration_seconds_sum'),
    lastSuccessMs: 1000 * value('agentswarm_analysis_last_success_timestamp_seconds'),
  };
}

const quantile = (xs, q) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const median = (xs) => quantile(xs, 0.5);
const r1 = (x) => (x === null ? null : Math.round(x * 10) / 10);

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'bench-responsiveness-'));
  const port = await freePort();
  const configPath = join(dir, 'exporter.yml');
  writeFileSync(
    configPath,
    [
      'web:',
      `  listen_address: "127.0.0.1:${port}"`,
      'agents:',
      '  heartbeat_timeout: 3s',
      '  expire_after: 40s',
      `  max_agents: ${3 * AGENTS}`,
      'analysis:',
      `  step: ${STEP_MS / 1000}s`,
      `  window: ${(W * STEP_MS) / 1000}s`,
      'storage:',
      `  path: "${join(dir, 'agentswarm.db')}"`,
      'log:',
      '  level: error',
      '',
    ].join('\n'),
  );
  const exporter = startProcess(process.execPath, [...NODE_ARGS, join(root, 'dist/src/bin/exporter.js'), '--config.file', configPath], {
    stderr: 'inherit',
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/-/ready`);
    const swarm = new SwarmScenario({ scenario: 'churn', agents: AGENTS, window: W });
    // Fill: one push per step, on the step's schedule (a late push is sent at once, not skipped).
    const started = performance.now();
    let step = 0;
    let lateSteps = 0;
    for (; step < FILL_STEPS; step += 1) {
      await pushStep(port, swarm, step);
      const wait = started + (step + 1) * STEP_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else lateSteps += 1;
    }
    // Measure: prober child, scrapes here, pushes going on at the same pace.
    const prober = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('./lib/probe-loop.mjs', import.meta.url)),
        `http://127.0.0.1:${port}/-/healthy`,
        String(PROBE_EVERY_MS),
        String(MEASURE_MS),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let probeOut = '';
    prober.stdout.on('data', (c) => (probeOut += c));
    const proberDone = new Promise((resolve) => prober.once('exit', resolve));
    const measureStart = Date.now();
    const scrapes = [];
    const scraping = (async () => {
      while (Date.now() - measureStart < MEASURE_MS) {
        const startMs = Date.now();
        const t0 = performance.now();
        const res = await send(port, 'GET', '/metrics', undefined, scrapeAgent);
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
        scrapes.push({ startMs, endMs: Date.now(), ms, bytes: res.body.length, ...analysisAccount(res.body) });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const pushing = (async () => {
      const t0 = performance.now();
      for (let k = 0; performance.now() - t0 < MEASURE_MS; k += 1, step += 1) {
        await pushStep(port, swarm, step);
        const wait = t0 + (k + 1) * STEP_MS - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    })();
    await Promise.all([scraping, pushing, proberDone]);
    const probes = JSON.parse(probeOut);

    // Cycle spans from the exporter's account: one cycle ended between two scrapes → [end − d, end].
    const spans = [];
    let unknownUntil = -Infinity;
    for (let i = 1; i < scrapes.length; i += 1) {
      const a = scrapes[i - 1];
      const b = scrapes[i];
      const ended = b.count - a.count;
      if (ended === 1) spans.push([b.lastSuccessMs - 1000 * (b.sum - a.sum), b.lastSuccessMs]);
      else if (ended > 1) spans.push([a.startMs, b.endMs]);
      if (i === scrapes.length - 1) unknownUntil = b.lastSuccessMs;
    }
    // After the last cycle that ended, a cycle may be running: that tail is neither busy nor idle.
    const busy = (from, to) => spans.some(([s, e]) => from < e && to > s);
    const known = (to) => to <= unknownUntil;
    const probeBusy = probes.filter(([at, ms]) => known(at + ms) && busy(at, at + ms)).map(([, ms]) => ms);
    const probeIdle = probes.filter(([at, ms]) => known(at + ms) && !busy(at, at + ms)).map(([, ms]) => ms);
    const scrapeBusy = scrapes.filter((s) => known(s.endMs) && busy(s.startMs, s.endMs)).map((s) => s.ms);
    const scrapeIdle = scrapes.filter((s) => known(s.endMs) && !busy(s.startMs, s.endMs)).map((s) => s.ms);
    const first = scrapes[0];
    const last = scrapes.at(-1);
    const cycles = last.count - first.count;
    const meanCycleMs = cycles > 0 ? (1000 * (last.sum - first.sum)) / cycles : null;
    const busyShare =
      spans.reduce((t, [s, e]) => t + (e - s), 0) / Math.max(1, (unknownUntil === -Infinity ? last.endMs : unknownUntil) - first.startMs);
    const p99 = quantile(probeBusy, 0.99);
    const maxProbe = probeBusy.length > 0 ? Math.max(...probeBusy) : null;
    const scrapeRatio = scrapeBusy.length > 0 && scrapeIdle.length > 0 ? median(scrapeBusy) / median(scrapeIdle) : null;
    emit({
      bench: 'analysis_responsiveness',
      n: AGENTS,
      scenario: 'churn',
      metrics: swarm.metrics.length,
      w: W,
      step_s: STEP_MS / 1000,
      fill_steps: FILL_STEPS,
      late_fill_steps: lateSteps,
      measure_s: MEASURE_MS / 1000,
      cycles_ended: cycles,
      mean_cycle_ms: r1(meanCycleMs),
      busy_share: Math.round(busyShare * 1000) / 1000,
      probes_during_cycles: probeBusy.length,
      healthy_p50_ms: r1(median(probeBusy)),
      healthy_p99_ms: r1(p99),
      healthy_max_ms: r1(maxProbe),
      probes_idle: probeIdle.length,
      healthy_idle_p99_ms: r1(quantile(probeIdle, 0.99)),
      probe_failures: probes.filter(([, , status]) => status !== 200).length,
      scrapes_during_cycles: scrapeBusy.length,
      scrape_during_cycles_median_ms: r1(median(scrapeBusy)),
      scrapes_idle: scrapeIdle.length,
      scrape_idle_median_ms: r1(median(scrapeIdle)),
      scrape_ratio: scrapeRatio === null ? null : Math.round(scrapeRatio * 1000) / 1000,
      scrape_bytes: last.bytes,
      target: 'probes during cycles: p99 <= 20 ms, max <= 50 ms; scrape during cycles within +-20% of idle',
      pass: p99 !== null && p99 <= 20 && maxProbe <= 50 && scrapeRatio !== null && Math.abs(scrapeRatio - 1) <= 0.2,
    });
  } finally {
    agent.destroy();
    scrapeAgent.destroy();
    await exporter.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
