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
          // Respect backpressure so a slow scraper does not make us buffer the whole page; the wait
          // for it is not foreground work (it must not hold the analysis back).
          if (res.write(chunk)) return;
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
