// Landing page and probes: GET /, /-/healthy (liveness), /-/ready (503 while starting or draining).
import { Router } from 'express';

export interface Readiness {
  ready: boolean;
}

export interface ProbeRouteDeps {
  readonly readiness: Readiness;
  readonly version: string;
  readonly telemetryPath: string;
  /** Replaces the plain landing page when the status page is available. */
  readonly landingHtml?: () => string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function plainLandingPage(version: string, telemetryPath: string): string {
  const path = escapeHtml(telemetryPath);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>agentswarm-exporter</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>agentswarm-exporter</h1>
<p>Version ${escapeHtml(version)}</p>
<ul>
<li><a href="${path}">Metrics</a></li>
<li><a href="/-/healthy">Health</a></li>
<li><a href="/-/ready">Readiness</a></li>
<li><a href="/api/v1/agents">Agents (JSON)</a></li>
<li><a href="/api/v1/analysis">Analysis (JSON)</a></li>
<li><a href="/api/v1/coordination/tasks">Coordination tasks (JSON)</a></li>
</ul>
</body></html>
`;
}

export function createProbeRoutes(deps: ProbeRouteDeps): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(deps.landingHtml ? deps.landingHtml() : plainLandingPage(deps.version, deps.telemetryPath));
  });
  router.get('/-/healthy', (_req, res) => {
    res.type('text').send('Healthy.\n');
  });
  router.get('/-/ready', (_req, res) => {
    if (deps.readiness.ready) res.type('text').send('Ready.\n');
    else res.status(503).type('text').send('Not ready.\n');
  });
  return router;
}
