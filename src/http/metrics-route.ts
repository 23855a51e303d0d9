// GET <telemetry_path>: the Prometheus exposition, text 0.0.4 or OpenMetrics by Accept.
import { Router } from 'express';
import { renderMetricsPage, wantsOpenMetrics, type FamilyRenderer } from '../exposition/metrics-page.js';
import type { Registry } from '../exposition/prom.js';

export interface MetricsRouteDeps {
  readonly path: string;
  readonly registry: Registry;
  readonly renderers: readonly FamilyRenderer[];
  readonly onError: (error: unknown) => void;
}

export function createMetricsRoute(deps: MetricsRouteDeps): Router {
  const router = Router();
  router.get(deps.path, async (req, res) => {
    try {
      const page = await renderMetricsPage(deps.registry, deps.renderers, wantsOpenMetrics(req.get('accept')));
      res.status(200).set('Content-Type', page.contentType);
      for (const chunk of page.chunks) {
        // Respect backpressure so a slow scraper does not make us buffer the whole page twice.
        if (res.destroyed) return;
        if (!res.write(chunk)) {
          await new Promise<void>((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
        }
      }
      res.end();
    } catch (error) {
      deps.onError(error);
      res.status(500).type('text').send('error rendering metrics\n');
    }
  });
  return router;
}
