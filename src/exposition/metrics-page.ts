// Assembles the /metrics page: prom-client registry output plus the families rendered from snapshots,
// in the text format or OpenMetrics as the Accept header asks.
import type { Registry } from '../runtime/prom.js';
import type { ChunkWriter } from './agent-families.js';
import { OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE, toOpenMetrics } from './text-writer.js';

/** Writes families that are not prom-client objects (per-agent values, analysis scores), each from its
 * own consistent snapshot; it may yield to the event loop between chunks. */
export type FamilyRenderer = (write: ChunkWriter) => void | Promise<void>;

/** True when the client asks for OpenMetrics (as Prometheus does when it supports it). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/openmetrics-text');
}

export function contentTypeFor(openMetrics: boolean): string {
  return openMetrics ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
}

/**
 * Streams the page to `write`: our families, then prom-client's registry. OpenMetrics needs the
 * whole page (counter family names change), so it is gathered and converted first.
 */
export async function renderMetricsPage(
  registry: Registry,
  renderers: readonly FamilyRenderer[],
  openMetrics: boolean,
  write: ChunkWriter,
): Promise<void> {
  const gathered: string[] = [];
  const sink: ChunkWriter = openMetrics ? (chunk) => void gathered.push(chunk) : write;
  for (const render of renderers) await render(sink);
  const fromClient = await registry.metrics();
  await sink(fromClient.endsWith('\n') || fromClient === '' ? fromClient : `${fromClient}\n`);
  if (openMetrics) await write(toOpenMetrics(gathered.join('')));
}
