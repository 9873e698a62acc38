import type { FastifyInstance } from 'fastify';
import type { ComponentRateView, ThroughputRowView } from '@linkmesh/contracts/api';
import { z } from 'zod';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { ThroughputQuery } from '../../../domain/telemetry/throughput.query.ts';
import { requirePermission } from '../auth.hooks.ts';
import { iso } from '../views.ts';
import { limitQuery, windowQuery } from './query.ts';

type IdParams = { Params: { id: string } };

/** Raw ComponentThroughput rows and the per-component rate view of one collector. */
export function registerThroughputRoutes(
  app: FastifyInstance,
  deps: { fleet: FleetService; throughput: ThroughputQuery },
): void {
  app.get<IdParams>(
    '/api/v1/collectors/:id/throughput',
    { preHandler: requirePermission('collectors:read') },
    async (request) => {
      const query = z
        .object({ window: windowQuery('15m'), limit: limitQuery(1000, 50_000) })
        .parse(request.query);
      const collector = await deps.fleet.get(request.params.id);
      const rows = await deps.throughput.rawRows(collector.id, {
        windowMs: query.window,
        limit: query.limit,
      });
      const items: ThroughputRowView[] = rows.map((row) => ({
        kind: row.kind,
        componentId: row.componentId,
        signal: row.signal,
        time: iso(row.timeUnixMs),
        startTime: row.startTimeUnixMs > 0 ? iso(row.startTimeUnixMs) : null,
        receivedAt: iso(row.receivedAtMs),
        counters: { ...row.counters },
      }));
      return { items, nextCursor: null };
    },
  );

  app.get<IdParams>(
    '/api/v1/collectors/:id/components',
    { preHandler: requirePermission('collectors:read') },
    async (request) => {
      const query = z
        .object({ window: windowQuery('15m'), buckets: z.coerce.number().int().min(1).max(240).default(30) })
        .parse(request.query);
      const collector = await deps.fleet.get(request.params.id);
      const components = await deps.throughput.components(collector.id, {
        windowMs: query.window,
        buckets: query.buckets,
      });
      const items: ComponentRateView[] = components.map((c) => ({
        kind: c.kind,
        componentId: c.componentId,
        signal: c.signal,
        recordsPerSec: c.recordsPerSec,
        errorsPerSec: c.errorsPerSec,
        incomingPerSec: c.incomingPerSec,
        droppedPerSec: c.droppedPerSec,
        queueSize: c.queueSize,
        queueCapacity: c.queueCapacity,
        sparkline: [...c.sparkline],
        errorSparkline: [...c.errorSparkline],
        samples: c.samples,
        restartsInWindow: c.restartsInWindow,
        lastSampleAt: iso(c.lastSampleAtMs),
      }));
      return { windowSeconds: query.window / 1000, buckets: query.buckets, items };
    },
  );
}
