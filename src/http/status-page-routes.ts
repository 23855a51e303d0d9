// The live status page: GET / (landing information + live view) and its static assets under /ui/<build>/.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Router, type Request, type Response } from 'express';
import { sendProblem } from './problem.js';

export interface StatusPageDeps {
  /** Exporter version shown on the page. */
  readonly version: string;
  /** web.telemetry_path, linked from the page. */
  readonly telemetryPath: string;
  /**
   * analysis.step in milliseconds: the page polls the JSON API this often until the analysis
   * reports its own step. Default 15 000 (the config default); clamped by the page to 1 s..60 s.
   */
  readonly pollIntervalMs?: number;
  /** Directory holding index.html, app.js...; default: found next to this module (see webRoot). */
  readonly webRoot?: string;
}

/**
 * Everything the page loads comes from this origin; no inline script or style (run-time colours go
 * through CSSOM, which CSP does not restrict), no frames, no plugins.
 */
export const STATUS_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Prefix of the asset URLs; the build id after it changes whenever any asset changes. */
export const ASSET_PREFIX = '/ui/';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Served from node_modules/uplot/dist under vendor/: the chart library, bundled, never a CDN. */
const VENDOR_FILES: readonly (readonly [string, string])[] = [
  ['vendor/uPlot.iife.min.js', 'uplot/dist/uPlot.iife.min.js'],
  ['vendor/uPlot.min.css', 'uplot/dist/uPlot.min.css'],
];

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly etag: string;
}

/**
 * The directory of the page's files. Under tsx/vitest this module is src/http/ and the files are in
 * src/web/; from the compiled dist/src/http/ they are in dist/src/web/ when the build copies them
 * there, else in the checkout's src/web/ (tsc does not copy non-TypeScript files).
 */
export function findWebRoot(): string {
  const candidates = [new URL('../web/', import.meta.url), new URL('../../../src/web/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (found === undefined) throw new Error(`status page: index.html not found in ${candidates.join(' or ')}`);
  return found;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function makeAsset(type: string, body: Buffer): Asset {
  return {
    type,
    body,
    gzip: gzipSync(body, { level: 9 }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
  };
}

/** Reads every servable file of the web root (flat: one folder) and the vendored chart library. */
function loadAssets(webRoot: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(webRoot).sort()) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined) continue;
    assets.set(name, makeAsset(type, readFileSync(join(webRoot, name))));
  }
  const require = createRequire(import.meta.url);
  for (const [name, specifier] of VENDOR_FILES) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined) throw new Error(`status page: no content type for ${name}`);
    assets.set(name, makeAsset(type, readFileSync(require.resolve(specifier))));
  }
  return assets;
}

/** Build id: a digest of every asset's name and content, so a changed file gets a new URL. */
function buildId(assets: ReadonlyMap<string, Asset>): string {
  const hash = createHash('sha256');
  for (const [name, asset] of [...assets].sort(([a], [b]) => (a < b ? -1 : 1)))
    hash.update(name).update('\0').update(asset.etag).update('\0');
  return hash.digest('hex').slice(0, 12);
}

function renderPage(template: string, deps: StatusPageDeps, assetBase: string): string {
  const values: Readonly<Record<string, string>> = {
    VERSION: deps.version,
    TELEMETRY_PATH: deps.telemetryPath,
    ASSETS: assetBase,
    POLL_MS: String(Math.round(deps.pollIntervalMs ?? 15_000)),
  };
  const html = template.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`status page: unknown placeholder ${whole} in index.html`);
    return escapeHtml(value);
  });
  return html;
}

/** True when the client accepts gzip (and has not refused it with q=0). */
function acceptsGzip(req: Request): boolean {
  const header = req.get('accept-encoding') ?? '';
  return header.split(',').some((part) => {
    const [coding, ...params] = part.trim().split(';');
    if (coding?.trim().toLowerCase() !== 'gzip' && coding?.trim() !== '*') return false;
    return !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/i.test(p));
  });
}

function send(req: Request, res: Response, asset: Asset, cacheControl: string): void {
  res.set({
    'Content-Type': asset.type,
    'Cache-Control': cacheControl,
    ETag: asset.etag,
    Vary: 'Accept-Encoding',
    'X-Content-Type-Options': 'nosniff',
  });
  if (
    req
      .get('if-none-match')
      ?.split(',')
      .some((tag) => tag.trim() === asset.etag)
  ) {
    res.status(304).end();
    return;
  }
  const gzip = acceptsGzip(req);
  const body = gzip ? asset.gzip : asset.body;
  if (gzip) res.set('Content-Encoding', 'gzip');
  res.set('Content-Length', String(body.length));
  res.status(200).end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The status page router. Mount it before the probe routes so that it answers `/` in place of the
 * plain landing page. Files are read once, here: a missing file fails at start-up, not per request.
 */
export function createStatusPageRoutes(deps: StatusPageDeps): Router {
  const webRoot = deps.webRoot ?? findWebRoot();
  const assets = loadAssets(webRoot);
  const id = buildId(assets);
  const assetBase = `${ASSET_PREFIX}${id}`;
  const page = makeAsset(
    'text/html; charset=utf-8',
    Buffer.from(renderPage(readFileSync(join(webRoot, 'index.html'), 'utf8'), deps, assetBase)),
  );
  const router = Router();

  router.get('/', (req, res) => {
    res.set({
      'Content-Security-Policy': STATUS_PAGE_CSP,
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
    // The page names the current asset build: always revalidate it (cheap, ETag).
    send(req, res, page, 'no-cache');
  });

  router.get(/^\/ui\/(.*)$/, (req, res) => {
    const rest = req.path.slice(ASSET_PREFIX.length);
    const slash = rest.indexOf('/');
    const asset = slash > 0 && rest.slice(0, slash) === id ? assets.get(rest.slice(slash + 1)) : undefined;
    if (asset === undefined) {
      sendProblem(res, 404, `path: no status page asset ${JSON.stringify(req.path.slice(0, 200))}`);
      return;
    }
    // The URL changes with the content (build id): cache for a year, never revalidate.
    send(req, res, asset, 'public, max-age=31536000, immutable');
  });

  return router;
}
