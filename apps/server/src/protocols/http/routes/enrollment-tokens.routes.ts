import type { FastifyInstance } from 'fastify';
import { enrollmentTokenCreateRequest, type EnrollmentTokenCreated } from '@linkmesh/contracts/api';
import { z } from 'zod';
import type { EnrollmentService } from '../../../domain/enrollment/enrollment.service.ts';
import { contextOf, requirePermission } from '../auth.hooks.ts';
import { enrollmentTokenView, iso } from '../views.ts';
import { limitQuery } from './query.ts';

export function registerEnrollmentTokenRoutes(
  app: FastifyInstance,
  deps: { enrollment: EnrollmentService },
): void {
  app.post(
    '/api/v1/enrollment-tokens',
    { preHandler: requirePermission('enrollment-tokens:create') },
    async (request, reply) => {
      const body = enrollmentTokenCreateRequest.parse(request.body ?? {});
      const minted = await deps.enrollment.mint(contextOf(request), { ttlSeconds: body.ttlSeconds });
      const response: EnrollmentTokenCreated = {
        id: minted.id,
        token: minted.token,
        expiresAt: iso(minted.expiresAtMs),
      };
      return reply.code(201).header('cache-control', 'no-store').send(response);
    },
  );

  app.get(
    '/api/v1/enrollment-tokens',
    { preHandler: requirePermission('enrollment-tokens:read') },
    async (request) => {
      const query = z.object({ limit: limitQuery(100, 1000) }).parse(request.query);
      const tokens = await deps.enrollment.list(query.limit);
      return { items: tokens.map(enrollmentTokenView), nextCursor: null };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/enrollment-tokens/:id',
    { preHandler: requirePermission('enrollment-tokens:delete') },
    async (request, reply) => {
      await deps.enrollment.revoke(contextOf(request), request.params.id);
      return reply.code(204).send();
    },
  );
}
