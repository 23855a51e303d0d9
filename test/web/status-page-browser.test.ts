// The status page in headless Chromium against a same-origin fixture server: every section drawn,
// live status changes, keyboard use, dark mode, the 404 fallbacks and the API-token prompt.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumAvailable, launchChromium, recordPage, type LaunchedBrowser, type PageRecorder } from './support/browser.js';
import { EXPECTED_STATUS, startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { AGENTS, analysisResponse, taskFixtures } from './support/fixtures.js';

// The page functions below run in Chromium (Playwright serialises them), not in Node. The browser
// globals they use are declared here, for this file only: the DOM library would give them to the
// whole program (a lib is program-wide), src/ included.
interface PageElement {
  matches(selector: string): boolean;
}
declare const document: { readonly activeElement: PageElement | null; readonly documentElement: PageElement };
declare const window: { readonly location: { readonly search: string } };
declare const sessionStorage: { readonly length: number };
declare const localStorage: { readonly length: number };
declare function getComputedStyle(element: PageElement): { readonly opacity: string; readonly backgroundColor: string };

const POLL_MS = 1_000;
const TILE_ALPHA = '.tile[data-agent="alpha"]';
const TOKEN = 'browser-test-token-3f9a';

describe.skipIf(!chromiumAvailable('the status page browser tests'))('status page in Chromium (fixture API)', () => {
  let launched: LaunchedBrowser;
  let server: FixtureServer;
  let page: Page;
  let recorder: PageRecorder;
  /** Origin of the page under test: every request must stay on it. */
  let origin = '';

  beforeAll(async () => {
    launched = await launchChromium();
    server = await startFixtureServer({ pollIntervalMs: POLL_MS });
  });
  afterAll(async () => {
    await launched?.close();
    await server?.close();
  });

  /**
   * Whether the focused element matches `selector`, read in one evaluation: a locator's
   * `evaluate` resolves the element first and runs the function in a second round trip, so a live
   * refresh in between (which replaces the tiles) made it compare a detached tile (a flaky false).
   */
  async function hasFocus(selector: string): Promise<boolean> {
    return page.evaluate((s) => document.activeElement?.matches(s) === true, selector);
  }

  async function open(target: FixtureServer = server): Promise<void> {
    page = await launched.context.newPage();
    recorder = recordPage(page);
    origin = target.url;
    await page.goto(`${target.url}/`);
    await page
      .locator('.tile')
      .nth(AGENTS.length - 1)
      .waitFor({ timeout: 10_000 });
  }

  afterEach(async () => {
    // Whatever the test did: nothing left the origin and the page reported no error or CSP violation.
    expect(recorder.offOrigin(origin), 'requests to another origin').toEqual([]);
    expect(recorder.problems).toEqual([]);
    await page.close();
  });

  it('shows every agent with its status as colour, icon and word, and its score in the accessible name', async () => {
    server.analysis = analysisResponse(server.clock.now());
    server.tasks = taskFixtures(server.clock.now());
    await open();
    for (const agent of AGENTS) {
      const tile = page.locator(`.tile[data-agent="${agent}"]`);
      await expect.poll(() => tile.getAttribute('data-status')).toBe(EXPECTED_STATUS[agent]);
      expect((await tile.locator('.badge').innerText()).toLowerCase()).toContain(EXPECTED_STATUS[agent]);
    }
    await expect.poll(() => page.getByRole('button', { name: /^alpha Optimal planner · v1 score 0\.\d\d$/ }).count()).toBe(1);
    expect(await page.locator('#health h3').first().innerText()).toMatch(
      /Swarm demo\s+1 optimal, 1 good, 1 degraded, 1 critical, 1 failed/,
    );
  });

  it('draws the correlation matrix, bottleneck ranking, clusters, forecast chart and task feed', async () => {
    server.analysis = analysisResponse(server.clock.now());
    server.tasks = taskFixtures(server.clock.now());
    await open();
    await page.locator('.matrix td.heat').first().waitFor();
    expect(await page.locator('.matrix td.heat').allInnerTexts()).toContain('+0.93');
    expect(await page.locator('#metric-select').inputValue()).toBe('active_tasks');
    expect(await page.locator('.ranking tbody tr').first().getAttribute('data-agent')).toBe('gamma');
    expect(await page.locator('.ranking tbody tr').count()).toBe(4);
    expect(await page.locator('#cluster-list').innerText()).toContain('2 agents: delta, epsilon');
    await page.locator('#forecast-chart .uplot canvas').waitFor();
    expect(await page.locator('#forecast-summary').innerText()).toMatch(/Saturation\s+in 30 min/);
    expect(await page.locator('.horizons tbody tr').count()).toBe(3);
    expect(await page.locator('#forecast-summary').innerText()).toMatch(/Confidence\s+75 %/);
    // Variants: the significant one first, the one without enough agents says so.
    await expect.poll(() => page.locator('.variants tbody tr').count()).toBe(3);
    expect(await page.locator('.variants tbody tr').first().innerText()).toMatch(/v2\s+response time\s+−31 %\s+0\.004\s+6 vs 6\s+better/);
    expect(await page.locator('.variants tbody tr[data-verdict="too-few-agents"]').innerText()).toMatch(/canary/);
    const delivered = page.locator('#task-feed tr[data-status="succeeded"]');
    expect(await delivered.first().innerText()).toMatch(/cross system healing\s+high\s+✔ Delivered\s+1\s+health 200 % higher: better/);
    expect(await page.locator('#task-feed tbody tr').count()).toBe(6);

    // Choosing another metric redraws the matrix for it.
    await page.locator('#metric-select').selectOption('error_rate');
    await expect.poll(() => page.locator('.matrix caption').innerText()).toContain('error rate');
  });

  it('shows a status change in the data within two polls', async () => {
    server.analysis = analysisResponse(server.clock.now());
    await open();
    const alpha = page.locator('.tile[data-agent="alpha"]');
    await expect.poll(() => alpha.getAttribute('data-status')).toBe('optimal');
    server.step({ alpha: { error_rate: 0.9 } });
    const changed = Date.now();
    await expect.poll(() => alpha.getAttribute('data-status'), { timeout: 2 * POLL_MS + 500, interval: 50 }).toBe('critical');
    expect(Date.now() - changed).toBeLessThanOrEqual(2 * POLL_MS + 500);
    server.step();
  });

  it('works from the keyboard: Tab reaches a tile, its score shows, Enter opens the details, Escape closes them', async () => {
    server.analysis = analysisResponse(server.clock.now());
    await open();
    const alpha = page.locator(TILE_ALPHA);
    for (let i = 0; i < 30 && !(await hasFocus(TILE_ALPHA)); i++) await page.keyboard.press('Tab');
    expect(await hasFocus(TILE_ALPHA)).toBe(true);
    await expect.poll(() => alpha.locator('.tile-score').evaluate((el: PageElement) => getComputedStyle(el).opacity)).toBe('1');

    await page.keyboard.press('Enter');
    const detail = page.getByRole('region', { name: 'Details of agent alpha' });
    await detail.waitFor();
    expect(await alpha.getAttribute('aria-expanded')).toBe('true');
    expect(await detail.locator('table.components tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^errors/),
      expect.stringMatching(/^latency/),
      expect.stringMatching(/^resources/),
      expect.stringMatching(/^liveness/),
    ]);
    expect(await detail.locator('table.recent').innerText()).toMatch(/error rate\s+1\.0 %/);

    // A live refresh keeps the keyboard focus on the tile.
    server.step();
    await page.waitForTimeout(POLL_MS + 300);
    expect(await hasFocus(TILE_ALPHA)).toBe(true);

    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#agent-detail').isHidden()).toBe(true);
    expect(await hasFocus(TILE_ALPHA)).toBe(true);
  });

  it('labels its landmarks and every section', async () => {
    await open();
    expect(await page.getByRole('banner').count()).toBe(1);
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Exporter endpoints' }).count()).toBe(1);
    for (const name of [
      'Agent health',
      'Correlated pairs',
      'Bottleneck ranking',
      'Anomaly clusters',
      'Load forecast',
      'Coordination tasks',
    ]) {
      expect(await page.getByRole('region', { name }).count(), name).toBe(1);
    }
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('says so when the analysis and task routes are not available (404) and still shows the agents', async () => {
    server.analysis = undefined;
    server.tasks = undefined;
    await open();
    await expect.poll(() => page.locator('#bottleneck-list').innerText()).toBe('Analysis not available yet.');
    expect(await page.locator('#correlation-matrix').innerText()).toBe('Analysis not available yet.');
    expect(await page.locator('#task-feed').innerText()).toBe('Coordination task API not available in this exporter.');
    expect(await page.locator('#connection').innerText()).toBe('Live.');
  });

  it('keeps the last data on screen and says so when the exporter stops answering', async () => {
    const leaving = await startFixtureServer({ pollIntervalMs: POLL_MS });
    await open(leaving);
    await leaving.close();
    await expect
      .poll(() => page.locator('#connection').innerText(), { timeout: 3 * POLL_MS })
      .toMatch(/^Cannot reach the exporter \(connection failed\); showing the data from \d\d:\d\d:\d\d\.$/);
    expect(await page.locator('.tile').count()).toBe(AGENTS.length);
    // Chromium logs each refused poll; those are this test's expected failures, nothing else is.
    const refused = recorder.problems.filter((p) => p.includes('ERR_CONNECTION_REFUSED'));
    expect(refused.length).toBeGreaterThan(0);
    recorder.problems.splice(0, recorder.problems.length, ...recorder.problems.filter((p) => !refused.includes(p)));
  });

  it('follows the dark colour scheme', async () => {
    await open();
    const background = (): Promise<string> => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    expect(await background()).toBe('rgb(244, 246, 248)');
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await background()).toBe('rgb(15, 18, 22)');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('says which way each impact went and whether that is better: a smaller anomaly cluster is better', async () => {
    server.analysis = analysisResponse(server.clock.now());
    server.tasks = taskFixtures(server.clock.now());
    await open();
    const impact = (id: string) => page.locator(`#task-feed tr[data-task-id="${id}"] td.impact`);
    await impact('t-clustered').waitFor();
    // The server's ratio is +50 % (an improvement); the cluster itself went from 4 agents to 2.
    expect(await impact('t-clustered').innerText()).toBe('anomaly cluster 50 % smaller: better');
    expect(await impact('t-clustered').getAttribute('title')).toBe('anomaly cluster size 4 → 2');
    expect(await impact('t-unbalanced').innerText()).toBe('load balance 25 % less even: worse');
    expect(await impact('t-unbalanced').getAttribute('data-verdict')).toBe('worse');
    expect(await impact('t-running').innerText()).toBe('—');
  });

  it('keeps the chosen metric across refreshes, even when it has no pairs this step, and never re-picks the default', async () => {
    const now = server.clock.now();
    server.analysis = analysisResponse(now);
    await open();
    const select = page.locator('#metric-select');
    await expect.poll(() => select.inputValue()).toBe('active_tasks');
    await expect.poll(() => page.evaluate(() => window.location.search)).toBe('?swarm=demo&metric=active_tasks');
    // Another metric becomes the strongest: the default was chosen once and stays.
    const base = analysisResponse(now).swarms[0];
    if (base === undefined) throw new Error('fixture has no swarm');
    server.analysis = analysisResponse(now, {
      top_pairs: { ...base.top_pairs, throughput: [{ agent_a: 'alpha', agent_b: 'gamma', r: 0.99 }] },
      correlation_mean_abs: { ...base.correlation_mean_abs, throughput: 0.9 },
    });
    await expect.poll(() => select.locator('option').count()).toBe(3);
    await page.waitForTimeout(POLL_MS + 300);
    expect(await select.inputValue()).toBe('active_tasks');

    // The user's choice: kept when its pairs vanish, with a note saying so, and written into the URL.
    await select.selectOption('error_rate');
    expect(await page.evaluate(() => window.location.search)).toBe('?swarm=demo&metric=error_rate');
    server.analysis = analysisResponse(now, {
      top_pairs: { active_tasks: base.top_pairs.active_tasks ?? [] },
      correlation_mean_abs: { active_tasks: 0.5 },
    });
    await expect
      .poll(() => page.locator('#correlation-matrix').innerText())
      .toBe(
        'No pair whose changes of error rate correlate significantly in this window; error rate stays selected until you choose another metric.',
      );
    for (let i = 0; i < 3; i++) {
      await page.waitForTimeout(POLL_MS / 2);
      expect(await select.inputValue()).toBe('error_rate');
    }
    // Its pairs come back: the matrix is drawn for it again, still without a switch.
    server.analysis = analysisResponse(now);
    await expect.poll(() => page.locator('.matrix caption').innerText()).toContain('error rate');
    expect(await select.inputValue()).toBe('error_rate');
  });

  it('restores the selection from the URL on reload and from a shared link', async () => {
    server.analysis = analysisResponse(server.clock.now());
    await open();
    await page.locator('#metric-select').selectOption('error_rate');
    await page.locator('.tile[data-agent="beta"]').click();
    await page.getByRole('region', { name: 'Details of agent beta' }).waitFor();
    expect(await page.evaluate(() => window.location.search)).toBe('?swarm=demo&metric=error_rate&agent=demo%2Fbeta');
    await page.reload();
    await page.getByRole('region', { name: 'Details of agent beta' }).waitFor();
    await expect.poll(() => page.locator('#metric-select').inputValue()).toBe('error_rate');
    expect(await page.locator('.tile[data-agent="beta"]').getAttribute('aria-expanded')).toBe('true');

    // A shared link in a fresh tab opens the same view; closing the detail takes the agent out of the URL.
    const shared = await launched.context.newPage();
    const sharedRecorder = recordPage(shared);
    await shared.goto(`${server.url}/?swarm=demo&metric=error_rate&agent=demo%2Fgamma`);
    await shared.getByRole('region', { name: 'Details of agent gamma' }).waitFor();
    await expect.poll(() => shared.locator('#metric-select').inputValue()).toBe('error_rate');
    await shared.getByRole('button', { name: 'Close details of gamma' }).click();
    await expect.poll(() => shared.evaluate(() => window.location.search)).toBe('?swarm=demo&metric=error_rate');
    expect(sharedRecorder.offOrigin(server.url)).toEqual([]);
    expect(sharedRecorder.problems).toEqual([]);
    await shared.close();
  });

  it('draws an agent’s trends from the exporter’s window on first open, not from what the page has seen', async () => {
    const filled = await startFixtureServer({ pollIntervalMs: POLL_MS });
    try {
      // 40 steps before the page opens: alpha's queue depth climbs 0, 1, …, 39.
      for (let i = 0; i < 40; i++) filled.step({ alpha: { queue_depth: i } });
      await open(filled);
      const windowCalls = () => filled.requests.filter((r) => r.path.startsWith('/api/v1/agents/demo/alpha/window')).length;
      expect(windowCalls()).toBe(0);
      await page.locator(TILE_ALPHA).click();
      const detail = page.getByRole('region', { name: 'Details of agent alpha' });
      await detail.locator('caption', { hasText: 'exporter’s window' }).waitFor({ timeout: 2_000 });
      expect(windowCalls()).toBeGreaterThan(0);
      const queueRow = detail.locator('table.recent tbody tr', { hasText: 'queue depth' });
      // The whole window at once: the range spans the 40 steps before the page opened.
      expect(await queueRow.innerText()).toMatch(/queue depth\s+39\s+0 – 39$/);
      expect(await detail.locator('table.recent svg.sparkline').count()).toBe(await detail.locator('table.recent tbody tr').count());
      expect(await detail.innerText()).not.toContain('collecting');
    } finally {
      // The page first: polling a closed server would log refused connections.
      await page.close();
      await filled.close();
    }
  });

  describe('with an API token configured', () => {
    let guarded: FixtureServer;

    beforeAll(async () => {
      guarded = await startFixtureServer({ token: TOKEN, pollIntervalMs: POLL_MS });
      guarded.analysis = analysisResponse(guarded.clock.now());
      guarded.tasks = taskFixtures(guarded.clock.now());
    });
    afterAll(() => guarded?.close());

    it('asks for the token on 401, keeps it in sessionStorage only, sends it as a bearer header, and forgets it on request', async () => {
      page = await launched.context.newPage();
      recorder = recordPage(page);
      origin = guarded.url;
      const response = await page.goto(`${guarded.url}/`);
      expect(await response?.text()).not.toContain(TOKEN);
      const dialog = page.getByRole('dialog', { name: 'API token needed' });
      await dialog.waitFor();
      expect(await page.locator('.tile').count()).toBe(0);

      await dialog.getByLabel('API token').fill(TOKEN);
      await dialog.getByRole('button', { name: 'Use token' }).click();
      await page
        .locator('.tile')
        .nth(AGENTS.length - 1)
        .waitFor({ timeout: 10_000 });
      expect(await page.evaluate(() => sessionStorage.length)).toBe(1);
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      const apiCalls = recorder.requests.filter((r) => r.url.includes('/api/'));
      expect(apiCalls.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
      // The token never travels in a URL.
      expect(recorder.requests.filter((r) => r.url.includes(TOKEN))).toEqual([]);
      expect(await page.locator('#task-feed tbody tr').count()).toBe(6);

      await page.getByRole('button', { name: 'Forget API token' }).click();
      await dialog.waitFor();
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => page.locator('#connection').innerText()).toContain('needs a token');
    });
  });
});
