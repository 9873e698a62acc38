import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { errorBody } from './api-errors.ts';
import { sessionCookieName } from './auth.hooks.ts';

const loginPath = '/api/v1/auth/login';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Why a request was refused, for the log line. */
type Refusal = 'sec-fetch-site' | 'origin' | 'content-type';

/** The `scheme://host[:port]` of a URL, normalised as browsers write `Origin`; undefined when unparsable. */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

const hasBody = (request: FastifyRequest): boolean =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

const isJson = (contentType: string | undefined): boolean =>
  contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';

/**
 * Refuses cross-site writes that ride on the browser's session cookie (decision 0013).
 *
 * Checked: `/api/` requests with an unsafe method that carry the `lm_session` cookie and no
 * `Authorization` header, and every login (login CSRF). A service-token caller sets its own
 * `Authorization`, which a cross-origin page cannot do without a CORS preflight we never grant,
 * so it is left alone.
 *
 * A checked request passes when it is same-origin: `Sec-Fetch-Site: same-origin` when the
 * browser sent that header (any other value refuses), otherwise an `Origin` equal to this
 * server's origin as the request reached it (scheme + Host, X-Forwarded-* from trusted proxies)
 * or as configured (`externalUrl`), otherwise (neither header: not a browser) it passes. And a
 * request with a body must say `Content-Type: application/json`: a cross-site form or a
 * "simple" `text/plain` fetch cannot, without a preflight.
 *
 * Runs before authentication, so a refused request is never authenticated, never counts as a
 * failed login and its body is never read. Answers 403 `forbidden` JSON and logs
 * `http.csrf: refused` at warn with what the browser said (never the cookie).
 *
 * @example app.addHook('onRequest', csrfProtection({ externalUrl: () => url, logger }));
 */
export function csrfProtection(deps: { externalUrl: () => string; logger: Logger }) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (safeMethods.has(request.method)) return;
    const path = request.url.split('?', 1)[0] ?? '';
    // The matched route as well as the raw path: a percent-encoded path still routes.
    const route = request.routeOptions.url;
    const isLogin = path === loginPath || route === loginPath;
    const isApi = path.startsWith('/api/') || route?.startsWith('/api/') === true;
    if (!isLogin) {
      if (!isApi) return;
      if (request.cookies[sessionCookieName] === undefined) return;
      if (request.headers.authorization !== undefined) return;
    }

    const secFetchSite = header(request, 'sec-fetch-site');
    const origin = header(request, 'origin');
    const refusal = refusalOf(request, secFetchSite, origin, deps.externalUrl());
    if (refusal === undefined) return;

    deps.logger.warn(
      { method: request.method, path, reason: refusal, origin, secFetchSite, ip: request.ip },
      'http.csrf: refused',
    );
    // As with a failed authentication: the body is never read, so close rather than drain it.
    void reply.header('connection', 'close');
    const message =
      refusal === 'content-type'
        ? 'cross-origin request refused: a write with the session cookie must send Content-Type: application/json'
        : 'cross-origin request refused';
    await reply.code(403).send(errorBody('forbidden', message));
  };
}

function refusalOf(
  request: FastifyRequest,
  secFetchSite: string | undefined,
  origin: string | undefined,
  externalUrl: string,
): Refusal | undefined {
  if (secFetchSite !== undefined) {
    if (secFetchSite.trim().toLowerCase() !== 'same-origin') return 'sec-fetch-site';
  } else if (origin !== undefined) {
    // `Origin: null` (sandboxed frames, some redirects) parses to "null" and matches nothing.
    const seen = originOf(origin);
    const own = [originOf(`${request.protocol}://${request.host}`), originOf(externalUrl)];
    if (seen === undefined || seen === 'null' || !own.includes(seen)) return 'origin';
  }
  if (hasBody(request) && !isJson(header(request, 'content-type'))) return 'content-type';
  return undefined;
}
