import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/** One year: what HSTS preload lists and most guidance ask for. */
const hstsMaxAgeSeconds = 31_536_000;

/**
 * The Content Security Policy the built SPA runs under (decision 0013). Vite emits one module
 * script and one stylesheet from `/assets/`, with no inline `<script>` or `<style>`; React's
 * `style` props are set through the CSSOM, which `style-src` does not govern, so neither
 * `'unsafe-inline'` nor `'unsafe-eval'` is needed. `upgrade-insecure-requests` is left out on
 * purpose: on a plain-HTTP install it would send the UI's own requests to an https:// that
 * does not exist.
 */
export const contentSecurityPolicyDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'object-src': ["'none'"],
} as const;

/**
 * Sets the browser security headers on every Fastify answer (the UI's HTML and assets, the
 * REST API, errors and the 404 fallback): CSP, `X-Frame-Options: DENY`, `nosniff`,
 * `Referrer-Policy: no-referrer`, helmet's cross-origin isolation headers, and HSTS only when
 * this process itself serves TLS (behind a TLS-terminating proxy, the proxy owns HSTS).
 *
 * The helmet middleware is built once here: `@fastify/helmet` rebuilds it per request (about
 * 18 µs each). Paths in `skipPathPrefixes` (the fleet-volume collector protocols, answered
 * with protobuf to machines) get none of these bytes; the raw GetConfig fast path never
 * reaches Fastify at all.
 *
 * @example registerSecurityHeaders(app, { tls: true, skipPathPrefixes: ['/v1/metrics'] });
 */
export function registerSecurityHeaders(
  app: FastifyInstance,
  options: { readonly tls: boolean; readonly skipPathPrefixes: readonly string[] },
): void {
  const apply = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicyDirectives },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: options.tls
      ? // Not includeSubDomains: the operator's host name may have subdomains we do not serve.
        { maxAge: hstsMaxAgeSeconds, includeSubDomains: false }
      : false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    const url = request.url;
    if (options.skipPathPrefixes.some((prefix) => url.startsWith(prefix))) {
      done();
      return;
    }
    // Synchronous: helmet sets its headers on the raw response and calls back at once.
    apply(request.raw, reply.raw, (error?: unknown) => {
      done(error instanceof Error ? error : undefined);
    });
  });
}
