// The status page routes over real HTTP: landing information, CSP, content types, caching, gzip, 404s,
// and the page weight (every same-origin asset the page loads, gzipped, under 200 KB).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/create-app.js';
import { STATUS_PAGE_CSP, createStatusPageRoutes, findWebRoot } from '../../src/http/status-page-routes.js';

/** docs/design.md#http-routes / issue 7: the page and everything it loads, gzipped. */
const PAGE_WEIGHT_LIMIT_BYTES = 200 * 1024;

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Bytes as they came over the wire (still gzipped when Content-Encoding says so). */
  readonly raw: Buffer;
  /** Decoded text. */
  readonly text: string;
}

/** A raw request (no URL normalisation, no automatic decompression): what a browser sends. */
function get(base: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text });
      });
    });
    req.setTimeout(5_000, () => req.destroy(new Error(`${path}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

interface Listening {
  readonly url: string;
  close(): void;
}

async function listen(options: { version?: string; telemetryPath?: string; webRoot?: string } = {}): Promise<Listening> {
  const routes = createStatusPageRoutes({
    version: options.version ?? '1.2.3',
    telemetryPath: options.telemetryPath ?? '/metrics',
    pollIntervalMs: 2_000,
    ...(options.webRoot !== undefined && { webRoot: options.webRoot }),
  });
  const app = createApp({
    routers: [routes],
    onUnexpectedError: (e) => {
      throw e;
    },
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Same-origin URLs the HTML references (stylesheets, scripts, icon). */
function htmlAssets(html: string): string[] {
  return [...html.matchAll(/<(?:link|script)\b[^>]*?\b(?:href|src)="([^"]+)"/g)]
    .map((m) => m[1] as string)
    .filter((u) => u.startsWith('/ui/'));
}

/** Static imports of an ES module, resolved against its URL path. */
function moduleImports(path: string, source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*'(\.{1,2}\/[^']+)'|^\s*import\s*'(\.{1,2}\/[^']+)'/gm)].map(
    (m) => new URL(m[1] ?? (m[2] as string), `http://x${path}`).pathname,
  );
}

describe('status page routes', () => {
  let url = '';
  let server: Listening;
  let page: Answer;
  let assets: string[] = [];

  beforeAll(async () => {
    server = await listen();
    url = server.url;
    page = await get(url, '/');
    assets = htmlAssets(page.text);
  });
  afterAll(() => server.close());

  it('serves the page at / with the classic landing information: name, version, metrics and health links', () => {
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<h1>agentswarm-exporter</h1>');
    expect(page.text).toContain('Version 1.2.3');
    for (const href of ['/metrics', '/-/healthy', '/-/ready', '/api/v1/agents', '/api/v1/analysis', '/api/v1/coordination/tasks'])
      expect(page.text).toContain(`href="${href}"`);
    expect(page.text).toContain('data-poll-ms="2000"');
    expect(page.text).not.toMatch(/\{\{[A-Z_]+\}\}/);
  });

  it('sends a strict Content-Security-Policy: only this origin, no inline script or style, no framing', () => {
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toBe(STATUS_PAGE_CSP);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('has no inline script, inline style or style attribute the CSP would block', () => {
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page.text).not.toMatch(/<style\b/);
    expect(page.text).not.toMatch(/\sstyle=/);
    expect(page.text).not.toMatch(/\son[a-z]+=/);
  });

  it('links its telemetry path and escapes what it prints', async () => {
    const other = await listen({ version: '1.0.0-"<b>"', telemetryPath: '/custom/metrics' });
    try {
      const html = (await get(other.url, '/')).text;
      expect(html).toContain('href="/custom/metrics"');
      expect(html).toContain('Version 1.0.0-&#34;&#60;b&#62;&#34;');
      expect(html).not.toContain('<b>');
    } finally {
      other.close();
    }
  });

  it('asks browsers to revalidate the page, and answers 304 to its ETag', async () => {
    expect(page.headers['cache-control']).toBe('no-cache');
    const again = await get(url, '/', { 'if-none-match': String(page.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.raw.length).toBe(0);
  });

  it('answers HEAD / without a body', async () => {
    const head = await get(url, '/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.raw.length).toBe(0);
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['format.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
    ['vendor/uPlot.iife.min.js', 'text/javascript; charset=utf-8'],
    ['vendor/uPlot.min.css', 'text/css; charset=utf-8'],
  ])('serves %s as %s, cached for a year under its build id', async (name, type) => {
    const base = assets.find((a) => a.endsWith('/app.js'))?.replace(/app\.js$/, '') ?? '';
    const answer = await get(url, `${base}${name}`);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(type);
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(answer.raw.length).toBeGreaterThan(0);
  });

  it('gzips for clients that accept it and sends identity otherwise', async () => {
    const app = assets.find((a) => a.endsWith('/app.js')) as string;
    const plain = await get(url, app);
    const zipped = await get(url, app, { 'accept-encoding': 'gzip, deflate, br' });
    const refused = await get(url, app, { 'accept-encoding': 'gzip;q=0, identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.text).toBe(plain.text);
    expect(zipped.raw.length).toBeLessThan(plain.raw.length);
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('changes the asset URLs when an asset changes (build id) so that immutable caching is safe', async () => {
    const temp = mkdtempSync(join(tmpdir(), 'status-page-web-'));
    try {
      const root = findWebRoot();
      for (const name of ['index.html', 'app.js']) writeFileSync(join(temp, name), readFileSync(join(root, name)));
      const pageAssets = async (): Promise<string[]> => {
        const served = await listen({ webRoot: temp });
        try {
          return htmlAssets((await get(served.url, '/')).text);
        } finally {
          served.close();
        }
      };
      const before = await pageAssets();
      writeFileSync(join(temp, 'app.js'), '// changed\n');
      const after = await pageAssets();
      expect(after[0]).toMatch(/^\/ui\/[0-9a-f]{12}\//);
      expect(after[0]).not.toBe(before[0]);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it.each([
    ['an unknown asset', (id: string) => `/ui/${id}/nope.js`],
    ['an asset of another build', () => '/ui/000000000000/app.js'],
    ['the page template', (id: string) => `/ui/${id}/index.html`],
    ['a path escaping the folder', (id: string) => `/ui/${id}/../../package.json`],
    ['an encoded path escape', (id: string) => `/ui/${id}/%2e%2e/%2e%2e/package.json`],
    ['the bare prefix', () => '/ui/'],
  ])('answers 404 for %s', async (_what, path) => {
    const id = /\/ui\/([0-9a-f]+)\//.exec(assets[0] ?? '')?.[1] ?? '';
    const answer = await get(url, path(id));
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
  });

  it('refuses to start without its files or with an unknown placeholder', () => {
    const temp = mkdtempSync(join(tmpdir(), 'status-page-web-'));
    try {
      expect(() => createStatusPageRoutes({ version: '1', telemetryPath: '/metrics', webRoot: temp })).toThrow(/index\.html/);
      writeFileSync(join(temp, 'index.html'), '<p>{{NOPE}}</p>');
      expect(() => createStatusPageRoutes({ version: '1', telemetryPath: '/metrics', webRoot: temp })).toThrow(/\{\{NOPE\}\}/);
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it('loads nothing from another origin: no absolute URL in the page or its own modules', async () => {
    const own = assets.filter((a) => !a.includes('/vendor/'));
    for (const path of own) {
      const text = (await get(url, path)).text;
      // The SVG namespace is an identifier, not a request.
      expect(text.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    }
    expect(page.text).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
  });

  it('weighs under 200 KB gzipped, counting every asset the page and its modules load', async () => {
    const seen = new Set<string>();
    const queue = [...assets];
    const sizes: Record<string, number> = { '/': (await get(url, '/', { 'accept-encoding': 'gzip' })).raw.length };
    while (queue.length > 0) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const answer = await get(url, path, { 'accept-encoding': 'gzip' });
      expect(answer.status, path).toBe(200);
      sizes[path] = answer.raw.length;
      if (path.endsWith('.js') && !path.includes('/vendor/')) queue.push(...moduleImports(path, answer.text));
      if (path.endsWith('.css'))
        queue.push(
          ...[...answer.text.matchAll(/url\(["']?([^"')]+)["']?\)/g)]
            .map((m) => new URL(m[1] as string, `http://x${path}`).pathname)
            .filter((p) => p.startsWith('/ui/')),
        );
    }
    // Every module of the page was found (the import walk works) and the chart library is counted.
    expect([...seen].some((p) => p.endsWith('/render-forecast.js'))).toBe(true);
    expect([...seen].some((p) => p.endsWith('/vendor/uPlot.iife.min.js'))).toBe(true);
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    expect(total, JSON.stringify(sizes)).toBeLessThan(PAGE_WEIGHT_LIMIT_BYTES);
  });
});
