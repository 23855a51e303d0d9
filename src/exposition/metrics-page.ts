// Assembles the /metrics page: prom-client registry output plus the families rendered from snapshots,
// in the text format or OpenMetrics as the Accept header asks.
import type { Registry } from './prom.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, toOpenMetrics } from './text-format.js';

/** Renders families that are not prom-client objects (per-agent values, analysis scores); each renderer
 * takes its own consistent snapshot and may yield to the event loop between slices. */
export type FamilyRenderer = () => string | readonly string[] | Promise<string | readonly string[]>;

export interface MetricsPage {
  readonly contentType: string;
  /** The page in chunks, to be written in order. */
  readonly chunks: readonly string[];
}

/** True when the client asks for OpenMetrics (as Prometheus does when it supports it). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/openmetrics-text');
}

export async function renderMetricsPage(registry: Registry, renderers: readonly FamilyRenderer[], openMetrics: boolean): Promise<MetricsPage> {
  const ours = (await Promise.all(renderers.map((render) => render()))).flat();
  const fromClient = await registry.metrics();
  const chunks = [...ours, fromClient.endsWith('\n') || fromClient === '' ? fromClient : `${fromClient}\n`];
  // OpenMetrics is asked for rarely (Prometheus prefers it only when configured): convert the whole page.
  return openMetrics ? { contentType: OPENMETRICS_CONTENT_TYPE, chunks: [toOpenMetrics(chunks.join(''))] } : { contentType: TEXT_CONTENT_TYPE, chunks };
}
