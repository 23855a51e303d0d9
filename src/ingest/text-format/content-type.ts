// Content negotiation for scraping: the Accept header we send and the format a Content-Type names.
import type { ExpositionFormat } from './types.js';

/**
 * What Prometheus 2.x sends when scraping: OpenMetrics preferred, then text 0.0.4. Sending the
 * same header makes targets answer us exactly as they answer Prometheus.
 */
export const SCRAPE_ACCEPT_HEADER =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

/**
 * The format of a response from its Content-Type. Anything that is not OpenMetrics is read as
 * text 0.0.4, Prometheus' fallback (a missing or odd content type is common on small exporters).
 */
export function formatFromContentType(contentType: string | null | undefined): ExpositionFormat {
  const mediaType = (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return mediaType === 'application/openmetrics-text' ? 'openmetrics' : 'text';
}
