// Assembles the /metrics page: prom-client registry output plus the families rendered from snapshots,
// in the text format or OpenMetrics as the Accept header asks.
import type { Registry } from './prom.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, toOpenMetrics } from './text-format.js';

/** Renders families that are not prom-client objects (per-agent values, analysis scores). */
export type FamilyRenderer = () => string;

export interface MetricsPage {
  readonly contentType: string;
  readonly body: string;
}

/** True when the client asks for OpenMetrics (as Prometheus does when it supports it). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/openmetrics-text');
}

export async function renderMetricsPage(registry: Registry, renderers: readonly FamilyRenderer[], openMetrics: boolean): Promise<MetricsPage> {
  // Render our families synchronously first so they come from one consistent state.
  const ours = renderers.map((render) => render()).join('');
  const fromClient = await registry.metrics();
  const text = `${ours}${fromClient.endsWith('\n') || fromClient === '' ? fromClient : `${fromClient}\n`}`;
  return openMetrics ? { contentType: OPENMETRICS_CONTENT_TYPE, body: toOpenMetrics(text) } : { contentType: TEXT_CONTENT_TYPE, body: text };
}
