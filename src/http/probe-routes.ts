// Probes: /-/healthy (liveness), /-/ready (503 while starting or draining). GET / is the status page.
import { Router } from 'express';

export interface Readiness {
  ready: boolean;
}

export interface ProbeRouteDeps {
  readonly readiness: Readiness;
}

export function createProbeRoutes(deps: ProbeRouteDeps): Router {
  const router = Router();
  router.get('/-/healthy', (_req, res) => {
    res.type('text').send('Healthy.\n');
  });
  router.get('/-/ready', (_req, res) => {
    if (deps.readiness.ready) res.type('text').send('Ready.\n');
    else res.status(503).type('text').send('Not ready.\n');
  });
  return router;
}
