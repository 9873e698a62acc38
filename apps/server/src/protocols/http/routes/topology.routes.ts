import {
  topologyStreamErrorEvent,
  topologyStreamMinGapMs,
  type FleetTopologyView,
  type ThroughputChartView,
  type TopologyNodeDetailView,
  type TopologyView,
} from '@linkmesh/contracts/topology-api';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { TopologyChanges } from '../../../domain/topology/topology-changes.ts';
import type { TopologyService } from '../../../domain/topology/topology.service.ts';
import {
  defaultFleetViewCollectors,
  type FleetTopologyService,
} from '../../../domain/topology/fleet-topology.ts';
import { errorBody } from '../api-errors.ts';
import { requirePermission } from '../auth.hooks.ts';
import { sendEventStream } from '../event-stream.ts';
import { limitQuery, windowQuery } from './query.ts';

/** The fleet stream's updates are at least this far apart. */
const fleetStreamMinGapMs = 5_000;

type IdParams = { Params: { id: string } };

export interface TopologyRouteDeps {
  readonly fleet: FleetService;
  readonly topology: TopologyService;
  readonly fleetTopology: FleetTopologyService;
  readonly changes: TopologyChanges;
  /** Open live streams this server keeps at most; past it a new one gets 503. */
  readonly maxStreams: number;
  /** Streams re-read this often (changes made on another replica) and send a keep-alive. */
  readonly streamRefreshMs: number;
  /** Aborted when the server begins to shut down: every stream ends. */
  readonly closing: AbortSignal;
}

/**
 * A collector's topology (issue #12): the graph with rates and diagnosis, its live stream
 * (Server-Sent Events), one element's side-panel detail and the last-day chart.
 */
export function registerTopologyRoutes(app: FastifyInstance, deps: TopologyRouteDeps): void {
  const read = { preHandler: requirePermission('collectors:read') };
  const windowOnly = (fallback: string) => z.object({ window: windowQuery(fallback) });
  let openStreams = 0;

  app.get<IdParams>('/api/v1/collectors/:id/topology', read, async (request): Promise<TopologyView> => {
    const query = windowOnly('15m').parse(request.query);
    const collector = await deps.fleet.get(request.params.id);
    return deps.topology.ofCollector(collector, query.window);
  });

  app.get<IdParams>('/api/v1/collectors/:id/topology/stream', read, async (request, reply) => {
    const query = windowOnly('15m').parse(request.query);
    const collector = await deps.fleet.get(request.params.id);
    if (openStreams >= deps.maxStreams) return tooManyStreams(reply);
    openStreams += 1;
    reply.raw.once('close', () => (openStreams -= 1));
    return sendEventStream(request, reply, {
      event: 'topology',
      errorEvent: topologyStreamErrorEvent,
      // The record is read again each time: status, labels and telemetry times move.
      render: async () => deps.topology.ofCollector(await deps.fleet.get(collector.id), query.window),
      watch: (changed) => deps.changes.watchCollector(collector.id, changed),
      minGapMs: topologyStreamMinGapMs,
      refreshMs: deps.streamRefreshMs,
      closing: deps.closing,
    });
  });

  const fleetQuery = z.object({
    group: z.string().min(1).max(64).optional(),
    limit: limitQuery(defaultFleetViewCollectors, 5_000),
  });
  app.get('/api/v1/topology', read, async (request): Promise<FleetTopologyView> => {
    const query = fleetQuery.parse(request.query);
    return deps.fleetTopology.view({ groupId: query.group, limit: query.limit });
  });

  app.get('/api/v1/topology/stream', read, async (request, reply) => {
    const query = fleetQuery.parse(request.query);
    if (openStreams >= deps.maxStreams) return tooManyStreams(reply);
    openStreams += 1;
    reply.raw.once('close', () => (openStreams -= 1));
    return sendEventStream(request, reply, {
      event: 'topology',
      errorEvent: topologyStreamErrorEvent,
      render: () => deps.fleetTopology.view({ groupId: query.group, limit: query.limit }),
      watch: (changed) => deps.changes.watchFleet(changed),
      // A fleet commits many times a second: one update per few seconds is plenty.
      minGapMs: fleetStreamMinGapMs,
      refreshMs: deps.streamRefreshMs,
      closing: deps.closing,
    });
  });

  app.get<{ Params: { id: string; nodeId: string } }>(
    '/api/v1/collectors/:id/topology/nodes/:nodeId',
    read,
    async (request): Promise<TopologyNodeDetailView> => {
      const query = windowOnly('24h').parse(request.query);
      const collector = await deps.fleet.get(request.params.id);
      return deps.topology.nodeDetail(collector, request.params.nodeId, query.window);
    },
  );

  app.get<IdParams>(
    '/api/v1/collectors/:id/throughput/chart',
    read,
    async (request): Promise<ThroughputChartView> => {
      const query = windowOnly('24h').parse(request.query);
      const collector = await deps.fleet.get(request.params.id);
      return deps.topology.chart(collector, query.window);
    },
  );
}

export function tooManyStreams(reply: FastifyReply) {
  return reply
    .code(503)
    .header('retry-after', '30')
    .send(errorBody('unavailable', 'too many live topology streams are open on this server; retry later'));
}
