import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthService } from '../../domain/auth/auth.service.ts';
import type { Principal } from '../../domain/auth/auth.types.ts';
import type { Permission } from '../../domain/auth/permissions.ts';
import type { RequestContext } from '../../domain/shared/request-context.ts';
import { bearerFrom } from '../../domain/fleet/fleet.service.ts';
import { errorBody } from './api-errors.ts';

export const sessionCookieName = 'lm_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** `/api/v1` routes that answer without an operator credential (they carry their own). */
const publicApiPaths = new Set(['/api/v1/auth/login', '/api/v1/bootstrap', '/api/v1/agent/report']);
const isPublicApi = (path: string) => publicApiPaths.has(path) || path.startsWith('/api/v1/downloads/');

/**
 * Authenticates every `/api/v1` request from the session cookie or an `lmsat_` bearer and
 * answers 401 JSON when neither is valid. Permissions are checked per route by `requirePermission`.
 */
export function apiAuthentication(auth: AuthService) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (!path.startsWith('/api/') || isPublicApi(path)) return;
    const result = await auth.authenticateOperator(
      {
        bearer: bearerFrom(request.headers.authorization),
        sessionCookie: request.cookies[sessionCookieName],
      },
      request.ip,
    );
    if (!result.ok) {
      // The body of a refused request is never read: close rather than drain it.
      void reply.header('connection', 'close');
      if (result.reason === 'throttled') {
        await reply
          .code(429)
          .header('retry-after', String(result.retryAfterSeconds))
          .send(errorBody('rate_limited', 'too many failed authentications from this address; retry later'));
        return;
      }
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="linkmesh"')
        .send(
          errorBody('unauthenticated', 'authentication required: a session cookie or an lmsat_ bearer token'),
        );
      return;
    }
    const principal = result.principal;
    request.principal = principal;
  };
}

/** A route pre-handler answering 403 JSON unless the caller holds `permission`. */
export function requirePermission(permission: Permission) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (request.principal?.permissions.has(permission)) return;
    await reply.code(403).send(errorBody('forbidden', `permission ${permission} required`));
  };
}

/** The audit context of an authenticated request. */
export function contextOf(request: FastifyRequest): RequestContext {
  return { actor: request.principal?.actor ?? 'anonymous', sourceIp: request.ip };
}
