import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minOverlapFor } from '../../src/analysis-cycle/correlation-track.js';
import type { AnalysisResponse, CorrelationMatrixResponse } from '../../src/analysis-cycle/swarm-analysis.js';
import { differenceSeries } from '../../src/analysis/difference-row.js';
import { pearsonPairwise } from '../../src/analysis/pearson-pair.js';
import { MAX_MATRIX_AGENTS } from '../../src/http/analysis-routes.js';
import { seeded } from '../analysis/support/random.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';
import { advanceStep, SwarmDriver } from '../support/swarm-driver.js';

async function get(exporter: TestExporter, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${exporter.url}${path}`, { headers });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('GET /api/v1/analysis and /api/v1/analysis/correlations', () => {
  let exporter: TestExporter;
  const ids = ['a', 'b', 'c', 'flat', 'late'];
  beforeAll(async () => {
    exporter = await startTestExporter();
    const pipeline = new SwarmDriver(exporter, 'pipeline');
    const other = new SwarmDriver(exporter, 'another');
    const rng = seeded(31);
    for (let t = 0; t < 40; t += 1) {
      const shared = rng.gauss();
      await pipeline.push({
        a: { queue_depth: 10 + shared + 0.2 * rng.gauss() },
        b: { queue_depth: 10 - shared + 0.2 * rng.gauss() },
        c: { queue_depth: 10 + rng.gauss() },
        // Constant: no correlation is defined with it.
        flat: { queue_depth: 3 },
        // Joins late: fewer common points than a pair needs (a quarter of the window, at least 10).
        ...(t >= 35 ? { late: { queue_depth: 10 + rng.gauss() } } : {}),
      });
      await other.push({ x: { cpu_usage: 0.5 } });
      await advanceStep(exporter);
    }
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('lists every swarm’s latest snapshot, sorted by name, with generated_at from the exporter clock', async () => {
    const res = await get(exporter, '/api/v1/analysis');
    expect(res.status).toBe(200);
    const body = res.body as AnalysisResponse;
    expect(body.swarms.map((s) => s.swarm)).toEqual(['another', 'pipeline']);
    expect(body.generated_at).toBe(new Date(exporter.clock.now()).toISOString());
    expect(body.swarms[1]?.filled_points).toBe(40);
  });

  it('filters by ?swarm=', async () => {
    const res = await get(exporter, '/api/v1/analysis?swarm=pipeline');
    expect((res.body as AnalysisResponse).swarms.map((s) => s.swarm)).toEqual(['pipeline']);
  });

  it.each([
    { query: 'swarm=nope', status: 404, field: 'swarm' },
    { query: 'swarm=bad%20name', status: 400, field: 'swarm' },
    { query: 'swarm=a&swarm=b', status: 400, field: 'swarm' },
  ])('answers $status for /api/v1/analysis?$query, naming the field', async ({ query, status, field }) => {
    const res = await get(exporter, `/api/v1/analysis?${query}`);
    expect(res.status).toBe(status);
    expect((res.body as { error: string }).error).toMatch(new RegExp(`^${field}: `));
  });

  it.each([
    { query: 'metric=queue_depth', status: 400, field: 'swarm' },
    { query: 'swarm=pipeline', status: 400, field: 'metric' },
    { query: 'swarm=pipeline&metric=Queue-Depth', status: 400, field: 'metric' },
    { query: 'swarm=pipeline&metric=queue_depth&metric=cpu_usage', status: 400, field: 'metric' },
    { query: 'swarm=pipe%0Aline&metric=queue_depth', status: 400, field: 'swarm' },
    { query: 'swarm=nope&metric=queue_depth', status: 404, field: 'swarm' },
    { query: 'swarm=pipeline&metric=queue_depth&basis=returns', status: 400, field: 'basis' },
    { query: 'swarm=pipeline&metric=queue_depth&basis=levels&basis=changes', status: 400, field: 'basis' },
    { query: 'swarm=pipeline&metric=cpu_usage', status: 404, field: 'metric' },
  ])('answers $status for correlations?$query, naming the field', async ({ query, status, field }) => {
    const res = await get(exporter, `/api/v1/analysis/correlations?${query}`);
    expect(res.status).toBe(status);
    expect((res.body as { error: string }).error).toMatch(new RegExp(`^${field}: `));
  });

  describe('the full matrix', () => {
    let m: CorrelationMatrixResponse;
    const at = (a: string, b: string): number | null | undefined => m.matrix[m.agents.indexOf(a)]?.[m.agents.indexOf(b)];
    beforeAll(async () => {
      const res = await get(exporter, '/api/v1/analysis/correlations?swarm=pipeline&metric=queue_depth');
      expect(res.status).toBe(200);
      m = res.body as CorrelationMatrixResponse;
    });

    it('names the swarm, the metric and the agents (sorted), one row and one column per agent', () => {
      expect(m.swarm).toBe('pipeline');
      expect(m.metric).toBe('queue_depth');
      expect(m.agents).toEqual([...ids].sort());
      expect(m.matrix).toHaveLength(ids.length);
      for (const row of m.matrix) expect(row).toHaveLength(ids.length);
    });

    it('is symmetric', () => {
      for (const a of m.agents) for (const b of m.agents) expect(at(a, b)).toBe(at(b, a));
    });

    it('has 1 on the diagonal of agents that correlate, null for a constant agent and one with too few points', () => {
      expect(['a', 'b', 'c'].map((a) => at(a, a))).toEqual([1, 1, 1]);
      expect(at('flat', 'flat')).toBeNull();
      expect(at('late', 'late')).toBeNull();
    });

    it('gives null, never NaN, where r is undefined', () => {
      for (const other of ['a', 'b', 'c', 'late']) expect(at('flat', other)).toBeNull();
      for (const other of ['a', 'b', 'c']) expect(at('late', other)).toBeNull();
    });

    it('says it is computed on changes', () => {
      expect(m.basis).toBe('changes');
    });

    it('gives each defined r of changes exactly (two-pass reference over the differenced windows)', () => {
      const windows = exporter.registry.swarm('pipeline')?.windows;
      const changes = (agent: string): Float64Array => differenceSeries(windows?.chronological('queue_depth', agent) ?? new Float64Array());
      for (const [x, y] of [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ] as const) {
        expect(at(x, y)).toBeCloseTo(pearsonPairwise(changes(x), changes(y), minOverlapFor(exporter.registry.windowPoints)), 12);
      }
      expect(at('a', 'b')).toBeLessThan(-0.9);
    });

    it('agrees with the pairs the cycle exposes: the coupled pair only (the others are independent noise)', async () => {
      const snapshot = ((await get(exporter, '/api/v1/analysis?swarm=pipeline')).body as AnalysisResponse).swarms[0];
      const exposed = snapshot?.top_pairs.queue_depth ?? [];
      expect(exposed.map((p) => `${p.agent_a}|${p.agent_b}`)).toEqual(['a|b']);
      for (const p of exposed) expect(at(p.agent_a, p.agent_b)).toBeCloseTo(p.r, 9);
    });

    it('gives the level correlation under ?basis=levels (two-pass reference over the same windows)', async () => {
      const res = await get(exporter, '/api/v1/analysis/correlations?swarm=pipeline&metric=queue_depth&basis=levels');
      expect(res.status).toBe(200);
      const levels = res.body as CorrelationMatrixResponse;
      expect(levels.basis).toBe('levels');
      const windows = exporter.registry.swarm('pipeline')?.windows;
      const series = (agent: string): Float64Array => windows?.chronological('queue_depth', agent) ?? new Float64Array();
      const atLevel = (a: string, b: string): number | null | undefined =>
        levels.matrix[levels.agents.indexOf(a)]?.[levels.agents.indexOf(b)];
      for (const [x, y] of [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ] as const) {
        expect(atLevel(x, y)).toBeCloseTo(pearsonPairwise(series(x), series(y), minOverlapFor(exporter.registry.windowPoints)), 12);
      }
    });
  });
});

describe('the full matrix at scale', () => {
  let exporter: TestExporter;
  beforeAll(async () => {
    exporter = await startTestExporter({ analysis: { window: '20s' } });
  });
  afterAll(async () => {
    await exporter.stop();
  });

  it('streams a large matrix that parses whole', async () => {
    const driver = new SwarmDriver(exporter, 'wide');
    const rng = seeded(4);
    for (let t = 0; t < 12; t += 1)
      await driver.step(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`agent-${i}`, { queue_depth: 5 + rng.gauss() }])));
    const res = await get(exporter, '/api/v1/analysis/correlations?swarm=wide&metric=queue_depth');
    expect(res.status).toBe(200);
    const m = res.body as CorrelationMatrixResponse;
    expect(m.matrix).toHaveLength(400);
    expect(m.matrix.every((row, i) => row.length === 400 && row[i] === 1)).toBe(true);
  });

  it(`refuses with 422 a swarm of more than ${MAX_MATRIX_AGENTS} agents`, async () => {
    const driver = new SwarmDriver(exporter, 'huge');
    await driver.step(Object.fromEntries(Array.from({ length: MAX_MATRIX_AGENTS + 1 }, (_, i) => [`agent-${i}`, { queue_depth: i }])));
    const res = await get(exporter, '/api/v1/analysis/correlations?swarm=huge&metric=queue_depth');
    expect(res.status).toBe(422);
    expect((res.body as { error: string }).error).toMatch(/^swarm: 2001 agents/);
  });
});

describe('analysis routes behind web.auth.api_token_file', () => {
  let exporter: TestExporter;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'analysis-auth-'));
    writeFileSync(join(dir, 'api-token'), 'secret-token\n');
    exporter = await startTestExporter({ web: { auth: { api_token_file: join(dir, 'api-token') } } });
    await exporter.post('/api/v1/samples', { samples: [{ agent: 'a', metric: 'queue_depth', value: 1 }] });
    await advanceStep(exporter);
  });
  afterAll(async () => {
    await exporter.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/api/v1/analysis', '/api/v1/analysis/correlations?swarm=default&metric=queue_depth'])(
    'answers 401 without the token and 200 with it: %s',
    async (path) => {
      expect((await get(exporter, path)).status).toBe(401);
      expect((await get(exporter, path, { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await get(exporter, path, { authorization: 'Bearer secret-token' })).status).toBe(200);
    },
  );
});
