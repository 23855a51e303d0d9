import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { findBinary, promtoolCheckMetrics } from '../support/promtool.js';

const promtool = findBinary('promtool');

describe('push ingest validation', () => {
  let exporter: TestExporter;
  beforeAll(async () => {
    exporter = await startTestExporter({ agents: { max_custom_metrics: 5, max_agents: 50 } });
  });
  afterAll(async () => {
    await exporter.stop();
  });

  const now = (): number => exporter.clock.now();

  // Each row: a batch with one hostile sample next to a valid one; the valid one must be kept and the
  // hostile one rejected with a reason naming the field and the rule.
  const hostile: [string, () => Record<string, unknown>, RegExp][] = [
    ['a NaN given as a string', () => ({ agent: 'h1', metric: 'cpu_usage', value: 'NaN' }), /^value: expected a finite number, got "NaN"$/],
    ['1e999 (Infinity after JSON.parse)', () => ({ agent: 'h1', metric: 'throughput', value: 'INF' }), /^value: expected a finite number/],
    ['a ratio above 1', () => ({ agent: 'h1', metric: 'cpu_usage', value: 1.5 }), /^value: expected cpu_usage in \[0, 1\], got 1.5$/],
    ['a negative ratio', () => ({ agent: 'h1', metric: 'error_rate', value: -0.1 }), /^value: expected error_rate in \[0, 1\], got -0.1$/],
    ['a negative latency', () => ({ agent: 'h1', metric: 'response_time', value: -1 }), /^value: expected response_time >= 0, got -1$/],
    [
      'a timestamp an hour in the future',
      () => ({ agent: 'h1', metric: 'cpu_usage', value: 0.1, timestamp: now() + 3_600_000 }),
      /^timestamp: expected at most 5m in the future, got 3600s ahead$/,
    ],
    [
      'a timestamp older than the window',
      () => ({ agent: 'h1', metric: 'cpu_usage', value: 0.1, timestamp: now() - 3_600_000 }),
      /^timestamp: expected within the analysis window \(120s\), got 3600s old$/,
    ],
    [
      'a fractional timestamp',
      () => ({ agent: 'h1', metric: 'cpu_usage', value: 0.1, timestamp: now() + 0.5 }),
      /^timestamp: expected milliseconds since the epoch/,
    ],
    [
      'an agent id with a quote and newline',
      () => ({ agent: 'x"} 1\nfake 1', metric: 'cpu_usage', value: 0.1 }),
      /^agent: expected an agent id matching/,
    ],
    ['an agent id of 129 characters', () => ({ agent: 'a'.repeat(129), metric: 'cpu_usage', value: 0.1 }), /^agent: expected an agent id/],
    ['a metric name with capitals', () => ({ agent: 'h1', metric: 'CpuUsage', value: 0.1 }), /^metric: expected a metric name matching/],
    ['a metric name with a brace', () => ({ agent: 'h1', metric: 'x{a="b"}', value: 0.1 }), /^metric: expected a metric name/],
    ['a swarm with a backslash', () => ({ swarm: 'a\\b', agent: 'h1', metric: 'cpu_usage', value: 0.1 }), /^swarm: expected a swarm name/],
    ['a missing value', () => ({ agent: 'h1', metric: 'cpu_usage' }), /^value: expected a finite number, got nothing$/],
    ['a boolean value', () => ({ agent: 'h1', metric: 'cpu_usage', value: true }), /^value: expected a finite number, got boolean$/],
  ];

  it.each(hostile)('rejects %s and keeps the valid sample of the same batch', async (_name, make, reason) => {
    const body = JSON.stringify({ samples: [{ agent: 'keeper', metric: 'cpu_usage', value: 0.25 }, make()] }).replace('"INF"', '1e999');
    const res = await exporter.post('/api/v1/samples', body);
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(1);
    expect(res.json.rejected).toBe(1);
    const errors = res.json.errors as { index: number; reason: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]?.index).toBe(1);
    expect(errors[0]?.reason).toMatch(reason);
    expect(exporter.registry.get('default', 'keeper')?.value('cpu_usage')).toBe(0.25);
  });

  it('applies every value rule to series it already knows (the ingest fast path)', async () => {
    await exporter.post('/api/v1/samples', {
      samples: [
        { agent: 'known', metric: 'throughput', value: 1 },
        { agent: 'known', metric: 'cpu_usage', value: 0.5 },
        { agent: 'known', metric: 'custom_k', value: 1 },
      ],
    });
    const body =
      '{"samples":[{"agent":"known","metric":"throughput","value":1e999},{"agent":"known","metric":"cpu_usage","value":1.01},{"agent":"known","metric":"custom_k","value":-1e999},{"agent":"known","metric":"cpu_usage","value":"0.7"},{"agent":"known","metric":"throughput","value":2}]}';
    const res = await exporter.post('/api/v1/samples', body);
    expect(res.status).toBe(202);
    expect((res.json.errors as { index: number }[]).map((e) => e.index)).toEqual([0, 1, 2, 3]);
    expect(exporter.registry.get('default', 'known')?.value('throughput')).toBe(2);
    expect(exporter.registry.get('default', 'known')?.value('cpu_usage')).toBe(0.5);
    expect(exporter.registry.get('default', 'known')?.value('custom_k')).toBe(1);
  });

  it('answers 400 naming the first problem when nothing in a batch is valid', async () => {
    const res = await exporter.post('/api/v1/samples', { samples: [{ agent: 'h1', metric: 'cpu_usage', value: 7 }] });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^value: expected cpu_usage in \[0, 1\]/);
  });

  it.each([
    ['not an object', '[1,2]', /^body: expected a JSON object, got a list$/],
    ['samples not a list', '{"samples": {"a": 1}}', /^samples: expected a list of samples, got an object$/],
    ['malformed JSON', '{"samples": [', /^body: expected valid JSON$/],
  ])('answers 400 for a batch body that is %s', async (_name, body, error) => {
    const res = await exporter.post('/api/v1/samples', body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(error);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await fetch(`${exporter.url}/api/v1/samples`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'cpu 1' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: string }).error).toMatch(/^content-type: expected application\/json, got "text\/plain"$/);
  });

  it('answers 413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({ samples: [{ agent: 'h1', metric: 'cpu_usage', value: 0.1, pad: 'x'.repeat(1024 * 1024) }] });
    const res = await exporter.post('/api/v1/samples', big);
    expect(res.status).toBe(413);
    expect(res.json.error).toBe('body: expected at most 1048576 bytes');
  });

  it('answers 413 from the declared length, before the body is read whole', async () => {
    const url = new URL(exporter.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: '/api/v1/samples',
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': String(100 * 1024 * 1024) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (error) =>
        error.message.includes('socket hang up') || (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(error),
      );
      req.write('{"samples": [');
      // The rest of the 100 MiB is never sent: only an early answer resolves this promise.
    });
    expect(status).toBe(413);
  });

  it('keeps __proto__ and constructor keys harmless', async () => {
    const body =
      '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "metrics": {"cpu_usage": 0.5, "constructor": 2}}';
    const res = await exporter.post('/api/v1/agents/proto-agent/metrics', body);
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(2);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    const hb = await exporter.post('/api/v1/agents/proto-agent/heartbeat', '{"labels": {"__proto__": "x"}}');
    expect(hb.status).toBe(400);
    expect(hb.json.error).toBe('labels.__proto__: reserved key, not allowed');
  });

  it.each([
    ['a type with a quote', { type: 'wor"ker' }, /^type: expected a name matching/],
    ['a capacity of zero', { capacity: 0 }, /^capacity: expected an integer in \[1, 1000000\], got 0$/],
    ['a fractional capacity', { capacity: 1.5 }, /^capacity: expected an integer/],
    [
      '33 labels',
      { labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`l${i}`, 'v'])) },
      /^labels: expected at most 32 labels, got 33$/,
    ],
    ['a label value over 1 KiB', { labels: { big: 'x'.repeat(1025) } }, /^labels.big: expected at most 1024 bytes, got 1025$/],
    ['a numeric label value', { labels: { n: 1 } }, /^labels.n: expected a string, got 1$/],
    ['a label name with a dash', { labels: { 'a-b': 'x' } }, /^labels: expected label names matching/],
  ])('refuses a heartbeat with %s', async (_name, body, error) => {
    const res = await exporter.post('/api/v1/agents/hb-agent/heartbeat', body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(error);
  });

  it('refuses an invalid agent id in the path', async () => {
    const res = await exporter.post('/api/v1/agents/bad%20agent/metrics', { metrics: { cpu_usage: 0.1 } });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^agent: expected an agent id matching/);
  });

  it('names the metric key in rejections of the single-agent route', async () => {
    const res = await exporter.post('/api/v1/agents/single/metrics', { metrics: { cpu_usage: 0.1, memory_usage: 2, Bad: 1 } });
    expect(res.status).toBe(202);
    expect(res.json.errors).toEqual([
      { index: 1, reason: 'metrics.memory_usage: expected memory_usage in [0, 1], got 2' },
      { index: 2, reason: expect.stringMatching(/^metrics.Bad: expected a metric name matching/) },
    ]);
  });

  it('caps custom metrics per agent and leaves other agents unaffected', async () => {
    const samples = Array.from({ length: 10_000 }, (_, i) => ({ agent: 'greedy', metric: `custom_${i}`, value: i }));
    const res = await exporter.post('/api/v1/samples', { samples });
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(5);
    expect(res.json.rejected).toBe(9_995);
    expect((res.json.errors as { reason: string }[])[0]?.reason).toMatch(/^metric: max_custom_metrics \(5\) reached for agent greedy/);
    const other = await exporter.post('/api/v1/agents/modest/metrics', { metrics: { my_metric: 1, cpu_usage: 0.2 } });
    expect(other.json.accepted).toBe(2);
    const page = await exporter.metricsText();
    expect(page.match(/agentswarm_agent_custom_metric\{swarm="default",agent="greedy"/g)).toHaveLength(5);
  });

  it('keeps /metrics parseable with no injected sample whatever was pushed', async () => {
    await exporter.post('/api/v1/agents/labelled/heartbeat', { labels: { evil: '"} 1\nfake_metric 1\\' }, variant: 'v1' });
    const page = await exporter.metricsText();
    expect(page).not.toMatch(/^fake_metric/m);
    if (promtool) {
      const check = promtoolCheckMetrics(promtool, page);
      expect(check.output).toBe('');
      expect(check.status).toBe(0);
    }
  });
});

describe('agent cap', () => {
  it('answers 429 for new agents beyond max_agents and keeps serving existing ones', async () => {
    const exporter = await startTestExporter({ agents: { max_agents: 2 } });
    try {
      expect((await exporter.post('/api/v1/agents/a1/heartbeat', {})).status).toBe(202);
      expect((await exporter.post('/api/v1/agents/a2/metrics', { metrics: { cpu_usage: 0.1 } })).status).toBe(202);
      const refused = await exporter.post('/api/v1/agents/a3/metrics', { metrics: { cpu_usage: 0.1 } });
      expect(refused.status).toBe(429);
      expect(refused.json.error).toBe('agent: max_agents (2) reached; new agents are refused until others expire');
      expect((await exporter.post('/api/v1/agents/a3/heartbeat', {})).status).toBe(429);
      const mixed = await exporter.post('/api/v1/samples', {
        samples: [
          { agent: 'a4', metric: 'cpu_usage', value: 0.1 },
          { agent: 'a1', metric: 'cpu_usage', value: 0.3 },
        ],
      });
      expect(mixed.status).toBe(202);
      expect(mixed.json.accepted).toBe(1);
      expect(exporter.registry.size).toBe(2);
    } finally {
      await exporter.stop();
    }
  });
});

describe('ingest authentication', () => {
  it('requires the bearer token when one is configured and never echoes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-'));
    const file = join(dir, 'ingest.token');
    writeFileSync(file, 's3cret-token\n');
    const exporter = await startTestExporter({ web: { auth: { ingest_token_file: file } } });
    try {
      const body = { metrics: { cpu_usage: 0.1 } };
      const missing = await exporter.post('/api/v1/agents/a1/metrics', body);
      expect(missing.status).toBe(401);
      const wrong = await exporter.post('/api/v1/agents/a1/metrics', body, { authorization: 'Bearer nope' });
      expect(wrong.status).toBe(401);
      expect(JSON.stringify(wrong.json)).not.toContain('s3cret');
      const right = await exporter.post('/api/v1/agents/a1/metrics', body, { authorization: 'Bearer s3cret-token' });
      expect(right.status).toBe(202);
      expect(exporter.logs.join('')).not.toContain('s3cret');
    } finally {
      await exporter.stop();
    }
  });
});
