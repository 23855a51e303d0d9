// Minimal client of the Prometheus HTTP query API (/api/v1/query, /api/v1/query_range) over fetch.
import { z } from 'zod';
import { parseFloatToken } from '../text-format/parse-float.js';

/** One series of a query result: its labels and points (ms since epoch, value; non-finite kept out). */
export interface QuerySeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly (readonly [timestampMs: number, value: number])[];
}

export type QueryFailureReason = 'timeout' | 'network' | 'http_status' | 'bad_response' | 'query_error';

export type QueryOutcome =
  | { readonly ok: true; readonly series: readonly QuerySeries[] }
  | { readonly ok: false; readonly reason: QueryFailureReason; readonly message: string };

const sampleValue = z.tuple([z.number(), z.string()]);
const successSchema = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({
      resultType: z.literal('vector'),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })),
    }),
    z.object({
      resultType: z.literal('matrix'),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sampleValue) })),
    }),
    z.object({ resultType: z.literal('scalar'), result: sampleValue }),
    z.object({ resultType: z.literal('string'), result: sampleValue }),
  ]),
});
const errorSchema = z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() });

export interface PrometheusApiOptions {
  /** Base URL; `/api/v1/...` is appended to its path. */
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly fetchImpl?: typeof fetch;
}

/** Limits a response body: a query answer beyond this is a mistake (a query without aggregation). */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function toPoint([seconds, text]: readonly [number, string]): [number, number] | undefined {
  const value = parseFloatToken(text);
  // NaN and ±Inf are real PromQL results (0/0, division by zero) but never a metric value for us.
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return [Math.round(seconds * 1000), value];
}

/** The body as text, or undefined once it exceeds maxBytes (the rest is not read). */
async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  if (!response.body) return '';
  const decoder = new TextDecoder();
  // fetch types its body as a stream of `any`; the Fetch standard makes every chunk a Uint8Array, checked here rather than assumed.
  const reader: ReadableStreamDefaultReader<unknown> = response.body.getReader();
  let bytes = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    if (!(value instanceof Uint8Array)) throw new TypeError('response body chunk is not bytes');
    bytes += value.byteLength;
    if (bytes > maxBytes) return undefined;
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * Talks to one Prometheus-compatible API. Requests are POSTed form-encoded (long PromQL does not
 * hit URL limits; every compatible server accepts it). Never rejects: failures are outcomes.
 */
export class PrometheusApi {
  private readonly base: string;

  constructor(private readonly options: PrometheusApiOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  /** Instant query evaluated at `timeMs`. */
  instant(expr: string, timeMs: number): Promise<QueryOutcome> {
    return this.post('/api/v1/query', { query: expr, time: (timeMs / 1000).toFixed(3), timeout: `${this.options.timeoutMs}ms` });
  }

  /** Range query over [startMs, endMs] every stepMs (inclusive ends, Prometheus semantics). */
  range(expr: string, startMs: number, endMs: number, stepMs: number): Promise<QueryOutcome> {
    return this.post('/api/v1/query_range', {
      query: expr,
      start: (startMs / 1000).toFixed(3),
      end: (endMs / 1000).toFixed(3),
      step: `${stepMs / 1000}`,
      timeout: `${this.options.timeoutMs}ms`,
    });
  }

  private async post(path: string, params: Record<string, string>): Promise<QueryOutcome> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      const response = await (this.options.fetchImpl ?? fetch)(`${this.base}${path}`, {
        method: 'POST',
        signal: controller.signal,
        redirect: 'error',
        headers: { ...this.options.headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(params).toString(),
      });
      const text = await readBounded(response, MAX_RESPONSE_BYTES);
      if (text === undefined) {
        controller.abort();
        return { ok: false, reason: 'bad_response', message: `response larger than ${MAX_RESPONSE_BYTES} bytes` };
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return response.ok
          ? { ok: false, reason: 'bad_response', message: 'response is not JSON' }
          : { ok: false, reason: 'http_status', message: `HTTP ${response.status}` };
      }
      const failure = errorSchema.safeParse(body);
      if (failure.success) {
        // 400/422 mean the query is wrong; 503/5xx that the upstream is in trouble.
        const reason = response.status === 400 || response.status === 422 ? 'query_error' : 'http_status';
        return {
          ok: false,
          reason,
          message: `HTTP ${response.status} ${failure.data.errorType ?? ''}: ${failure.data.error ?? ''}`.slice(0, 500),
        };
      }
      if (!response.ok) return { ok: false, reason: 'http_status', message: `HTTP ${response.status}` };
      const parsed = successSchema.safeParse(body);
      if (!parsed.success) return { ok: false, reason: 'bad_response', message: 'response is not a Prometheus API answer' };
      const data = parsed.data.data;
      switch (data.resultType) {
        case 'vector':
          return {
            ok: true,
            series: data.result.map((r) => ({ labels: r.metric, points: [toPoint(r.value)].filter((p) => p !== undefined) })),
          };
        case 'matrix':
          return {
            ok: true,
            series: data.result.map((r) => ({ labels: r.metric, points: r.values.map(toPoint).filter((p) => p !== undefined) })),
          };
        default:
          return {
            ok: false,
            reason: 'query_error',
            message: `expected an instant vector (one series per agent), got a ${data.resultType}`,
          };
      }
    } catch (error) {
      if (timedOut) return { ok: false, reason: 'timeout', message: `no answer within ${this.options.timeoutMs} ms` };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, reason: 'network', message: cause?.code ?? cause?.message ?? (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
