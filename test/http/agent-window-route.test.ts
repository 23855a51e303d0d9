import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentWindowResponse } from '../../src/http/agent-window-route.js';
import { seeded } from '../analysis/support/random.js';
import { advanceStep, SwarmDriver } from '../support/swarm-driver.js';
import { startTestExporter, type TestExporter } from '../support/test-exporter.js';

const TOKEN = 'window-route-token-7c1e';
/** Steps pushed: more than the 2 m / 1 s window of 120, so the oldest ones have left it. */
const STEPS = 150;

describe('GET /api/v1/agents/{swarm}/{agent}/window', () => {
  let exporter: TestExporter;
  let dir: string;
  /** What each agent was sent, per step (null: nothing sent that step). */
  const sent: Record<string, (number | null)[]> = { steady: [], late: [], gappy: [] };
  /** Clock time at which each step's samples were sent. */
  const sentAt: number[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'agent-window-'));
    const tokenFile = join(dir, 'api.token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    // carry_forward 0: a missed push is a gap, so the window shows exactly what was sent.
    exporter = await startTestExporter({ web: { auth: { api_token_file: tokenFile } }, analysis: { carry_forward: 0 } });
    const swarm = new SwarmDriver(exporter, 'pipeline');
    const rng = seeded(7);
    let level = 5;
    for (let t = 0; t < STEPS; t += 1) {
      // A trending random walk for one agent, a late joiner, and one that misses every 7th step.
      level += 0.1 + rng.gauss();
      const values: Record<string, Record<string, number>> = { steady: { queue_depth: level, cpu_usage: 0.5 } };
      sent.steady?.push(level);
      const lateValue = t >= 140 ? 10 + t : null;
      if (lateValue !== null) values.late = { queue_depth: lateValue };
      sent.late?.push(lateValue);
      const gappyValue = t % 7 === 3 ? null : 20 + rng.gauss();
      if (gappyValue !== null) values.gappy = { queue_depth: gappyValue };
      sent.gappy?.push(gappyValue);
      sentAt.push(exporter.clock.now());
      await swarm.push(values);
      await advanceStep(exporter);
    }
  });
  afterAll(async () => {
    await exporter?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function get(path: string, token: string | null = TOKEN): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${exporter.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  it('returns the whole window of each metric, oldest first, with one step-end timestamp per value', async () => {
    const res = await get('/api/v1/agents/pipeline/steady/window?metrics=queue_depth,cpu_usage');
    expect(res.status).toBe(200);
    const body = res.body as AgentWindowResponse;
    expect(body.swarm).toBe('pipeline');
    expect(body.agent).toBe('steady');
    expect(body.step_seconds).toBe(1);
    const w = exporter.registry.windowPoints;
    expect(body.timestamps).toHaveLength(w);
    expect(body.metrics.queue_depth).toEqual(sent.steady?.slice(STEPS - w));
    expect(body.metrics.cpu_usage).toEqual(new Array(w).fill(0.5));
    // Step ends rise one step at a time, and each step's end is at or after the moment its samples were sent.
    for (let i = 1; i < w; i++) expect(body.timestamps[i]).toBe((body.timestamps[i - 1] ?? 0) + 1000);
    sentAt.slice(STEPS - w).forEach((at, i) => expect(body.timestamps[i]).toBeGreaterThanOrEqual(at));
  });

  it('shows a late joiner’s missing past and missed pushes as null', async () => {
    const w = exporter.registry.windowPoints;
    const late = (await get('/api/v1/agents/pipeline/late/window?metrics=queue_depth')).body as AgentWindowResponse;
    expect(late.metrics.queue_depth).toEqual(sent.late?.slice(STEPS - w));
    expect(late.metrics.queue_depth?.filter((v) => v !== null)).toHaveLength(10);
    const gappy = (await get('/api/v1/agents/pipeline/gappy/window')).body as AgentWindowResponse;
    expect(Object.keys(gappy.metrics)).toEqual(['queue_depth']);
    expect(gappy.metrics.queue_depth).toEqual(sent.gappy?.slice(STEPS - w));
    expect(gappy.metrics.queue_depth?.some((v) => v === null)).toBe(true);
  });

  it('without ?metrics= lists every metric the window holds for the agent, sorted; an unheld one named is all null', async () => {
    const all = (await get('/api/v1/agents/pipeline/steady/window')).body as AgentWindowResponse;
    expect(Object.keys(all.metrics)).toEqual(['cpu_usage', 'queue_depth']);
    const unheld = (await get('/api/v1/agents/pipeline/late/window?metrics=cpu_usage')).body as AgentWindowResponse;
    expect(unheld.metrics.cpu_usage?.every((v) => v === null)).toBe(true);
  });

  it('sits behind the API bearer token', async () => {
    expect((await get('/api/v1/agents/pipeline/steady/window', null)).status).toBe(401);
    expect((await get('/api/v1/agents/pipeline/steady/window', 'wrong')).status).toBe(401);
  });

  it.each([
    { path: 'pipeline/steady/window?metrics=Queue-Depth', status: 400, field: 'metrics' },
    { path: 'pipeline/steady/window?metrics=queue_depth&metrics=cpu_usage', status: 400, field: 'metrics' },
    { path: 'pipeline/steady/window?metrics=', status: 400, field: 'metrics' },
    { path: `pipeline/steady/window?metrics=${new Array(65).fill('m').join(',')}`, status: 400, field: 'metrics' },
    { path: 'pipe%20line/steady/window', status: 400, field: 'swarm' },
    { path: 'pipeline/bad%0Aid/window', status: 400, field: 'agent' },
    { path: 'nope/steady/window', status: 404, field: 'swarm' },
    { path: 'pipeline/nobody/window', status: 404, field: 'agent' },
  ])('answers $status for $path, naming the field', async ({ path, status, field }) => {
    const res = await get(`/api/v1/agents/${path}`);
    expect(res.status).toBe(status);
    expect((res.body as { error: string }).error).toMatch(new RegExp(`^${field}: `));
  });
});
