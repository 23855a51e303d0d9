// POST /api/v1/alerts: the Alertmanager webhook receiver. 200 only after the durable commit.
import { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { AlertReceiver } from '../coordination/coordination-api.js';
import { parseAlertmanagerPayload } from '../coordination/alertmanager-payload.js';
import { isStoreUnavailable } from '../persistence/store-errors.js';
import { bearerAuth, type TokenSource } from './bearer-auth.js';
import { jsonBody } from './json-body.js';
import { sendProblem } from './problem.js';

export interface AlertRouteDeps {
  readonly receiver: AlertReceiver;
  /** web.auth.webhook_token_file, re-read when it changes; undefined = open (main warns at start). */
  readonly token: TokenSource;
  readonly logger?: Logger;
}

export const ALERTS_PATH = '/api/v1/alerts';

// Alertmanager ignores Retry-After, but humans and other senders can use it.
const RETRY_AFTER_SECONDS = '5';
/** At most one "store unavailable" line per reason per minute: Alertmanager retries every refusal. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;

function statusOf(body: unknown): 'firing' | 'resolved' | 'unknown' {
  const status = typeof body === 'object' && body !== null ? (body as { status?: unknown }).status : undefined;
  return status === 'firing' || status === 'resolved' ? status : 'unknown';
}

/**
 * Status codes (docs/reliability.md test 6, docs/design.md#http-routes): 200 committed (new or duplicate); 400
 * malformed JSON; 401 missing or wrong token; 413 body over 1 MiB; 415 not JSON; 422 not an
 * Alertmanager v4 payload; 503 store busy/full/closed or shutting down. Never 429: Alertmanager
 * drops a notification on any 4xx, and only retries 5xx.
 */
export function createAlertRoutes(deps: AlertRouteDeps): Router {
  const { receiver } = deps;
  const log = deps.logger?.child({ component: 'alerts' });
  const router = Router();
  const lastLogged = new Map<string, number>();
  const suppressed = new Map<string, number>();

  const countInvalid = (req: Request, res: Response, next: NextFunction): void => {
    res.on('finish', () => {
      if (res.statusCode === 400 || res.statusCode === 413 || res.statusCode === 415 || res.statusCode === 422) {
        receiver.recordRejected('invalid', statusOf(req.body));
      }
    });
    next();
  };

  const refuseWhileStopping = (_req: Request, res: Response, next: NextFunction): void => {
    if (receiver.accepting) {
      next();
      return;
    }
    res.set('Retry-After', RETRY_AFTER_SECONDS);
    sendProblem(res, 503, 'receiver: shutting down or not started; retry');
  };

  router.post(
    ALERTS_PATH,
    bearerAuth(deps.token, () => receiver.recordRejected('unauthorized', 'unknown')),
    refuseWhileStopping,
    countInvalid,
    jsonBody(),
    async (req: Request, res: Response) => {
      const parsed = parseAlertmanagerPayload(req.body);
      if (!parsed.ok) {
        sendProblem(res, 422, parsed.error);
        return;
      }
      try {
        const summary = await receiver.receiveNotification(parsed.notification);
        res.status(200).json({
          status: 'ok',
          alerts: summary.alerts,
          accepted: summary.accepted,
          duplicates: summary.duplicates,
          tasks_created: summary.created,
          tasks_cancelled: summary.cancelled,
        });
      } catch (error) {
        if (!isStoreUnavailable(error)) throw error;
        const now = performance.now();
        if (now - (lastLogged.get(error.reason) ?? -Infinity) >= REFUSAL_LOG_INTERVAL_MS) {
          log?.warn(
            { reason: error.reason, suppressed: suppressed.get(error.reason) ?? 0 },
            'notification refused: store unavailable; Alertmanager will retry',
          );
          lastLogged.set(error.reason, now);
          suppressed.set(error.reason, 0);
        } else {
          suppressed.set(error.reason, (suppressed.get(error.reason) ?? 0) + 1);
        }
        res.set('Retry-After', RETRY_AFTER_SECONDS);
        sendProblem(res, 503, `store: ${error.message}; retry`);
      }
    },
  );
  return router;
}
