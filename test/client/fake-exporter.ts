// A real node:http server on an ephemeral 127.0.0.1 port that records pushes and answers as scripted.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** The exporter's `tag` when the request arrived (tests set it to the current step). */
  readonly tag: number;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `hang` keeps the request open until `release()` or `close()`. */
export type Responder = (request: RecordedRequest, index: number) => ScriptedAnswer | 'hang';

/** Counts samples like the real exporter would, accepting everything. */
export const acceptAll: Responder = (request) => ({ status: 202, body: { accepted: countSamples(request), rejected: 0, errors: [] } });

export function countSamples(request: RecordedRequest): number {
  const body = request.body as { samples?: unknown[]; metrics?: Record<string, unknown> } | undefined;
  if (request.path.endsWith('/heartbeat')) return 0;
  if (Array.isArray(body?.samples)) return body.samples.length;
  return Object.keys(body?.metrics ?? {}).length;
}

export class FakeExporter {
  readonly requests: RecordedRequest[] = [];
  /** Highest number of requests open at the same time. */
  maxConcurrent = 0;
  /** Copied onto each request as it arrives. */
  tag = 0;
  private open = 0;

  /** Requests received and not yet answered. */
  get openRequests(): number {
    return this.open;
  }
  private readonly hung: Array<() => void> = [];
  private server: Server | undefined;
  url = '';

  constructor(public responder: Responder = acceptAll) {}

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.open += 1;
        this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
        const text = Buffer.concat(chunks).toString('utf8');
        const request: RecordedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: text.length > 0 ? (JSON.parse(text) as unknown) : undefined,
          tag: this.tag,
        };
        const index = this.requests.length;
        this.requests.push(request);
        const answer = this.responder(request, index);
        const finish = (a: ScriptedAnswer): void => {
          this.open -= 1;
          if (res.writableEnded || res.destroyed) return;
          res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
          res.end(a.body === undefined ? '' : JSON.stringify(a.body));
        };
        if (answer === 'hang') this.hung.push(() => finish({ status: 503, body: { error: 'released' } }));
        else finish(answer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Requests to one route, e.g. "/api/v1/samples". */
  to(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Samples received through the batch route, flattened. */
  batchedSamples(): Array<Record<string, unknown>> {
    return this.to('/api/v1/samples').flatMap((r) => (r.body as { samples: Array<Record<string, unknown>> }).samples);
  }

  /** Answers every hung request with 503. */
  release(): void {
    for (const finish of this.hung.splice(0)) finish();
  }

  async close(): Promise<void> {
    this.release();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
