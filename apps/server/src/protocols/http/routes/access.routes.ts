import type { FastifyInstance } from 'fastify';
import {
  passwordChangeRequest,
  serviceAccountCreateRequest,
  serviceAccountTokenCreateRequest,
  userCreateRequest,
  type ServiceAccountTokenCreated,
} from '@linkmesh/contracts/api';
import { z } from 'zod';
import type { AuthService } from '../../../domain/auth/auth.service.ts';
import type { AuditStore } from '../../../domain/auth/auth.store.ts';
import { contextOf, requirePermission } from '../auth.hooks.ts';
import { auditView, credentialView, isoOrNull, roleView, serviceAccountView, userView } from '../views.ts';
import { limitQuery, windowQuery } from './query.ts';

type IdParams = { Params: { id: string } };
const defaultServiceTokenTtlSeconds = 90 * 86_400;

/** Users, roles, service accounts and their tokens, and the audit log. */
export function registerAccessRoutes(
  app: FastifyInstance,
  deps: { auth: AuthService; audit: AuditStore; nowMs: () => number },
): void {
  app.get('/api/v1/users', { preHandler: requirePermission('users:read') }, async (request) => {
    const query = z.object({ limit: limitQuery(500, 5000) }).parse(request.query);
    const users = await deps.auth.listUsers(query.limit);
    return { items: users.map(({ user, roles }) => userView(user, roles)), nextCursor: null };
  });

  app.post('/api/v1/users', { preHandler: requirePermission('users:create') }, async (request, reply) => {
    const body = userCreateRequest.parse(request.body);
    const user = await deps.auth.createUser(contextOf(request), {
      username: body.username,
      password: body.password,
      roleNames: body.roles,
    });
    return reply.code(201).send(userView(user, body.roles));
  });

  app.delete<IdParams>(
    '/api/v1/users/:id',
    { preHandler: requirePermission('users:delete') },
    async (request, reply) => {
      await deps.auth.disableUser(contextOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.put<IdParams>(
    '/api/v1/users/:id/password',
    { preHandler: requirePermission('users:update') },
    async (request, reply) => {
      const body = passwordChangeRequest.parse(request.body);
      await deps.auth.changePassword(contextOf(request), request.params.id, body.password);
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/roles', { preHandler: requirePermission('roles:read') }, async () => ({
    items: (await deps.auth.listRoles()).map(roleView),
    nextCursor: null,
  }));

  app.get(
    '/api/v1/service-accounts',
    { preHandler: requirePermission('service-accounts:read') },
    async (request) => {
      const query = z.object({ limit: limitQuery(500, 5000) }).parse(request.query);
      return {
        items: (await deps.auth.listServiceAccounts(query.limit)).map(serviceAccountView),
        nextCursor: null,
      };
    },
  );

  app.post(
    '/api/v1/service-accounts',
    { preHandler: requirePermission('service-accounts:create') },
    async (request, reply) => {
      const body = serviceAccountCreateRequest.parse(request.body);
      const account = await deps.auth.createServiceAccount(contextOf(request), {
        name: body.name,
        roleName: body.role,
      });
      return reply.code(201).send(serviceAccountView(account));
    },
  );

  app.get<IdParams>(
    '/api/v1/service-accounts/:id/tokens',
    { preHandler: requirePermission('service-accounts:read') },
    async (request) => ({
      items: (await deps.auth.listServiceAccountTokens(request.params.id)).map(credentialView),
      nextCursor: null,
    }),
  );

  app.post<IdParams>(
    '/api/v1/service-accounts/:id/tokens',
    { preHandler: requirePermission('service-accounts:create') },
    async (request, reply) => {
      const body = serviceAccountTokenCreateRequest.parse(request.body ?? {});
      const minted = await deps.auth.mintServiceAccountToken(contextOf(request), request.params.id, {
        ttlSeconds: body.ttlSeconds === undefined ? defaultServiceTokenTtlSeconds : body.ttlSeconds,
        label: body.label ?? '',
      });
      const response: ServiceAccountTokenCreated = {
        id: minted.id,
        token: minted.token,
        expiresAt: isoOrNull(minted.expiresAtMs),
      };
      return reply.code(201).header('cache-control', 'no-store').send(response);
    },
  );

  app.delete<{ Params: { id: string; tokenId: string } }>(
    '/api/v1/service-accounts/:id/tokens/:tokenId',
    { preHandler: requirePermission('service-accounts:delete') },
    async (request, reply) => {
      await deps.auth.revokeServiceAccountToken(
        contextOf(request),
        request.params.id,
        request.params.tokenId,
      );
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/audit', { preHandler: requirePermission('audit:read') }, async (request) => {
    const query = z
      .object({
        window: windowQuery('30d'),
        limit: limitQuery(200, 5000),
        action: z.string().max(64).optional(),
      })
      .parse(request.query);
    const entries = await deps.audit.list({
      sinceMs: deps.nowMs() - query.window,
      limit: query.limit,
      ...(query.action === undefined ? {} : { action: query.action }),
    });
    return { items: entries.map(auditView), nextCursor: null };
  });
}
