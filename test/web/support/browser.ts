// Headless Debian Chromium through playwright-core for the status page tests: found or skipped loudly
// (failing under CI), a fresh profile per launch, and a recorder of every request a page makes.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium from phoning home (updates, sync, QUIC probes) and fit a container. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * True when Chromium is installed. Locally a missing browser skips the caller with a loud warning;
 * under CI it throws, so a misconfigured CI machine cannot pass by skipping.
 */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing: ${what} needs Chromium under CI (apt-get install chromium)`);
  console.warn(`\n*** ${CHROMIUM_PATH} is missing: skipping ${what}. Install Debian's chromium (or set CHROMIUM_PATH) to run it. ***\n`);
  return false;
}

export interface LaunchedBrowser {
  /** A persistent context on a fresh temporary profile (Playwright's way of passing --user-data-dir). */
  readonly context: BrowserContext;
  /** Closes the browser (its own process) and removes the temporary profile. */
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile; `viewport` and `colorScheme` apply to every page. */
export async function launchChromium(
  options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'agentswarm-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      // The sandbox flag is passed explicitly above; Playwright would otherwise add its own.
      chromiumSandbox: false,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1440, height: 900 },
      colorScheme: options.colorScheme ?? 'light',
      timeout: 30_000,
    });
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

export interface RecordedRequest {
  readonly url: string;
  readonly method: string;
  readonly resourceType: string;
  readonly authorization: string | undefined;
}

export interface PageRecorder {
  readonly requests: RecordedRequest[];
  /** Console errors, page errors and CSP violations: a healthy page has none. */
  readonly problems: string[];
  /** Requests whose origin is not `origin`. */
  offOrigin(origin: string): RecordedRequest[];
}

/** Records every request the page makes and every error it reports, from now on. */
export function recordPage(page: Page): PageRecorder {
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  page.on('request', (request) => {
    requests.push({
      url: request.url(),
      method: request.method(),
      resourceType: request.resourceType(),
      authorization: request.headers().authorization,
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    // Chromium logs every non-2xx fetch as an error; 401 (token prompt) and 404 (route not wired) are
    // answers the page handles, not problems.
    if (/^Failed to load resource: the server responded with a status of (401|404)\b/.test(text)) return;
    if (message.type() === 'error' || /Content Security Policy/i.test(text)) problems.push(`console ${message.type()}: ${text}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return {
    requests,
    problems,
    offOrigin: (origin) => requests.filter((r) => new URL(r.url).origin !== origin),
  };
}
