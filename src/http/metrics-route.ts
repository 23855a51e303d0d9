// GET <telemetry_path>: the Prometheus exposition, text 0.0.4 or OpenMetrics by Accept.
import { Router } from 'express';
import { contentTypeFor, renderMetricsPage, wantsOpenMetrics, type FamilyRenderer } from '../exposition/metrics-page.js';
import type { Registry } from '../runtime/prom.js';
import { drainedOrClosed } from './drained-or-closed.js';
import { Foreground } from '../runtime/foreground.js';

export interface MetricsRouteDeps {
  readonly path: string;
  readonly metricsRegistry: Registry;
  readonly renderers: readonly FamilyRenderer[];
  readonly onError: (error: unknown) => void;
  /**
   * A render in progress is foreground work: background pauses wait for it (runtime/foreground.ts).
   * Default: one of its own, that nothing waits for.
   */
  readonly foreground?: Foreground;
}

/**
 * Characters of a page the response may hold unsent before the render waits for the client to read.
 * A wait per 64 KiB chunk (the socket's own high-water mark is 16 KiB) cost a 2 MB page ~20 % of
 * its time on loopback; a scraper that does not read still holds at most this much of it.
 */
export const MAX_UNSENT_CHARS = 1 << 20;

export function createMetricsRoute(deps: MetricsRouteDeps): Router {
  const router = Router();
  const foreground = deps.foreground ?? new Foreground();
  router.get(deps.path, async (req, res) => {
    const openMetrics = wantsOpenMetrics(req.get('accept'));
    res.status(200).set('Content-Type', contentTypeFor(openMetrics));
    try {
      const render = (): Promise<void> =>
        renderMetricsPage(deps.metricsRegistry, deps.renderers, openMetrics, async (chunk) => {
          if (res.destroyed || chunk === '') return;
          // Respect backpressure past MAX_UNSENT_CHARS, so a slow scraper does not make us buffer the
          // whole page; the wait for it is not foreground work (it must not hold the analysis back).
          if (res.write(chunk) || res.writableLength < MAX_UNSENT_CHARS) return;
          await foreground.outside(drainedOrClosed(res));
        });
      await foreground.run(render);
      res.end();
    } catch (error) {
      deps.onError(error);
      // A truncated page must fail the scrape rather than look complete.
      if (res.headersSent) res.destroy();
      else res.status(500).type('text').send('error rendering metrics\n');
    }
  });
  return router;
}
