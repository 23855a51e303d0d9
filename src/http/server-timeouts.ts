// The HTTP server's connection timeouts, as options for http.createServer and https.createServer alike.
import type { ServerOptions } from 'node:http';

/** A client must send its complete request headers within this, ms (Node's default 60 s is too loose). */
export const HEADERS_TIMEOUT_MS = 10_000;
/** ... and its complete request, body included, within this, ms (Node's default is 300 s). */
export const REQUEST_TIMEOUT_MS = 30_000;
/**
 * How often Node looks for connections past those timeouts, ms. Node's default (30 s) lets a
 * slow client hold a connection up to 40 s / 60 s; at 500 ms the cut lands within half a second
 * of the promise (docs/reliability.md). The check walks the open connections, which is cheap.
 */
export const CONNECTIONS_CHECK_MS = 500;
/** Longer than the usual 60 s idle timeout of proxies and load balancers in front of us. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Pass to createServer: a body shorter than its Content-Length, or headers that never end, cost
 * a connection for at most these bounds; Node then answers 408 and closes it.
 */
export const SERVER_TIMEOUTS: Readonly<ServerOptions> = {
  headersTimeout: HEADERS_TIMEOUT_MS,
  requestTimeout: REQUEST_TIMEOUT_MS,
  connectionsCheckingInterval: CONNECTIONS_CHECK_MS,
  keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
};
