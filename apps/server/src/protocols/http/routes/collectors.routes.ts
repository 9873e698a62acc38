import { hostMetricsGap } from '../../../domain/telemetry/host-metrics-gap.ts';
import { remotecfgBlock } from '@linkmesh/alloy/render';
import type { FastifyInstance } from 'fastify';
import {
  collectorCreateRequest,
  defaultCollectorOrder,
  type CollectorDetailView,
  type CollectorListPage,
  type CollectorTokenMinted,
} from '@linkmesh/contracts/api';
import { z } from 'zod';
import { rotateCollectorBearer } from '../../../domain/fleet/bearer-rotation.ts';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { ManagedAgentService } from '../../../domain/managed/managed-agent.service.ts';
import { contextOf, requirePermission } from '../auth.hooks.ts';
import { collectorView, eventView } from '../views.ts';
import { collectorListQuery, fleetPage } from './collectors.query.ts';
import { encodeCursor, limitQuery, windowQuery } from './query.ts';

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
  app.get(
    '/api/v1/collectors',
    { preHandler: requirePermission('collectors:read') },
    async (request): Promise<CollectorListPage> => {
      const query = collectorListQuery.parse(request.query);
      const sort = query.sort;
      const order = query.order ?? defaultCollectorOrder[sort];
      const page = fleetPage(query.cursor, sort, order, deps.nowMs());
      const filter = {
        asOfMs: page.asOfMs,
        includeDeregistered: query.includeDeregistered === 'true',
        ...(query.q === undefined ? {} : { text: query.q }),
        ...(query.runtime === undefined ? {} : { runtimes: query.runtime }),
        ...(query.mode === undefined ? {} : { modes: query.mode }),
        ...(query.version === undefined ? {} : { versions: query.version }),
        ...(query.label === undefined ? {} : { labels: query.label }),
      };
      const items = await deps.fleet.listFleet({
        ...filter,
        ...(query.status === undefined ? {} : { statuses: query.status }),
        limit: query.limit,
        sort,
        order,
        ...(page.after ? { after: page.after } : {}),
      });
      const last = items.at(-1);
      return {
        items: items.map((item) => collectorView(item.collector, item)),
        nextCursor:
          last && items.length === query.limit
            ? sort === 'createdAt' && order === 'asc'
              ? encodeCursor([last.collector.createdAtMs, last.collector.id])
              : encodeCursor(['v1', sort, order, page.asOfMs, last.sortValue, last.collector.id])
            : null,
        statusCounts: query.counts === 'true' ? await deps.fleet.countFleetByStatus(filter) : null,
      };
    },
  );

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
      const item = await deps.fleet.fleetItem(request.params.id, deps.nowMs());
      const collector = item.collector;
      const agent = collector.mode === 'managed' ? await deps.managed.view(collector.id) : null;
      return {
        ...collectorView(collector, item),
        hostMetricsMissing: hostMetricsGap(collector, deps.nowMs()),
        agent,
      };
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
