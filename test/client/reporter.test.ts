import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentReporter } from '../../src/client/reporter.js';
import type { ReporterEvent, ReporterOptions } from '../../src/client/reporter.js';
import { FakeExporter, acceptAll } from './fake-exporter.js';
import { ManualTimers } from './manual-timers.js';

const servers: FakeExporter[] = [];
const reporters: Array<{ reporter: AgentReporter; timers: ManualTimers }> = [];

afterEach(async () => {
  // Release hung requests and pass every stop deadline, so a failing test cannot hang the teardown.
  const stopped = reporters.map(({ reporter }) => reporter.stop());
  for (const { timers } of reporters.splice(0)) timers.advance(3_600_000);
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await Promise.all(stopped);
});

async function exporter(responder = acceptAll): Promise<FakeExporter> {
  const server = await new FakeExporter(responder).start();
  servers.push(server);
  return server;
}

function reporter(target: string, timers: ManualTimers, extra: Partial<ReporterOptions> = {}): AgentReporter {
  const r = new AgentReporter({ target, timers, clock: timers, random: () => 0.5, ...extra });
  reporters.push({ reporter: r, timers });
  return r;
}

/** Waits (real time, bounded) until a timer of `delayMs` is scheduled, then fires it. */
async function fireWhenScheduled(timers: ManualTimers, delayMs: number): Promise<void> {
  await vi.waitFor(() => expect(timers.hasPending(delayMs)).toBe(true), { timeout: 5000, interval: 2 });
  timers.advance(delayMs);
}

describe('AgentReporter', () => {
  it('heartbeats with swarm, type, capacity, labels and the bearer token', async () => {
    const server = await exporter(() => ({ status: 202, body: {} }));
    const timers = new ManualTimers();
    const r = reporter(server.url, timers, { swarm: 'demo', token: 's3cret' });

    const result = await r.heartbeat('alpha', { type: 'planner', capacity: 4, labels: { zone: 'a' } });

    expect(result).toEqual({ ok: true, status: 202 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/v1/agents/alpha/heartbeat');
    expect(request?.headers['authorization']).toBe('Bearer s3cret');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({ swarm: 'demo', type: 'planner', capacity: 4, labels: { zone: 'a' } });
  });

  it('does not count a heartbeat answer as accepted samples', async () => {
    // The real exporter answers a heartbeat with the ingest shape: {accepted: 1, rejected: 0, ...}.
    const server = await exporter(() => ({ status: 202, body: { accepted: 1, rejected: 0, errors: [], status: 'optimal' } }));
    const r = reporter(server.url, new ManualTimers());
    expect(await r.heartbeat('alpha')).toEqual({ ok: true, status: 202 });
    expect(r.stats()).toMatchObject({ heartbeats: 1, delivered: 1, samplesAccepted: 0 });
  });

  it('escapes the agent id in the URL path', async () => {
    const server = await exporter();
    const r = reporter(server.url, new ManualTimers());
    await r.heartbeat('a/b c');
    expect(server.requests[0]?.path).toBe('/api/v1/agents/a%2Fb%20c/heartbeat');
  });

  it('sends one agent sample on the metrics route and leaves non-finite values out', async () => {
    const server = await exporter();
    const events: ReporterEvent[] = [];
    const r = reporter(server.url, new ManualTimers(), { swarm: 'demo', onEvent: (e) => events.push(e) });

    const result = await r.sendMetrics('beta', { cpu_usage: 0.4, response_time: Number.NaN, queue_depth: 3 }, 1_767_225_600_000);

    expect(result).toMatchObject({ ok: true, status: 202, accepted: 2, rejected: 0 });
    expect(server.requests[0]?.path).toBe('/api/v1/agents/beta/metrics');
    expect(server.requests[0]?.body).toEqual({ swarm: 'demo', timestamp: 1_767_225_600_000, metrics: { cpu_usage: 0.4, queue_depth: 3 } });
    expect(events).toContainEqual({ type: 'dropped', samples: 1, reason: 'not_finite' });
    expect(r.stats()).toMatchObject({ samplesAccepted: 2, samplesDropped: 1 });
  });

  it('does not send a sample without any finite value', async () => {
    const server = await exporter();
    const r = reporter(server.url, new ManualTimers());
    expect(await r.sendMetrics('beta', { cpu_usage: Number.POSITIVE_INFINITY })).toEqual({
      ok: false,
      message: 'metrics: no finite value to send',
      attempts: 0,
    });
    expect(server.requests).toHaveLength(0);
  });

  it('cuts full batches at once and sends the remainder only when maxDelayMs has passed', async () => {
    const server = await exporter();
    const timers = new ManualTimers();
    const r = reporter(server.url, timers, { swarm: 'demo', batch: { maxSamples: 10, maxDelayMs: 1000 } });

    for (let i = 0; i < 25; i += 1) r.record(`agent-${i}`, { cpu_usage: i / 100 });

    await vi.waitFor(() => expect(server.to('/api/v1/samples')).toHaveLength(2), { timeout: 5000, interval: 2 });
    // The five left over wait for the deadline, not for more samples.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.to('/api/v1/samples')).toHaveLength(2);
    timers.advance(999);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.to('/api/v1/samples')).toHaveLength(2);
    timers.advance(1);
    await vi.waitFor(() => expect(server.to('/api/v1/samples')).toHaveLength(3), { timeout: 5000, interval: 2 });

    const sizes = server.to('/api/v1/samples').map((q) => (q.body as { samples: unknown[] }).samples.length);
    expect(sizes).toEqual([10, 10, 5]);
    const samples = server.batchedSamples();
    expect(samples.map((s) => s['agent'])).toEqual(Array.from({ length: 25 }, (_, i) => `agent-${i}`));
    expect(samples[0]).toEqual({ swarm: 'demo', agent: 'agent-0', metric: 'cpu_usage', value: 0, timestamp: timers.now() - 1000 });
  });

  it('counts samples the exporter rejects in a 202 and reports them as an event', async () => {
    const server = await exporter(() => ({
      status: 202,
      body: { accepted: 1, rejected: 1, errors: [{ index: 1, reason: 'value: expected a ratio in [0, 1], got 1.5' }] },
    }));
    const events: ReporterEvent[] = [];
    const r = reporter(server.url, new ManualTimers(), { onEvent: (e) => events.push(e) });

    r.record('alpha', { cpu_usage: 0.5, memory_usage: 1.5 });
    await r.flush();

    expect(r.stats()).toMatchObject({ samplesAccepted: 1, samplesRejected: 1, samplesDropped: 0, failures: 0 });
    expect(events).toContainEqual({
      type: 'rejected',
      route: 'samples',
      rejected: 1,
      errors: [{ index: 1, reason: 'value: expected a ratio in [0, 1], got 1.5' }],
    });
  });

  it('retries 5xx with full-jitter backoff and delivers the same body on the third attempt', async () => {
    const server = await exporter((_req, index) =>
      index < 2
        ? { status: index === 0 ? 500 : 503, body: { error: 'busy' } }
        : { status: 202, body: { accepted: 2, rejected: 0, errors: [] } },
    );
    const timers = new ManualTimers();
    const events: ReporterEvent[] = [];
    const r = reporter(server.url, timers, { retry: { initialDelayMs: 200, maxDelayMs: 10_000 }, onEvent: (e) => events.push(e) });

    r.record('alpha', { cpu_usage: 0.1, error_rate: 0 });
    const flushed = r.flush();
    // random() = 0.5: half of the 200 ms window, then half of the 400 ms window.
    await fireWhenScheduled(timers, 100);
    await fireWhenScheduled(timers, 200);
    await flushed;

    expect(server.requests).toHaveLength(3);
    expect(server.requests[1]?.body).toEqual(server.requests[0]?.body);
    expect(server.requests[2]?.body).toEqual(server.requests[0]?.body);
    expect(events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.delayMs : -1))).toEqual([100, 200]);
    expect(r.stats()).toMatchObject({ requests: 3, retries: 2, delivered: 1, failures: 0, samplesAccepted: 2, samplesDropped: 0 });
  });

  it.each([
    { status: 500, attempts: 3 },
    { status: 502, attempts: 3 },
    { status: 503, attempts: 3 },
    { status: 408, attempts: 3 },
    { status: 400, attempts: 1 },
    { status: 401, attempts: 1 },
    { status: 413, attempts: 1 },
    { status: 422, attempts: 1 },
    { status: 429, attempts: 1 },
  ])('makes $attempts attempt(s) when the exporter always answers $status', async ({ status, attempts }) => {
    const server = await exporter(() => ({ status, body: { error: 'no' } }));
    const timers = new ManualTimers();
    const r = reporter(server.url, timers, { retry: { maxAttempts: 3, initialDelayMs: 100 } });

    const pending = r.heartbeat('alpha');
    if (attempts > 1) {
      await fireWhenScheduled(timers, 50);
      await fireWhenScheduled(timers, 100);
    }
    const result = await pending;

    expect(result).toMatchObject({ ok: false, status, attempts });
    expect(server.requests).toHaveLength(attempts);
  });

  it('honours Retry-After on a 503, capped at maxDelayMs', async () => {
    const server = await exporter((_req, index) => (index === 0 ? { status: 503, headers: { 'retry-after': '120' } } : { status: 202 }));
    const timers = new ManualTimers();
    const r = reporter(server.url, timers, { retry: { maxDelayMs: 7000 } });

    const pending = r.heartbeat('alpha');
    await fireWhenScheduled(timers, 7000);
    expect(await pending).toEqual({ ok: true, status: 202 });
  });

  it('retries network errors and, after maxAttempts, counts the batch as dropped', async () => {
    const closed = await exporter();
    const target = closed.url;
    await closed.close();
    const timers = new ManualTimers();
    const events: ReporterEvent[] = [];
    const r = reporter(target, timers, { retry: { maxAttempts: 2, initialDelayMs: 100 }, onEvent: (e) => events.push(e) });

    r.record('alpha', { cpu_usage: 0.1, memory_usage: 0.2, throughput: 3 });
    const flushed = r.flush();
    await fireWhenScheduled(timers, 50);
    await flushed;

    expect(r.stats()).toMatchObject({ requests: 2, failures: 1, samplesDropped: 3, samplesAccepted: 0 });
    const gaveUp = events.find((e) => e.type === 'gave_up');
    expect(gaveUp).toMatchObject({ type: 'gave_up', route: 'samples', attempts: 2, samples: 3 });
    expect(gaveUp?.type === 'gave_up' ? gaveUp.message : '').toMatch(/ECONNREFUSED|fetch failed/);
  });

  it('keeps only the newest samples when the buffer bound is exceeded', async () => {
    const server = await exporter();
    const events: ReporterEvent[] = [];
    const r = reporter(server.url, new ManualTimers(), {
      batch: { maxSamples: 100, maxBufferedSamples: 5 },
      onEvent: (e) => events.push(e),
    });

    for (let i = 0; i < 8; i += 1) r.record('alpha', { [`m_${i}`]: i });
    await r.flush();

    expect(server.batchedSamples().map((s) => s['metric'])).toEqual(['m_3', 'm_4', 'm_5', 'm_6', 'm_7']);
    expect(events.filter((e) => e.type === 'dropped')).toEqual([
      { type: 'dropped', samples: 1, reason: 'buffer_full' },
      { type: 'dropped', samples: 1, reason: 'buffer_full' },
      { type: 'dropped', samples: 1, reason: 'buffer_full' },
    ]);
    expect(r.stats().samplesDropped).toBe(3);
  });

  it('never has more requests in flight than maxConcurrentRequests', async () => {
    const server = await exporter(() => 'hang');
    const r = reporter(server.url, new ManualTimers(), { maxConcurrentRequests: 2, retry: { maxAttempts: 1 } });

    const beats = ['a', 'b', 'c', 'd', 'e'].map((agent) => r.heartbeat(agent));
    await vi.waitFor(() => expect(server.requests).toHaveLength(2), { timeout: 5000, interval: 2 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.requests).toHaveLength(2);
    // Each release answers the hung ones; the queued heartbeats then go out two at a time.
    for (let round = 0; round < 3; round += 1) {
      server.release();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    server.responder = acceptAll;
    server.release();
    await Promise.all(beats);

    expect(server.requests).toHaveLength(5);
    expect(server.maxConcurrent).toBe(2);
  });

  it('sends a waiting batch before heartbeats that queued earlier', async () => {
    const server = await exporter(() => 'hang');
    const r = reporter(server.url, new ManualTimers(), { maxConcurrentRequests: 1, retry: { maxAttempts: 1 }, batch: { maxSamples: 2 } });

    const beats = ['a', 'b', 'c'].map((agent) => r.heartbeat(agent));
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 5000, interval: 2 });
    r.record('x', { cpu_usage: 0.1, memory_usage: 0.2 });
    server.responder = acceptAll;
    server.release();
    await Promise.all(beats);
    await r.flush();

    expect(server.requests.map((q) => q.path)).toEqual([
      '/api/v1/agents/a/heartbeat',
      '/api/v1/samples',
      '/api/v1/agents/b/heartbeat',
      '/api/v1/agents/c/heartbeat',
    ]);
  });

  it('beats at the interval and skips a beat while the previous one is in flight', async () => {
    let hang = false;
    const server = await exporter(() => (hang ? 'hang' : { status: 202 }));
    const timers = new ManualTimers();
    const r = reporter(server.url, timers, { retry: { maxAttempts: 1 } });

    r.startHeartbeat('alpha', { type: 'worker' }, 5000);
    // Answered and accounted for: the first beat is no longer in flight.
    await vi.waitFor(() => expect(r.stats().delivered).toBe(1), { timeout: 5000, interval: 2 });
    hang = true;
    await fireWhenScheduled(timers, 5000);
    await vi.waitFor(() => expect(server.requests).toHaveLength(2), { timeout: 5000, interval: 2 });
    // The second beat hangs: the third tick must not open another request.
    timers.advance(5000);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.requests).toHaveLength(2);
    hang = false;
    server.release();
    await vi.waitFor(() => expect(r.stats().failures).toBe(1), { timeout: 5000, interval: 2 });
    timers.advance(5000);
    await vi.waitFor(() => expect(server.requests).toHaveLength(3), { timeout: 5000, interval: 2 });
    expect(server.requests.every((q) => q.path === '/api/v1/agents/alpha/heartbeat')).toBe(true);
  });

  it('flushes buffered samples on stop, then ends its loops and refuses new samples', async () => {
    const server = await exporter();
    const timers = new ManualTimers();
    const events: ReporterEvent[] = [];
    const r = reporter(server.url, timers, { batch: { maxSamples: 1000, maxDelayMs: 60_000 }, onEvent: (e) => events.push(e) });

    r.startHeartbeat('alpha', {}, 1000);
    r.record('alpha', { cpu_usage: 0.3, queue_depth: 2 });
    await r.stop();
    const seen = server.requests.length;
    timers.advance(10_000);
    r.record('alpha', { cpu_usage: 0.4 });
    await new Promise((resolve) => setTimeout(resolve, 30));

    expect(server.batchedSamples().map((s) => s['metric'])).toEqual(['cpu_usage', 'queue_depth']);
    expect(server.requests.length).toBe(seen);
    expect(events).toContainEqual({ type: 'dropped', samples: 1, reason: 'stopped' });
    expect(await r.heartbeat('alpha')).toMatchObject({ ok: false, message: 'reporter stopped' });
    expect(timers.pending).toBe(0);
  });

  it('ends stop() at stopTimeoutMs when the exporter hangs, counting the stuck batch as dropped', async () => {
    const server = await exporter(() => 'hang');
    const timers = new ManualTimers();
    const r = reporter(server.url, timers, { stopTimeoutMs: 2000, requestTimeoutMs: 60_000 });

    r.record('alpha', { cpu_usage: 0.3, memory_usage: 0.2 });
    const stopped = r.stop();
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 5000, interval: 2 });
    timers.advance(2000);
    await stopped;

    expect(r.stats()).toMatchObject({ requests: 1, failures: 1, samplesDropped: 2, samplesAccepted: 0 });
  });

  it.each([
    { name: 'batch.maxSamples', options: { batch: { maxSamples: 0 } } },
    { name: 'maxConcurrentRequests', options: { maxConcurrentRequests: 0 } },
    { name: 'retry.maxAttempts', options: { retry: { maxAttempts: 0 } } },
    { name: 'requestTimeoutMs', options: { requestTimeoutMs: -1 } },
  ])('refuses a nonsensical $name', ({ options }) => {
    expect(() => new AgentReporter({ target: 'http://127.0.0.1:1', ...options })).toThrow(RangeError);
  });
});
