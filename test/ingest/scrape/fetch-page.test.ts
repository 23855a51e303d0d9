import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchPage } from '../../../src/ingest/scrape/fetch-page.js';
import { type FakeServer, hanging, startFakeServer, textPage } from './fake-agent-server.js';

const servers: FakeServer[] = [];
async function serve(...args: Parameters<typeof startFakeServer>): Promise<FakeServer> {
  const server = await startFakeServer(...args);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const options = { timeoutMs: 2000, bodyLimitBytes: 1024 * 1024 };

describe('fetchPage', () => {
  it('fetches and parses a text page, sending the Prometheus Accept header', async () => {
    let accept = '';
    const server = await serve((req, res) => {
      accept = req.headers.accept ?? '';
      textPage(() => '# TYPE up gauge\nup{job="x"} 1\n')(req, res);
    });
    const outcome = await fetchPage(server.url, options);
    expect(outcome).toMatchObject({ ok: true, format: 'text' });
    if (outcome.ok) expect(outcome.families[0]?.samples[0]).toMatchObject({ name: 'up', labels: { job: 'x' }, value: 1 });
    expect(accept).toContain('application/openmetrics-text');
    expect(accept).toContain('text/plain;version=0.0.4');
  });

  it('reads OpenMetrics when the target answers with its content type', async () => {
    const server = await serve(
      textPage(() => '# TYPE c counter\nc_total 3\n# EOF\n', 'application/openmetrics-text; version=1.0.0; charset=utf-8'),
    );
    const outcome = await fetchPage(server.url, options);
    expect(outcome).toMatchObject({ ok: true, format: 'openmetrics' });
  });

  it('abandons a target that never answers at the timeout', async () => {
    const server = await serve(hanging());
    const started = performance.now();
    const outcome = await fetchPage(server.url, { ...options, timeoutMs: 300 });
    const elapsed = performance.now() - started;
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3000);
  });

  it('abandons a body that stalls half way at the timeout', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('a 1\nb ');
    });
    const outcome = await fetchPage(server.url, { ...options, timeoutMs: 300 });
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it.each([
    ['a 500', (_req: IncomingMessage, res: ServerResponse) => res.writeHead(500).end('boom'), 'http_status'],
    ['garbage', textPage(() => '<html><body>not metrics</body></html>\n'), 'parse'],
    ['a body over the limit', textPage(() => `${'x 1\n'.repeat(1000)}`), 'body_too_large'],
  ] as const)('reports %s as a typed failure', async (_name, handler, reason) => {
    const server = await serve(handler);
    const outcome = await fetchPage(server.url, { ...options, bodyLimitBytes: 1000 });
    expect(outcome).toMatchObject({ ok: false, reason });
  });

  it('reports a refused connection as a network failure', async () => {
    const server = await serve(hanging());
    const url = server.url;
    await server.close();
    servers.length = 0;
    expect(await fetchPage(url, options)).toMatchObject({ ok: false, reason: 'network' });
  });

  it('stops at once when the outer signal aborts', async () => {
    const server = await serve(hanging());
    const controller = new AbortController();
    const pending = fetchPage(server.url, { ...options, timeoutMs: 10_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toMatchObject({ ok: false, reason: 'aborted' });
  });
});
