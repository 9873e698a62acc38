import type { FastifyInstance } from 'fastify';
import { loginRequest, type PrincipalView } from '@linkmesh/contracts/api';
import type { AuthService } from '../../../domain/auth/auth.service.ts';
import type { Principal } from '../../../domain/auth/auth.types.ts';
import { sessionCookieName } from '../auth.hooks.ts';

const principalView = (p: Principal): PrincipalView => ({
  kind: p.kind,
  id: p.id,
  name: p.name,
  permissions: [...p.permissions].sort(),
});

/** Operator login and logout with an HttpOnly, SameSite=Strict session cookie. */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: { auth: AuthService; secureCookies: boolean; sessionTtlSeconds: number },
): void {
  app.post('/api/v1/auth/login', async (request, reply) => {
    const body = loginRequest.parse(request.body);
    const session = await deps.auth.login(body.username, body.password, request.ip);
    void reply.setCookie(sessionCookieName, session.sessionToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      path: '/',
      maxAge: deps.sessionTtlSeconds,
    });
    return {
      principal: principalView(session.principal),
      expiresAt: new Date(session.expiresAtMs).toISOString(),
    };
  });

  app.post('/api/v1/auth/logout', async (request, reply) => {
    const cookie = request.cookies[sessionCookieName];
    if (cookie !== undefined) await deps.auth.logout(cookie);
    void reply.clearCookie(sessionCookieName, { path: '/' });
    return reply.code(204).send();
  });

  app.get('/api/v1/auth/me', (request, reply) =>
    reply.send({ principal: request.principal && principalView(request.principal) }),
  );
}
