// The HTTP application: routers mounted in order, timeouts and error handling around them.
import express, { type Router } from 'express';
import { errorHandler } from './json-body.js';
import { sendProblem } from './problem.js';

export interface AppDeps {
  /** Routers in mounting order (probes, ingest, metrics, APIs...). */
  readonly routers: readonly Router[];
  readonly onUnexpectedError: (error: unknown) => void;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  for (const router of deps.routers) app.use(router);
  app.use((req, res) => {
    sendProblem(res, 404, `route: no ${req.method} ${req.path}`);
  });
  app.use(errorHandler(deps.onUnexpectedError));
  return app;
}
