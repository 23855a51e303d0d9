// Every ingest path goes through the same rule: a sample lands in the step its timestamp names, out-of-order
// samples inside the window are kept, and the newest observation of a step wins (by timestamp).
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Registry } from '../../src/runtime/prom.js';
import { parseQueryConfig } from '../../src/config/query-config.js';
import { QueryReader } from '../../src/ingest/query/query-reader.js';
import { parseScrapeMapping } from '../../src/ingest/scrape/mapping-schema.js';
import { Scraper } from '../../src/ingest/scrape/scraper.js';
import { targetsFromConfig } from '../../src/ingest/scrape/scrape-target.js';
import { ManualClock } from '../fakes/manual-clock.js';
import { AgentRegistry } from '../../src/store/agent-registry.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { type FakePrometheus, matrix, startFakePrometheus } from './query/fake-prometheus.js';
import { type FakeServer, startFakeServer, textPage } from './scrape/fake-agent-server.js';

const STEP = 1000;
const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of cleanups.splice(0).reverse()) await stop();
});

/** A registry on a manual clock (step 1 s, window 60 s) that has closed `steps` steps; returns the end of the newest. */
function steppedRegistry(steps: number): { registry: AgentRegistry; clock: ManualClock; newestEnd: () => number } {
  const clock = new ManualClock(Date.UTC(2026, 11, 7, 1, 0, 0));
  const registry = new AgentRegistry(
    { heartbeatTimeoutMs: 45_000, expireAfterMs: 600_000, maxAgents: 100, maxCustomMetrics: 8, stepMs: STEP, windowMs: 60 * STEP },
    clock,
  );
  let end = Number.NaN;
  for (let i = 0; i < steps; i += 1) {
    clock.advance(STEP);
    registry.step();
    end = clock.now();
  }
  return { registry, clock, newestEnd: () => end };
}

/** The newest `n` points of a series, oldest first. */
function lastPoints(registry: AgentRegistry, swarm: string, agent: string, metric: string, n: number): number[] {
  const all = [...(registry.swarm(swarm)?.windows.chronological(metric, agent) ?? [])];
  return all.slice(-n);
}

async function exporterWithSteps(steps: number): Promise<TestExporter> {
  const exporter = await startTestExporter({ analysis: { step: '1s', window: '60s' } });
  cleanups.push(() => exporter.stop());
  for (let i = 0; i < steps; i += 1) {
    exporter.clock.advance(STEP);
    await exporter.engine.cycle();
  }
  return exporter;
}

describe('push (JSON)', () => {
  it('lands each timestamped sample in its step, keeps out-of-order ones, and the newest of a step wins', async () => {
    const exporter = await exporterWithSteps(10);
    const end = exporter.clock.now(); // the newest closed step is (end − 1 s, end]
    const res = await exporter.post('/api/v1/samples', {
      samples: [
        { swarm: 's', agent: 'p', metric: 'queue_depth', value: 4, timestamp: end - 1000 }, // step −1
        { swarm: 's', agent: 'p', metric: 'queue_depth', value: 7, timestamp: end - 4000 }, // step −4, after a newer one
        { swarm: 's', agent: 'p', metric: 'queue_depth', value: 5, timestamp: end - 400 }, // step 0, newest of it
        { swarm: 's', agent: 'p', metric: 'queue_depth', value: 9, timestamp: end - 900 }, // step 0, older: loses
      ],
    });
    expect(res.json).toMatchObject({ accepted: 4, rejected: 0 });
    // One agent's endpoint, timestamped too: step −2.
    expect(
      (await exporter.post('/api/v1/agents/p/metrics', { swarm: 's', timestamp: end - 2000, metrics: { queue_depth: 6 } })).status,
    ).toBe(202);
    expect(lastPoints(exporter.registry, 's', 'p', 'queue_depth', 5)).toEqual([7, 7, 6, 4, 5]);
    // An untimestamped sample waits for the open step, which the next cycle closes.
    await exporter.post('/api/v1/samples', { samples: [{ swarm: 's', agent: 'p', metric: 'queue_depth', value: 8 }] });
    exporter.clock.advance(STEP);
    await exporter.engine.cycle();
    expect(lastPoints(exporter.registry, 's', 'p', 'queue_depth', 6)).toEqual([7, 7, 6, 4, 5, 8]);
  });
});

/** One OTLP/JSON request: a gen_ai.invoke_agent.duration histogram point of one agent. */
function otlpHistogram(
  agent: string,
  temporality: 'delta' | 'cumulative',
  point: { startMs: number; timeMs: number; count: number; sum: number },
): unknown {
  const ns = (ms: number): string => (BigInt(ms) * 1_000_000n).toString();
  return {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: agent } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'gen_ai.invoke_agent.duration',
                histogram: {
                  aggregationTemporality: temporality === 'delta' ? 1 : 2,
                  dataPoints: [
                    {
                      startTimeUnixNano: ns(point.startMs),
                      timeUnixNano: ns(point.timeMs),
                      count: String(point.count),
                      sum: point.sum,
                      bucketCounts: [String(point.count)],
                      explicitBounds: [],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  };
}

async function postOtlp(exporter: TestExporter, body: unknown): Promise<number> {
  const res = await fetch(`${exporter.url}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('OTLP', () => {
  it('delta: each export lands in the step of its time, out-of-order exports are kept, the newest of a step wins', async () => {
    const exporter = await exporterWithSteps(10);
    const end = exporter.clock.now();
    const send = (timeMs: number, mean: number) =>
      postOtlp(exporter, otlpHistogram('od', 'delta', { startMs: timeMs - 1000, timeMs, count: 4, sum: 4 * mean }));
    expect(await send(end - 3000, 0.3)).toBe(200); // step −3
    expect(await send(end - 1000, 0.1)).toBe(200); // step −1
    expect(await send(end - 2000, 0.2)).toBe(200); // step −2, after a newer one
    expect(await send(end - 100, 0.5)).toBe(200); // step 0
    expect(await send(end - 700, 0.9)).toBe(200); // step 0, older: loses
    expect(lastPoints(exporter.registry, 'default', 'od', 'response_time', 4)).toEqual([0.3, 0.2, 0.1, 0.5]);
  });

  it('cumulative: the first export of a new agent registers it and, started after the exporter, is data; later exports give deltas in their steps', async () => {
    const exporter = await exporterWithSteps(10);
    const end = exporter.clock.now();
    const started = end - 8000; // after the exporter started (10 steps ago)
    // First export: 2 calls, 0.8 s in all, over [start, end − 5 s].
    expect(await postOtlp(exporter, otlpHistogram('oc', 'cumulative', { startMs: started, timeMs: end - 5000, count: 2, sum: 0.8 }))).toBe(
      200,
    );
    const page = await exporter.metricsText();
    expect(page).toMatch(/agentswarm_agent_up\{swarm="default",agent="oc"\} 1/);
    expect(page).toMatch(/agentswarm_agent_info\{[^}]*agent="oc"/);
    // Second: 6 calls, 3.2 s → the interval's mean is (3.2 − 0.8) / 4 = 0.6, at step −2.
    expect(await postOtlp(exporter, otlpHistogram('oc', 'cumulative', { startMs: started, timeMs: end - 2000, count: 6, sum: 3.2 }))).toBe(
      200,
    );
    // Third: 8 calls, 3.6 s → 0.2, at step 0.
    expect(await postOtlp(exporter, otlpHistogram('oc', 'cumulative', { startMs: started, timeMs: end, count: 8, sum: 3.6 }))).toBe(200);
    const points = lastPoints(exporter.registry, 'default', 'oc', 'response_time', 6);
    expect(points[0]).toBeCloseTo(0.4, 12); // step −5: the first interval, 0.8 / 2
    expect(points[1]).toBeCloseTo(0.4, 12); // held one step
    expect(points[2]).toBeNaN(); // a gap beyond the hold
    expect(points[3]).toBeCloseTo(0.6, 12);
    expect(points[4]).toBeCloseTo(0.6, 12);
    expect(points[5]).toBeCloseTo(0.2, 12);
  });

  it('cumulative: a first export whose series started before the exporter and the window only primes the state, but registers the agent', async () => {
    const exporter = await exporterWithSteps(3);
    const end = exporter.clock.now();
    expect(
      await postOtlp(exporter, otlpHistogram('old', 'cumulative', { startMs: end - 3_600_000, timeMs: end, count: 500, sum: 100 })),
    ).toBe(200);
    expect(exporter.registry.get('default', 'old')?.up).toBe(true);
    expect(exporter.registry.get('default', 'old')?.latest.has('response_time')).toBe(false);
    exporter.clock.advance(STEP);
    expect(
      await postOtlp(exporter, otlpHistogram('old', 'cumulative', { startMs: end - 3_600_000, timeMs: end + 1000, count: 502, sum: 101 })),
    ).toBe(200);
    expect(exporter.registry.get('default', 'old')?.value('response_time')).toBeCloseTo(0.5, 12);
  });
});

describe('scrape', () => {
  it('lands a stamped page in the step it names, keeps an out-of-order page, and the newest of a step wins', async () => {
    const { registry, clock, newestEnd } = steppedRegistry(10);
    const end = newestEnd();
    const pages: [number, number][] = [
      [2, end - 3000], // step −3
      [5, end - 1000], // step −1
      [3, end - 2000], // step −2, an older page after a newer one
      [9, end - 100], // step 0
      [1, end - 600], // step 0, older: loses
    ];
    let i = 0;
    const server: FakeServer = await startFakeServer(
      textPage(() => {
        const [value, ms] = pages[Math.min(i, pages.length - 1)] ?? [0, 0];
        i += 1;
        return `# TYPE agent_queue_depth gauge\nagent_queue_depth ${value} ${ms}\n`;
      }),
    );
    cleanups.push(() => server.close());
    const mapping = parseScrapeMapping({ queue_depth: { metric: 'agent_queue_depth' } });
    if (!mapping.ok) throw new Error(mapping.problems.join('\n'));
    const scraper = new Scraper(
      {
        intervalMs: 10_000,
        timeoutMs: 2000,
        fileSd: [],
        mapping: mapping.mapping,
        targets: targetsFromConfig([{ url: server.url, swarm: 'sc', agent: 'scraped' }]),
      },
      { sink: registry, metricsRegistry: new Registry(), clock, logger: silent },
    );
    cleanups.push(() => scraper.stop());
    for (let k = 0; k < pages.length; k += 1) await scraper.scrapeOnce();
    expect(lastPoints(registry, 'sc', 'scraped', 'queue_depth', 4)).toEqual([2, 3, 5, 9]);
  });
});

describe('query', () => {
  let fake: FakePrometheus | undefined;
  afterEach(() => fake?.close());

  it('lands each evaluated point in its step, keeps out-of-order points, and the newest of a step wins', async () => {
    const { registry, clock, newestEnd } = steppedRegistry(10);
    const end = newestEnd();
    fake = await startFakePrometheus();
    const s = (ms: number): number => ms / 1000;
    // The upstream's points, deliberately out of order, with two in step −1 (the newer wins).
    fake.answer = () =>
      matrix([
        {
          labels: { agent: 'q', swarm: 'qs' },
          values: [
            [s(end - 1000), '4'],
            [s(end - 3000), '2'],
            [s(end - 2000), '3'],
            [s(end - 1300), '8'],
            [s(end), '5'],
          ],
        },
      ]);
    const parsed = parseQueryConfig({ url: fake.url, queries: { queue_depth: 'queue_expr' } });
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const reader = new QueryReader(
      { config: parsed.config, stepMs: STEP, backfillMs: 5000, windowMs: 60_000, headers: {} },
      { sink: registry, metricsRegistry: new Registry(), clock, logger: silent },
    );
    cleanups.push(() => reader.stop());
    const round = await reader.tick();
    expect(round.failed).toEqual([]);
    expect(lastPoints(registry, 'qs', 'q', 'queue_depth', 4)).toEqual([2, 3, 4, 5]);
  });
});
