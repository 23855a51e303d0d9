// A loopback stand-in for the Prometheus query API that records requests and answers from a script.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly params: Readonly<Record<string, string>>;
}

export type FakeAnswer = { readonly status: number; readonly body: unknown } | 'hang' | 'close';

export interface FakePrometheus {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Decides the answer to each request. */
  answer: (request: RecordedRequest) => FakeAnswer;
  close(): Promise<void>;
}

export async function startFakePrometheus(): Promise<FakePrometheus> {
  const requests: RecordedRequest[] = [];
  const fake: FakePrometheus = {
    url: '',
    requests,
    answer: () => ({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } }),
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, params: Object.fromEntries(new URLSearchParams(raw)) };
      requests.push(request);
      const answer = fake.answer(request);
      if (answer === 'hang') return;
      if (answer === 'close') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/prefix`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** A successful vector answer. */
export function vector(series: readonly { labels: Record<string, string>; value: [number, string] }[]): FakeAnswer {
  return {
    status: 200,
    body: { status: 'success', data: { resultType: 'vector', result: series.map((s) => ({ metric: s.labels, value: s.value })) } },
  };
}

/** A successful matrix answer. */
export function matrix(series: readonly { labels: Record<string, string>; values: [number, string][] }[]): FakeAnswer {
  return {
    status: 200,
    body: { status: 'success', data: { resultType: 'matrix', result: series.map((s) => ({ metric: s.labels, values: s.values })) } },
  };
}
