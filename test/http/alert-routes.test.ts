import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { alert, fixture, notification } from '../coordination/fixtures/alertmanager.js';
import { ServiceHarness, type HarnessOptions } from '../coordination/fixtures/service-harness.js';

const TOKEN = 's3cr3t-webhook-token-value';
let harness: ServiceHarness | undefined;

async function start(options: HarnessOptions = {}): Promise<ServiceHarness> {
  harness = await new ServiceHarness({ webhookToken: TOKEN, ...options }).start();
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const tasks = (h: ServiceHarness) => h.store.listTasks({ limit: 1000 });

describe('POST /api/v1/alerts (docs/reliability.md tests 1-7)', () => {
  it('1. creates one task per firing alert that asks for one, from a current v4 payload', async () => {
    const h = await start();
    const res = await h.post('/api/v1/alerts', fixture('alertmanager-v4-current.json'));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ alerts: 3, accepted: 3, duplicates: 0, tasks_created: ['task-0001', 'task-0002'] });
    const byType = tasks(h).map((t) => [t.type, t.priority, t.swarm, t.agents, t.fingerprint]);
    expect(byType).toEqual([
      ['resource_balancing', 'high', 'demo', ['beta'], '9f8e7d6c5b4a3921'],
      ['cross_system_healing', 'emergency', 'demo', ['gamma'], 'c3a1b2d4e5f60718'],
    ]);
    // The exporter-down alert asks for no task but is recorded.
    expect(h.store.getIncident('0011223344556677', Date.UTC(2026, 0, 1, 10, 2))).toMatchObject({ status: 'firing', taskId: undefined });
    expect(await h.metric('agentswarm_alerts_received_total', { status: 'firing', result: 'accepted' })).toBe(3);
    expect(
      await h.metric('agentswarm_coordination_tasks_total', {
        coordination_type: 'cross_system_healing',
        priority: 'emergency',
        outcome: 'created',
      }),
    ).toBe(1);
    expect(await h.metric('agentswarm_coordination_queue_depth', { priority: 'emergency' })).toBe(1);
  });

  it('1. creates tasks from a legacy payload without fingerprint or truncatedAlerts, via the alertname table', async () => {
    const h = await start();
    const res = await h.post('/api/v1/alerts', fixture('alertmanager-v4-legacy.json'));
    expect(res.status).toBe(200);
    expect(tasks(h)).toMatchObject([
      { type: 'resource_balancing', priority: 'medium', swarm: 's1', fingerprint: expect.stringMatching(/^sha256:/) },
    ]);
    expect((await h.post('/api/v1/alerts', fixture('alertmanager-v4-legacy.json'))).json).toMatchObject({ duplicates: 1 });
    expect(tasks(h)).toHaveLength(1);
  });

  it('2. the same payload ten times concurrently: ten 200s, one task, nine duplicates counted', async () => {
    const h = await start();
    const body = notification([alert({ fingerprint: 'aa01' })]);
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.post('/api/v1/alerts', body)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(tasks(h)).toHaveLength(1);
    expect(await h.metric('agentswarm_alerts_received_total', { status: 'firing', result: 'duplicate' })).toBe(9);
    expect(await h.metric('agentswarm_alerts_received_total', { status: 'firing', result: 'accepted' })).toBe(1);
  });

  it('2. the same alert from both replicas of an HA pair (different receivers) makes one task', async () => {
    const h = await start();
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'ha01' })], 'am-0'));
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'ha01' })], 'am-1'));
    expect(tasks(h)).toHaveLength(1);
  });

  it('3. a repeat-interval resend creates nothing; group growth {A} then {A,B} creates only B', async () => {
    const h = await start();
    const a = alert({ fingerprint: 'a' });
    await h.post('/api/v1/alerts', notification([a]));
    h.clock.advance(4 * 3600_000);
    expect((await h.post('/api/v1/alerts', notification([a]))).json).toMatchObject({ tasks_created: [], duplicates: 1 });
    const grown = await h.post('/api/v1/alerts', notification([a, alert({ fingerprint: 'b' })]));
    expect(grown.json).toMatchObject({ tasks_created: [expect.any(String)], duplicates: 1 });
    expect(
      tasks(h)
        .map((t) => t.fingerprint)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('3. a truncated notification does not resolve the alerts it leaves out', async () => {
    const h = await start();
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a' }), alert({ fingerprint: 'b' })]));
    const truncated = { ...notification([alert({ fingerprint: 'a' })]), truncatedAlerts: 1 };
    expect((await h.post('/api/v1/alerts', truncated)).status).toBe(200);
    expect(tasks(h).map((t) => t.status)).toEqual(['queued', 'queued']);
  });

  it('4. a resolve cancels the queued task; a resolve for an unknown fingerprint creates nothing', async () => {
    const h = await start();
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a' })]));
    const res = await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a', status: 'resolved' })]));
    expect(res.json).toMatchObject({ tasks_cancelled: ['task-0001'] });
    expect(tasks(h)).toMatchObject([{ status: 'cancelled', lastError: 'alert resolved before the task ran' }]);
    expect(
      await h.metric('agentswarm_coordination_tasks_total', {
        coordination_type: 'cross_system_healing',
        priority: 'medium',
        outcome: 'cancelled',
      }),
    ).toBe(1);
    expect(await h.metric('agentswarm_coordination_queue_depth', { priority: 'medium' })).toBe(0);

    const unknown = await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'zz', status: 'resolved' })]));
    expect(unknown.status).toBe(200);
    expect(tasks(h)).toHaveLength(1);
  });

  it('5. a re-fire after resolve (new startsAt) creates a new task', async () => {
    const h = await start();
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a', startsAt: '2026-01-01T00:00:00Z' })]));
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a', startsAt: '2026-01-01T00:00:00Z', status: 'resolved' })]));
    const refire = await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a', startsAt: '2026-01-01T01:00:00Z' })]));
    expect(refire.json).toMatchObject({ tasks_created: ['task-0002'] });
    expect(tasks(h).map((t) => t.status)).toEqual(['queued', 'cancelled']);
  });

  it('5. a resolve overtaking its late firing retry leaves the incident resolved and no zombie task', async () => {
    const h = await start();
    const startsAt = '2026-01-01T00:00:00Z';
    await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'late', startsAt, status: 'resolved' })]));
    const lateFiring = await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'late', startsAt })]));
    expect(lateFiring.status).toBe(200);
    expect(lateFiring.json).toMatchObject({ tasks_created: [], duplicates: 1 });
    expect(tasks(h)).toHaveLength(0);
    expect(h.store.getIncident('late', Date.parse(startsAt))?.status).toBe('resolved');
  });

  it.each([
    ['malformed JSON', '{"receiver": ', {}, 400, 'unknown'],
    ['a schema violation', { receiver: 'r', status: 'firing', alerts: [{ status: 'firing' }] }, {}, 422, 'firing'],
    ['a wrong content type', 'receiver=r', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unknown'],
    ['a body over 1 MiB', JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), {}, 413, 'unknown'],
  ])('6. answers %s with its 4xx and counts it invalid', async (_name, body, headers, status, label) => {
    const h = await start();
    const res = await h.post('/api/v1/alerts', body, headers);
    expect(res.status).toBe(status);
    expect(typeof res.json.error).toBe('string');
    expect(await h.metric('agentswarm_alerts_received_total', { status: label, result: 'invalid' })).toBe(1);
  });

  it('6. names the field and the rule in a 422', async () => {
    const h = await start();
    const res = await h.post('/api/v1/alerts', {
      receiver: 'r',
      status: 'firing',
      alerts: [{ status: 'firing', labels: {}, startsAt: 'noon' }],
    });
    expect(res).toMatchObject({
      status: 422,
      json: { error: expect.stringContaining('alerts[0].startsAt: expected an RFC 3339 timestamp') },
    });
    expect(await h.metric('agentswarm_alerts_received_total', { status: 'firing', result: 'invalid' })).toBe(1);
  });

  it('6. answers 503 while another connection holds the write lock, then 200 once it is released', async () => {
    const h = await start({ storeOptions: { busyTimeoutMs: 20 } });
    const other = new Database(h.dbPath);
    other.exec('BEGIN IMMEDIATE');
    const body = notification([alert({ fingerprint: 'busy' })]);
    const refused = await h.post('/api/v1/alerts', body);
    expect(refused.status).toBe(503);
    expect(tasks(h)).toHaveLength(0);
    other.exec('COMMIT');
    other.close();
    expect((await h.post('/api/v1/alerts', body)).status).toBe(200);
    expect(tasks(h)).toHaveLength(1);
  });

  it('6. answers 503 when the database is full, keeping nothing of the notification', async () => {
    // Size the cap to the freshly migrated file: a large notification needs pages it cannot have.
    const probe = await start();
    const pages = Number(probe.store.pragma('page_count'));
    await probe.close();
    const h = await start({ storeOptions: { maxPages: pages } });
    const big = alert({ fingerprint: 'big' });
    big.annotations = { description: 'x'.repeat(200_000) };
    const res = await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'small' }), big]));
    expect(res.status).toBe(503);
    expect(res.json.error).toMatch(/full/);
    expect(tasks(h)).toHaveLength(0);
    expect(h.store.getIncident('small', Date.UTC(2026, 0, 1))).toBeUndefined();
  });

  it('6. answers 503 once shutting down, without reading the body', async () => {
    const h = await start();
    await h.stopService(0);
    const res = await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'late' })]));
    expect(res.status).toBe(503);
    expect(tasks(h)).toHaveLength(0);
  });

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', 'Bearer wrong-token'],
    ['a token with a different length', 'Bearer x'],
    ['another scheme', `Basic ${TOKEN}`],
  ])('7. answers 401 to %s and never logs tokens', async (_name, authorization) => {
    const h = await start();
    const res = await fetch(`${h.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(notification([alert({ fingerprint: 'a' })])),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(tasks(h)).toHaveLength(0);
    expect(await h.metric('agentswarm_alerts_received_total', { status: 'unknown', result: 'unauthorized' })).toBe(1);
    // A successful request, then: neither token appears in any log line.
    expect((await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'b' })]))).status).toBe(200);
    const logs = h.logLines.join('\n');
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain('wrong-token');
  });

  it('7. is open when no webhook token is configured', async () => {
    const h = await start({ webhookToken: undefined });
    expect((await h.post('/api/v1/alerts', notification([alert({ fingerprint: 'a' })]))).status).toBe(200);
  });

  it('treats __proto__ keys in a notification as data', async () => {
    const h = await start();
    const body = `{"receiver":"r","status":"firing","__proto__":{"polluted":1},"alerts":[{"status":"firing","startsAt":"2026-01-01T00:00:00Z","fingerprint":"p1",
      "labels":{"alertname":"AgentSwarmAgentDown","__proto__":"x","constructor":"c"},"annotations":{}}]}`;
    const res = await h.post('/api/v1/alerts', body);
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(tasks(h)).toMatchObject([{ type: 'cross_system_healing', alerts: [{ labels: { constructor: 'c' } }] }]);
  });
});
