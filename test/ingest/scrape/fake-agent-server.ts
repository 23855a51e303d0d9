// Loopback HTTP servers playing scrape targets (healthy, hanging, garbage, restarting) for tests.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServer {
  readonly url: string;
  /** Requests received so far. */
  readonly hits: () => number;
  close(): Promise<void>;
}

/** Serves `handler` on 127.0.0.1 on an ephemeral port. close() also drops hanging connections. */
export async function startFakeServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  path = '/metrics',
): Promise<FakeServer> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A handler answering the text page returned by `body()` (called per request). */
export function textPage(body: () => string, contentType = 'text/plain; version=0.0.4; charset=utf-8') {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': contentType });
    res.end(body());
  };
}

/** Never answers (headers never sent). */
export function hanging() {
  return (): void => undefined;
}
