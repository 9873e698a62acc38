import { remotecfgBlock } from '@linkmesh/alloy/render';
import type { FastifyInstance } from 'fastify';
import {
  collectorCreateRequest,
  type CollectorDetailView,
  type CollectorTokenMinted,
} from '@linkmesh/contracts/api';
import { z } from 'zod';
import { rotateCollectorBearer } from '../../../domain/fleet/bearer-rotation.ts';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { ManagedAgentService } from '../../../domain/managed/managed-agent.service.ts';
import { HttpError } from '../api-errors.ts';
import { contextOf, requirePermission } from '../auth.hooks.ts';
import { collectorView, eventView } from '../views.ts';
import { decodeCursor, encodeCursor, limitQuery, windowQuery } from './query.ts';

type IdParams = { Params: { id: string } };

export function registerCollectorRoutes(
  app: FastifyInstance,
  deps: {
    fleet: FleetService;
    managed: ManagedAgentService;
    externalUrl: () => string;
    nowMs: () => number;
  },
): void {
  app.get('/api/v1/collectors', { preHandler: requirePermission('collectors:read') }, async (request) => {
    const query = z
      .object({
        limit: limitQuery(500, 5000),
        cursor: z.string().max(500).optional(),
        includeDeregistered: z.enum(['true', 'false']).default('false'),
      })
      .parse(request.query);
    let after: { createdAtMs: number; id: string } | undefined;
    if (query.cursor !== undefined) {
      const parts = decodeCursor(query.cursor);
      if (!parts || typeof parts[0] !== 'number' || typeof parts[1] !== 'string') {
        throw new HttpError(400, 'invalid', 'cursor is not one this server issued', 'cursor');
      }
      after = { createdAtMs: parts[0], id: parts[1] };
    }
    const collectors = await deps.fleet.list({
      limit: query.limit,
      includeDeregistered: query.includeDeregistered === 'true',
      ...(after ? { after } : {}),
    });
    const last = collectors.at(-1);
    return {
      items: collectors.map(collectorView),
      nextCursor:
        last && collectors.length === query.limit ? encodeCursor([last.createdAtMs, last.id]) : null,
    };
  });

  app.post(
    '/api/v1/collectors',
    { preHandler: requirePermission('collectors:create') },
    async (request, reply) => {
      const body = collectorCreateRequest.parse(request.body);
      const collector = await deps.fleet.createCollector(contextOf(request), body);
      return reply.code(201).send(collectorView(collector));
    },
  );

  app.get<IdParams>(
    '/api/v1/collectors/:id',
    { preHandler: requirePermission('collectors:read') },
    async (request): Promise<CollectorDetailView> => {
      const collector = await deps.fleet.get(request.params.id);
      const agent = collector.mode === 'managed' ? await deps.managed.view(collector.id) : null;
      return { ...collectorView(collector), agent };
    },
  );

  app.delete<IdParams>(
    '/api/v1/collectors/:id',
    { preHandler: requirePermission('collectors:delete') },
    async (request, reply) => {
      await deps.fleet.deregister(contextOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post<IdParams>(
    '/api/v1/collectors/:id/token',
    { preHandler: requirePermission('collectors:update') },
    async (request, reply) => {
      const collector = await deps.fleet.get(request.params.id);
      const token = await deps.fleet.mintBearer(contextOf(request), collector.id);
      const response: CollectorTokenMinted = {
        token,
        remotecfgSnippet:
          collector.runtime === 'alloy'
            ? remotecfgSnippet({ url: deps.externalUrl(), collectorId: collector.id, bearerToken: token })
            : null,
      };
      return reply.code(201).header('cache-control', 'no-store').send(response);
    },
  );

  app.post<IdParams>(
    '/api/v1/collectors/:id/rotate-token',
    { preHandler: requirePermission('collectors:update') },
    async (request, reply) => {
      const outcome = await rotateCollectorBearer(deps.fleet, contextOf(request), request.params.id);
      return reply
        .code(201)
        .header('cache-control', 'no-store')
        .send({
          delivery: outcome.delivery,
          delivered: outcome.delivered,
          graceSeconds: outcome.graceSeconds,
          token: outcome.token,
          remotecfgSnippet:
            outcome.token !== null && outcome.collector.runtime === 'alloy'
              ? remotecfgSnippet({
                  url: deps.externalUrl(),
                  collectorId: outcome.collector.id,
                  bearerToken: outcome.token,
                })
              : null,
        });
    },
  );

  app.get<IdParams>(
    '/api/v1/collectors/:id/events',
    { preHandler: requirePermission('collectors:read') },
    async (request) => {
      const query = z
        .object({
          window: windowQuery('7d'),
          limit: limitQuery(200, 1000),
          type: z.string().max(64).optional(),
        })
        .parse(request.query);
      const events = await deps.fleet.listEvents(request.params.id, {
        sinceMs: deps.nowMs() - query.window,
        limit: query.limit,
        ...(query.type === undefined ? {} : { types: query.type.split(',') as never[] }),
      });
      return { items: events.map(eventView), nextCursor: null };
    },
  );
}

/** The paste-ready `remotecfg` block shown once when an Alloy bearer is minted or rotated. */
function remotecfgSnippet(input: { url: string; collectorId: string; bearerToken: string }): string {
  return `${remotecfgBlock({ url: input.url, id: input.collectorId, bearerToken: input.bearerToken }).join('\n')}\n`;
}
