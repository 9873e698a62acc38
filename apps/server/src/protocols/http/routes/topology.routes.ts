import type { TopologyView } from '@linkmesh/contracts/topology-api';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { TopologyService } from '../../../domain/topology/topology.service.ts';
import { requirePermission } from '../auth.hooks.ts';
import { windowQuery } from './query.ts';

/** `GET /api/v1/collectors/{id}/topology?window=15m` (issue #12 item 2). */
export function registerTopologyRoutes(
  app: FastifyInstance,
  deps: { fleet: FleetService; topology: TopologyService },
): void {
  app.get<{ Params: { id: string } }>(
    '/api/v1/collectors/:id/topology',
    { preHandler: requirePermission('collectors:read') },
    async (request): Promise<TopologyView> => {
      const query = z.object({ window: windowQuery('15m') }).parse(request.query);
      const collector = await deps.fleet.get(request.params.id);
      const { unclaimed: _unclaimed, ...view } = await deps.topology.ofCollector(collector, query.window);
      return view;
    },
  );
}
