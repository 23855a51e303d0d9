// The web config applied to each request: response headers, the client-certificate policy and basic auth (bcrypt), alongside bearer tokens.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { tokensMatch, type TokenSource } from '../bearer-auth.js';
import { sendProblem } from '../problem.js';
import { bcryptVerify } from './bcrypt.js';
import type { WebConfigState } from './web-config-source.js';

/** Successful (user, hash, password) checks remembered, so a scraper does not pay a bcrypt per request. */
const CACHE_LIMIT = 1024;
/** Liveness and readiness probes answer without credentials (kubelet probes send none); they reveal nothing. */
const OPEN_PATHS = new Set(['/-/healthy', '/-/ready']);

export interface WebGateDeps {
  readonly state: () => WebConfigState;
  /**
   * The bearer tokens configured for the APIs (ingest, webhook, api). A request presenting one of
   * them passes basic auth; the route then checks that it is the right one for that route.
   */
  readonly bearerTokens: readonly TokenSource[];
}

function clientCertProblem(req: IncomingMessage, state: WebConfigState): string | undefined {
  const type = state.config.tls_server_config?.client_auth_type ?? 'NoClientCert';
  if (type === 'NoClientCert' || type === 'RequestClientCert') return undefined;
  const socket = req.socket as TLSSocket;
  const presented = typeof socket.getPeerCertificate === 'function' && Object.keys(socket.getPeerCertificate()).length > 0;
  if (type === 'RequireAnyClientCert') return presented ? undefined : 'a client certificate is required';
  if (type === 'VerifyClientCertIfGiven' && !presented) return undefined;
  return socket.authorized
    ? undefined
    : `the client certificate is not signed by client_ca_file (${socket.authorizationError?.toString() ?? 'no certificate'})`;
}

function basicCredentials(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function bearer(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

/**
 * A request gate: true = go on to the routes; false = it answered (401 with a Basic challenge, or
 * 403 for a client certificate the policy refuses). Sets the configured headers on every response.
 */
export function createWebGate(deps: WebGateDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const verified = new Set<string>();

  const passwordMatches = (users: Readonly<Record<string, string>>, user: string, password: string): boolean => {
    const hash = users[user];
    const cacheKey = createHash('sha256')
      .update(`${user}\0${hash ?? ''}\0${password}`)
      .digest('base64');
    if (hash !== undefined && verified.has(cacheKey)) return true;
    // An unknown user still costs one bcrypt (against any configured hash), so timing does not tell which users exist.
    const reference = hash ?? Object.values(users)[0] ?? '';
    const ok = bcryptVerify(password, reference) && hash !== undefined;
    if (ok) {
      if (verified.size >= CACHE_LIMIT) verified.clear();
      verified.add(cacheKey);
    }
    return ok;
  };

  return (req, res) => {
    const state = deps.state();
    for (const [name, value] of Object.entries(state.config.http_server_config.headers)) res.setHeader(name, value);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const certProblem = clientCertProblem(req, state);
    if (certProblem !== undefined) {
      sendProblem(res, 403, `tls_server_config.client_auth_type ${state.config.tls_server_config?.client_auth_type ?? ''}: ${certProblem}`);
      return false;
    }
    const users = state.config.basic_auth_users;
    if (Object.keys(users).length === 0 || OPEN_PATHS.has(path)) return true;
    const token = bearer(req.headers.authorization);
    if (token !== undefined) {
      for (const source of deps.bearerTokens) {
        const expected = typeof source === 'function' ? source() : source;
        if (expected !== undefined && tokensMatch(token, expected)) return true;
      }
    }
    const credentials = basicCredentials(req.headers.authorization);
    if (credentials && passwordMatches(users, credentials.user, credentials.password)) return true;
    res.setHeader('WWW-Authenticate', 'Basic realm="agentswarm-exporter", charset="UTF-8"');
    sendProblem(
      res,
      401,
      'authorization: expected basic-auth credentials of a user in basic_auth_users (web.config.file), or a configured bearer token',
    );
    return false;
  };
}
