// The simulated swarm as one Prometheus exposition page (a "gateway" with an `agent` label), for
// running the demo in scrape mode: the exporter then pulls what it would otherwise be pushed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CANONICAL_METRICS } from '../model/canonical-metrics.js';
import type { StepFrame } from './swarm-model.js';

/**
 * One gauge family per canonical metric, named like the metric itself so the scraper's default
 * mapping (canonical metric <- same-named source metric) needs no configuration. Down agents are
 * absent, as a crashed process' series would be.
 */
export function renderSwarmPage(frame: StepFrame | undefined): string {
  if (frame === undefined) return '';
  let page = '';
  for (const metric of CANONICAL_METRICS) {
    let body = '';
    for (const agent of frame.agents) {
      const value = agent.up ? agent.metrics?.[metric] : undefined;
      if (value !== undefined && Number.isFinite(value)) body += `${metric}{agent="${agent.id}"} ${value}\n`;
    }
    if (body !== '') page += `# HELP ${metric} Simulated ${metric} of each agent.\n# TYPE ${metric} gauge\n${body}`;
  }
  return page;
}

export interface ExpositionServer {
  /** URL of the page, e.g. http://127.0.0.1:40123/metrics. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `page()` at /metrics on an ephemeral loopback port. */
export async function startExpositionServer(page: () => string): Promise<ExpositionServer> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(page());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
