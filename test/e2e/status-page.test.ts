// The live status page end to end: the built exporter with its embedded demo (`--demo`), driven by
// headless Debian Chromium. Five demo agents with their statuses, a status change within two steps, a
// delivered coordination task, the analysis drawn, no request leaving the origin, and a screenshot.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../rules-pack/support/pack.js';
import { freePort, startProcess, stopProcess, waitForHttp, type Started } from '../rules-pack/support/processes.js';
import { chromiumAvailable, launchChromium, recordPage, type LaunchedBrowser, type PageRecorder } from '../web/support/browser.js';
import { DEMO_AGENT_IDS } from '../../src/demo/topology.js';

const EXPORTER_BIN = join(REPO, 'dist/src/bin/exporter.js');
const DEMO_AGENTS = DEMO_AGENT_IDS;
/** analysis.step of the test config. */
const STEP_MS = 1_000;
/** An agent the test controls, in its own swarm so that the demo's twelve stay untouched. */
const PROBE = { swarm: 'e2e', agent: 'probe' } as const;
// Every run leaves the screenshot in test-artifacts/; UPDATE_SCREENSHOT=1 also refreshes the README's
// copy in docs/ (so an ordinary test run does not dirty the work tree).
const SCREENSHOTS = [
  join(REPO, 'test-artifacts/status-page.png'),
  ...(process.env.UPDATE_SCREENSHOT === '1' ? [join(REPO, 'docs/status-page.png')] : []),
];

/** The built exporter is required like Chromium: skip loudly locally, fail under CI. */
function builtExporter(): boolean {
  if (existsSync(EXPORTER_BIN)) return true;
  if (process.env.CI) throw new Error(`${EXPORTER_BIN} is missing: npm test builds it first (npm run build)`);
  console.warn(`\n*** ${EXPORTER_BIN} is missing: skipping the status page end-to-end test. Run npm run build (npm test does). ***\n`);
  return false;
}

const ready = chromiumAvailable('the status page end-to-end test') && builtExporter();

interface AgentJson {
  readonly swarm: string;
  readonly agent: string;
  readonly status: string | null;
}

// Time budget: start ~3 s, each step below bounded (15 s per wait at most), about 40 s for a passing run.
// The tests share one exporter and one page and run in order.
describe.skipIf(!ready)('status page end to end (exporter --demo, headless Chromium)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'agentswarm-status-page-'));
  let exporter: Started | undefined;
  let launched: LaunchedBrowser | undefined;
  let page: Page;
  let recorder: PageRecorder;
  let url = '';
  let feeder: NodeJS.Timeout | undefined;
  let probeErrorRate = 0.01;

  const json = { 'content-type': 'application/json' };

  async function agentsFromApi(): Promise<AgentJson[]> {
    const res = await fetch(`${url}/api/v1/agents`, { signal: AbortSignal.timeout(2_000) });
    return ((await res.json()) as { agents: AgentJson[] }).agents;
  }

  /** Pushes the probe agent's sample through the real ingest API (every 250 ms: each step sees it). */
  function feedProbe(): void {
    const metrics = {
      cpu_usage: 0.3,
      memory_usage: 0.4,
      response_time: 0.5,
      throughput: 2,
      error_rate: probeErrorRate,
      queue_depth: 1,
      active_tasks: 1,
      coordination_load: 0.1,
    };
    fetch(`${url}/api/v1/agents/${PROBE.agent}/metrics`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ swarm: PROBE.swarm, metrics }),
      signal: AbortSignal.timeout(2_000),
    }).catch(() => undefined);
  }

  const tile = (swarm: string, agent: string) => page.locator(`.tile[data-swarm="${swarm}"][data-agent="${agent}"]`);

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // A 30 s window: correlations need a quarter of the window, so the matrix fills within the test.
    writeFileSync(join(temp, 'exporter.yml'), 'analysis:\n  step: 1s\n  window: 30s\n');
    exporter = startProcess(
      'exporter',
      process.execPath,
      [
        EXPORTER_BIN,
        '--demo',
        '--web.listen-address',
        `127.0.0.1:${port}`,
        '--config.file',
        join(temp, 'exporter.yml'),
        '--storage.path',
        join(temp, 'agentswarm.db'),
        '--log.level',
        'warn',
      ],
      { cwd: temp, logPath: join(temp, 'exporter.log') },
    );
    await waitForHttp(`${url}/-/ready`, 15_000, exporter);
    launched = await launchChromium({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = await launched.context.newPage();
    recorder = recordPage(page);
    await page.goto(`${url}/`);
  }, 45_000);

  afterAll(async () => {
    clearInterval(feeder);
    await launched?.close();
    await stopProcess(exporter);
    rmSync(temp, { recursive: true, force: true });
  }, 20_000);

  it('has the correlation matrix and the forecast chart filled in its first screenshot (the demo backfills one window)', async () => {
    // Opened as soon as /-/ready answered: within two polls of the first page the analysis is drawn,
    // from the backfilled window rather than minutes of live steps.
    await page.locator('.tile').first().waitFor({ timeout: 5_000 });
    await page.locator('.matrix td.heat').first().waitFor({ timeout: 3_000 });
    await page.locator('#forecast-chart .uplot canvas').waitFor({ timeout: 3_000 });
    const image = await page.screenshot({ fullPage: true });
    mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
    writeFileSync(join(REPO, 'test-artifacts/status-page-first.png'), image);
    expect(image.length).toBeGreaterThan(10_000);
  }, 20_000);

  it('shows the twelve demo agents with the statuses the API reports', async () => {
    for (const agent of DEMO_AGENTS) await tile('demo', agent).waitFor({ timeout: 15_000 });
    // The demo's statuses move with its scripted day: compare page and API until they agree.
    await expect
      .poll(
        async () => {
          const api = (await agentsFromApi()).filter((a) => a.swarm === 'demo');
          const shown = await Promise.all(
            api.map(async (a) => [a.agent, await tile('demo', a.agent).getAttribute('data-status')] as const),
          );
          const expected = api.map((a) => [a.agent, a.status ?? 'pending'] as const);
          return JSON.stringify(shown) === JSON.stringify(expected)
            ? api.map((a) => a.agent).sort()
            : `page ${JSON.stringify(shown)} vs API ${JSON.stringify(expected)}`;
        },
        { timeout: 10_000, interval: 250 },
      )
      .toEqual([...DEMO_AGENTS].sort());
    for (const agent of DEMO_AGENTS) {
      const status = await tile('demo', agent).getAttribute('data-status');
      expect((await tile('demo', agent).locator('.badge').innerText()).toLowerCase()).toContain(status);
    }
  }, 30_000);

  it('shows a delivered coordination task in the feed, with its attempts', async () => {
    const delivered = page.locator('#task-feed tr[data-status="succeeded"]');
    // An alert-driven task may come from the demo's scripted day; if none shows soon, create one by hand.
    const early = await delivered
      .first()
      .waitFor({ timeout: 5_000 })
      .then(() => true)
      .catch(() => false);
    let row = delivered.first();
    if (!early) {
      const res = await fetch(`${url}/api/v1/coordination/tasks`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ type: 'performance_sync', priority: 'high', swarm: 'demo', reason: 'status page end-to-end test' }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      row = page.locator(`#task-feed tr[data-task-id="${id}"][data-status="succeeded"]`);
      await row.waitFor({ timeout: 15_000 });
    }
    expect(await row.innerText()).toMatch(/✔ Delivered\s+[1-9]\d*/);
  }, 30_000);

  it('draws the demo swarm analysis, loads nothing from another origin, and saves a screenshot', async () => {
    await page.locator('.matrix td.heat').first().waitFor({ timeout: 15_000 });
    await page.locator('.ranking tbody tr').first().waitFor({ timeout: 5_000 });
    await page.locator('#forecast-chart .uplot canvas').waitFor({ timeout: 10_000 });
    expect(await page.locator('#swarm-select').inputValue()).toBe('demo');

    expect(recorder.offOrigin(url), 'requests that left the exporter origin').toEqual([]);
    expect(recorder.requests.length).toBeGreaterThan(10);
    expect(recorder.problems).toEqual([]);

    const image = await page.screenshot({ fullPage: true });
    for (const path of SCREENSHOTS) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, image);
    }
    expect(image.length).toBeGreaterThan(10_000);
  }, 30_000);
  it('opens an agent’s detail with trends from the exporter’s window (the real route, behind the page)', async () => {
    const [first] = (await agentsFromApi()).filter((a) => a.swarm === 'demo').sort((a, b) => (a.agent < b.agent ? -1 : 1));
    if (first === undefined) throw new Error('no demo agent');
    const res = await fetch(`${url}/api/v1/agents/demo/${first.agent}/window`, { signal: AbortSignal.timeout(2_000) });
    expect(res.status).toBe(200);
    const held = (await res.json()) as { timestamps: number[]; metrics: Record<string, (number | null)[]> };
    expect(held.timestamps.length).toBeGreaterThan(2);
    await tile('demo', first.agent).click();
    const detail = page.getByRole('region', { name: `Details of agent ${first.agent}` });
    await detail.locator('caption', { hasText: 'exporter’s window' }).waitFor({ timeout: 5_000 });
    expect(await detail.locator('table.recent svg.sparkline').count()).toBeGreaterThan(0);
    expect(await detail.innerText()).not.toContain('collecting');
    const metric = await page.locator('#metric-select').inputValue();
    expect(new URL(page.url()).search).toBe(`?swarm=demo&metric=${metric}&agent=demo%2F${first.agent}`);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#agent-detail').isHidden()).toBe(true);
    expect(recorder.problems).toEqual([]);
  }, 20_000);

  // Last, so that the screenshot above shows the demo swarm alone.
  it('shows a status change in the data within two steps', async () => {
    const res = await fetch(`${url}/api/v1/agents/${PROBE.agent}/heartbeat`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ swarm: PROBE.swarm, type: 'worker', capacity: 4 }),
    });
    expect(res.ok).toBe(true);
    feeder = setInterval(feedProbe, 250);
    await expect
      .poll(() => tile(PROBE.swarm, PROBE.agent).getAttribute('data-status'), { timeout: 10_000, interval: 100 })
      .toMatch(/^(optimal|good)$/);
    probeErrorRate = 0.9;
    feedProbe();
    const pushed = Date.now();
    let apiChangedAt = 0;
    let pageChangedAt = 0;
    const deadline = pushed + 8 * STEP_MS;
    while ((apiChangedAt === 0 || pageChangedAt === 0) && Date.now() < deadline) {
      const [api, shown] = await Promise.all([agentsFromApi(), tile(PROBE.swarm, PROBE.agent).getAttribute('data-status')]);
      const now = Date.now();
      if (apiChangedAt === 0 && api.find((a) => a.swarm === PROBE.swarm && a.agent === PROBE.agent)?.status === 'critical')
        apiChangedAt = now;
      if (pageChangedAt === 0 && shown === 'critical') pageChangedAt = now;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(apiChangedAt, 'the API reports the probe critical').toBeGreaterThan(0);
    expect(pageChangedAt, 'the page shows the probe critical').toBeGreaterThan(0);
    // From the moment the data says critical to the moment the page does: at most two steps.
    expect(pageChangedAt - apiChangedAt).toBeLessThanOrEqual(2 * STEP_MS);
    console.info(
      `status page e2e: bad sample -> API ${apiChangedAt - pushed} ms, -> page ${pageChangedAt - pushed} ms (step ${STEP_MS} ms)`,
    );
    expect(recorder.offOrigin(url), 'requests that left the exporter origin').toEqual([]);
    expect(recorder.problems).toEqual([]);
  }, 30_000);
});
