// One scrape over HTTP: fetch with a hard timeout and body-size cap, parsing while the body streams in.
import { SCRAPE_ACCEPT_HEADER, formatFromContentType } from '../text-format/content-type.js';
import { ExpositionParser } from '../text-format/exposition-parser.js';
import type { ExpositionFormat, MetricFamily, ParseLimits } from '../text-format/types.js';

export type ScrapeFailureReason = 'timeout' | 'aborted' | 'http_status' | 'body_too_large' | 'network' | 'parse';

export type FetchPageOutcome =
  | { readonly ok: true; readonly families: readonly MetricFamily[]; readonly format: ExpositionFormat; readonly bytes: number }
  | { readonly ok: false; readonly reason: ScrapeFailureReason; readonly message: string };

export interface FetchPageOptions {
  /** Whole-scrape deadline in ms, headers and body included. */
  readonly timeoutMs: number;
  /** Largest accepted (decompressed) body in bytes, like Prometheus' body_size_limit. */
  readonly bodyLimitBytes: number;
  readonly parseLimits?: Partial<ParseLimits>;
  /** Aborts the scrape from outside (the scraper stopping). */
  readonly signal?: AbortSignal;
  /** Injectable for tests; defaults to the global fetch. */
  readonly fetchImpl?: typeof fetch;
}

const USER_AGENT = 'agentswarm-exporter';

/**
 * Fetches and parses one exposition page. Never rejects: every failure is an outcome with a
 * reason. The timeout aborts the request wherever it is (connecting, waiting for headers, or
 * mid-body), so a hanging target costs at most `timeoutMs`.
 */
export async function fetchPage(url: string, options: FetchPageOptions): Promise<FetchPageOutcome> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onOuterAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort();
  const doFetch = options.fetchImpl ?? fetch;
  try {
    const response = await doFetch(url, {
      signal: controller.signal,
      headers: {
        accept: SCRAPE_ACCEPT_HEADER,
        'user-agent': USER_AGENT,
        'x-prometheus-scrape-timeout-seconds': String(options.timeoutMs / 1000),
      },
    });
    if (!response.ok) {
      controller.abort();
      return { ok: false, reason: 'http_status', message: `server returned HTTP status ${response.status} ${response.statusText}`.trim() };
    }
    const format = formatFromContentType(response.headers.get('content-type'));
    const families: MetricFamily[] = [];
    const parser = new ExpositionParser({
      format,
      ...(options.parseLimits ? { limits: options.parseLimits } : {}),
      onFamily: (f) => families.push(f),
    });
    const decoder = new TextDecoder('utf-8');
    let bytes = 0;
    if (response.body) {
      // fetch types its body as a stream of `any`; the Fetch standard makes every chunk a Uint8Array, checked here rather than assumed.
      const reader: ReadableStreamDefaultReader<unknown> = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (!(value instanceof Uint8Array)) throw new TypeError('response body chunk is not bytes');
        bytes += value.byteLength;
        if (bytes > options.bodyLimitBytes) {
          controller.abort();
          return { ok: false, reason: 'body_too_large', message: `body larger than ${options.bodyLimitBytes} bytes` };
        }
        const error = parser.write(decoder.decode(value, { stream: true }));
        if (error) {
          controller.abort();
          return { ok: false, reason: 'parse', message: `line ${error.line}: ${error.message}` };
        }
      }
    }
    const error = parser.write(decoder.decode()) ?? parser.end();
    if (error) return { ok: false, reason: 'parse', message: `line ${error.line}: ${error.message}` };
    return { ok: true, families, format, bytes };
  } catch (error) {
    if (timedOut) return { ok: false, reason: 'timeout', message: `no complete answer within ${options.timeoutMs} ms` };
    if (controller.signal.aborted) return { ok: false, reason: 'aborted', message: 'scrape aborted' };
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, reason: 'network', message: cause?.code ?? cause?.message ?? (error as Error).message };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
}
