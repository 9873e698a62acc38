import { existsSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import proxyAddr from '@fastify/proxy-addr';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServerMetrics } from '../../platform/metrics.ts';
import { errorBody, sendKnownError } from './api-errors.ts';
import { limitConnectionsPerAddress } from './connection-limit.ts';
import { registerJsonBodyParser } from './json-body.parser.ts';
import { RawRoutes } from './raw-routes.ts';
import { registerSecurityHeaders } from './security-headers.ts';

/**
 * How often node checks open connections against the headers and request timeouts. Its default
 * (30 s) is why slow headers used to be cut only after 84 s; 1 s keeps cut-offs within a second
 * of the configured time at the cost of one walk over the connection list per second.
 */
const connectionsCheckingIntervalMs = 1000;

export interface HttpServerOptions {
  readonly logger: Logger;
  readonly metrics: ServerMetrics;
  /** HTTPS when set. */
  readonly tls?: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** Reverse proxies whose X-Forwarded-* headers are trusted (comma-separated CIDRs). */
  readonly trustedProxies: string;
  /** Built web UI (index.html + assets); the UI routes answer 503 with a hint when missing. */
  readonly webRoot: string;
  /** Largest JSON body (413 above) and deepest JSON nesting (400 above) of the REST API. */
  readonly jsonLimits: { readonly maxBodyBytes: number; readonly maxDepth: number };
  /**
   * Slow-client limits (node's headersTimeout, requestTimeout, keepAliveTimeout). They end with
   * the HTTP exchange: a socket upgraded to a WebSocket is no longer watched by them.
   */
  readonly timeouts: {
    readonly headersSeconds: number;
    readonly requestSeconds: number;
    readonly keepAliveSeconds: number;
  };
  /** Open TCP connections per client address (HTTP and WebSocket); trusted proxies are exempt. */
  readonly maxConnectionsPerAddress: number;
}

/** Paths whose request volume is fleet-sized: logged at debug, not info. */
const highVolumePrefixes = ['/v1/metrics', '/v1/opamp', '/collector.v1.'];

/**
 * The one HTTP listener: JSON errors everywhere, `http.request` logs, HTTP metrics, cookies and
 * the static UI. Routes are registered by the caller (main.ts).
 */
export async function createHttpServer(
  options: HttpServerOptions,
): Promise<{ app: FastifyInstance; rawRoutes: RawRoutes }> {
  const trustedProxies = options.trustedProxies.trim();
  const trusted = trustedProxies
    ? proxyAddr.compile(trustedProxies.split(',').map((v) => v.trim()))
    : undefined;
  const rawRoutes = new RawRoutes({
    metrics: options.metrics,
    logger: options.logger,
    // The same address Fastify's request.ip gives (X-Forwarded-For only from trusted proxies).
    clientIp: (request) => (trusted ? proxyAddr(request, trusted) : (request.socket.remoteAddress ?? '')),
  });
  const requestTimeoutMs = options.timeouts.requestSeconds * 1000;
  // node refuses headersTimeout > requestTimeout; a request must be complete within
  // requestTimeout anyway, so a longer headers timeout could never fire.
  const headersTimeoutMs = Math.min(options.timeouts.headersSeconds * 1000, requestTimeoutMs);
  const app = Fastify({
    logger: false,
    bodyLimit: options.jsonLimits.maxBodyBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    requestTimeout: requestTimeoutMs,
    ...(trustedProxies ? { trustProxy: trustedProxies } : {}),
    // Our own server object, so raw routes are answered before Fastify's handler.
    serverFactory: (fastifyHandler) => {
      const listener = (request: IncomingMessage, response: ServerResponse) => {
        if (!rawRoutes.dispatch(request, response)) fastifyHandler(request, response);
      };
      // connectionsCheckingInterval is read only by the constructor (node 20).
      const serverOptions: http.ServerOptions = {
        headersTimeout: headersTimeoutMs,
        requestTimeout: requestTimeoutMs,
        keepAliveTimeout: options.timeouts.keepAliveSeconds * 1000,
        connectionsCheckingInterval: connectionsCheckingIntervalMs,
      };
      const server = options.tls
        ? https.createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, listener)
        : http.createServer(serverOptions, listener);
      const refused = options.metrics.httpConnectionsRefused.labels('per_address_cap');
      limitConnectionsPerAddress(server, {
        maxPerAddress: options.maxConnectionsPerAddress,
        // The socket's own peer: a proxy is exempt as a whole, its clients are not told apart here.
        isExempt: (address) => (trusted ? trusted(address, 0) : false),
        refused: () => refused.inc(),
        refusedFirstInInterval: (ip, max) =>
          options.logger.warn(
            { ip, maxConnectionsPerAddress: max },
            'http.connection: refused reason=per_address_cap',
          ),
      });
      return server;
    },
  }) as unknown as FastifyInstance;

  await app.register(fastifyCookie);
  registerJsonBodyParser(app, options.jsonLimits);
  registerSecurityHeaders(app, { tls: options.tls !== undefined, skipPathPrefixes: highVolumePrefixes });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const durationMs = reply.elapsedTime;
    options.metrics.httpRequests.labels(request.method, route, String(reply.statusCode)).inc();
    options.metrics.httpRequestDuration.labels(request.method, route).observe(durationMs / 1000);
    const path = request.url.split('?', 1)[0] ?? '';
    const level = highVolumePrefixes.some((prefix) => path.startsWith(prefix)) ? 'debug' : 'info';
    options.logger[level](
      {
        method: request.method,
        path,
        route,
        status: reply.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
        ip: request.ip,
      },
      'http.request',
    );
  });

  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (sendKnownError(reply, error)) return reply;
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code =
        status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 405
              ? 'method_not_allowed'
              : status === 429
                ? 'rate_limited'
                : status === 404
                  ? 'not_found'
                  : 'invalid';
      return reply.code(status).send(errorBody(code, error.message));
    }
    options.logger.error(
      { err: error, method: request.method, path: request.url.split('?', 1)[0] },
      'http.error: unhandled',
    );
    return reply.code(500).send(errorBody('internal', 'internal server error'));
  });

  const indexFile = join(options.webRoot, 'index.html');
  const haveUi = existsSync(indexFile);
  if (haveUi) {
    await app.register(fastifyStatic, { root: options.webRoot, prefix: '/', wildcard: false, index: false });
  }
  const indexHtml = haveUi ? readFileSync(indexFile, 'utf8') : undefined;

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    const isApi = path.startsWith('/api/') || path.startsWith('/v1/') || path.startsWith('/collector.v1.');
    if (request.method === 'GET' && !isApi) {
      if (indexHtml === undefined) {
        return reply
          .code(503)
          .type('text/plain')
          .send('The web UI is not built. Run `npm run build:web` (npm start does this for you).\n');
      }
      // Client-side routes (/collectors/…) all load the single-page app.
      return reply.type('text/html').header('cache-control', 'no-cache').send(indexHtml);
    }
    return reply.code(404).send(errorBody('not_found', `no route for ${request.method} ${path}`));
  });

  return { app, rawRoutes };
}
