import type {
  CatalogueEntryView,
  CatalogueView,
  ObjectList,
  PipelineObjectKind,
} from '@linkmesh/contracts/pipelines-api';
import { objectCollectionPath, objectKinds } from '@linkmesh/contracts/pipelines-api';
import { catalogue } from '@linkmesh/pipelines/catalogue/index';
import { groupMatches, routeTargets, type Route } from '@linkmesh/pipelines/model';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CollectorRenderer } from '../../../domain/collector-config/collector-renderer.ts';
import type { Collector } from '../../../domain/fleet/collector.types.ts';
import type { FleetService } from '../../../domain/fleet/fleet.service.ts';
import type { Action, Permission } from '../../../domain/auth/permissions.ts';
import { effectiveLabels } from '../../../domain/pipelines/effective-labels.ts';
import type { PipelineObjectsService } from '../../../domain/pipelines/pipeline-objects.service.ts';
import { invalid } from '../../../domain/shared/errors.ts';
import { contextOf, requirePermission } from '../auth.hooks.ts';
import { objectView, type ViewContext } from './pipeline-objects.views.ts';

type IdParams = { Params: { id: string } };

const labelsRequest = z
  .object({
    labels: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'a label name is letters, digits, _ . - (up to 128)'),
        z.string().max(1024),
      )
      .refine((labels) => Object.keys(labels).length <= 64, 'at most 64 labels'),
  })
  .strict();

interface Deps {
  readonly objects: PipelineObjectsService;
  readonly fleet: FleetService;
  readonly renderer: CollectorRenderer;
}

/**
 * The pipeline objects' REST API (issue #11 item 1): the same five verbs for sources,
 * destinations, pipelines, routes and groups, permission `<kind>s:<action>` each; the catalogue
 * the editors' forms are generated from; live group membership; operator labels.
 */
export function registerPipelineObjectRoutes(app: FastifyInstance, deps: Deps): void {
  for (const kind of objectKinds) registerKind(app, deps, kind);

  const catalogueView = catalogueOf();
  app.get('/api/v1/catalogue', () => Promise.resolve(catalogueView));

  app.get<IdParams>(
    '/api/v1/groups/:id/collectors',
    { preHandler: requirePermission('groups:read') },
    async (request) => {
      const group = await deps.objects.get('group', request.params.id);
      const matchers = (group.spec as { matchers: Parameters<typeof groupMatches>[0]['matchers'] }).matchers;
      const members = (await deps.fleet.liveCollectors()).filter((c) =>
        groupMatches({ matchers }, effectiveLabels(c)),
      );
      return {
        items: members.map((c) => ({
          id: c.id,
          name: c.name,
          runtime: c.runtime,
          status: c.status,
          labels: effectiveLabels(c),
        })),
      };
    },
  );

  app.get<IdParams>(
    '/api/v1/collectors/:id/labels',
    { preHandler: requirePermission('collectors:read') },
    async (request) => labelsView(await deps.fleet.get(request.params.id)),
  );

  app.put<IdParams>(
    '/api/v1/collectors/:id/labels',
    { preHandler: requirePermission('collectors:update') },
    async (request) => {
      const body = labelsRequest.parse(request.body);
      await deps.fleet.get(request.params.id);
      return labelsView(
        await deps.fleet.setOperatorLabels(contextOf(request), request.params.id, body.labels),
      );
    },
  );
}

function registerKind(app: FastifyInstance, deps: Deps, kind: PipelineObjectKind): void {
  const path = `/api/v1/${objectCollectionPath[kind]}`;
  const may = (action: Action) => requirePermission(`${objectCollectionPath[kind]}:${action}` as Permission);
  // Only routes and groups show how many collectors they reach: the others skip the fleet read.
  const views = () => viewContext(deps, kind === 'route' || kind === 'group');

  app.get(path, { preHandler: may('read') }, async () => {
    const [objects, context] = await Promise.all([deps.objects.list(kind), views()]);
    return { items: objects.map((o) => objectView(o, context)) } satisfies ObjectList<unknown>;
  });

  app.get<IdParams>(`${path}/:id`, { preHandler: may('read') }, async (request, reply) => {
    const object = await deps.objects.get(kind, request.params.id);
    void reply.header('etag', `"${object.revision}"`);
    return objectView(object, await views());
  });

  app.post(path, { preHandler: may('create') }, async (request, reply) => {
    const object = await deps.objects.create(contextOf(request), kind, request.body);
    void reply.code(201).header('etag', `"${object.revision}"`).header('location', `${path}/${object.id}`);
    return objectView(object, await views());
  });

  app.put<IdParams>(`${path}/:id`, { preHandler: may('update') }, async (request, reply) => {
    const object = await deps.objects.update(
      contextOf(request),
      kind,
      request.params.id,
      request.body,
      ifMatch(request),
    );
    void reply.header('etag', `"${object.revision}"`);
    return objectView(object, await views());
  });

  app.delete<IdParams>(`${path}/:id`, { preHandler: may('delete') }, async (request, reply) => {
    await deps.objects.delete(contextOf(request), kind, request.params.id, ifMatch(request));
    return reply.code(204).send();
  });
}

/** `If-Match: 3`, `"3"` or `W/"3"` → 3; absent → undefined (the write applies to whatever is current). */
function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) throw invalid('If-Match', 'If-Match must be the revision to update, e.g. If-Match: "3"');
  return Number(match[1]);
}

async function viewContext(deps: Deps, withCollectors: boolean): Promise<ViewContext> {
  const snapshot = await deps.objects.snapshot();
  const collectors = withCollectors ? await deps.fleet.liveCollectors() : [];
  const live = collectors.map((c) => ({
    id: c.id,
    name: c.name,
    labels: effectiveLabels(c),
  }));
  const names = new Map(live.map((c) => [c.id, c.name]));
  return {
    snapshot,
    routeTargets: (route: Route) => live.filter((c) => routeTargets(route, c, snapshot.groups)).length,
    groupMembers: (groupId) => snapshot.groupMembers(groupId, live).length,
    routeRefusals: (routeId) =>
      [...deps.renderer.refusalsOf(routeId)].map(([collectorId, message]) => ({
        collectorId,
        collectorName: names.get(collectorId) ?? collectorId,
        message,
      })),
  };
}

function labelsView(collector: Collector) {
  return {
    collectorId: collector.id,
    reported: { ...collector.labels },
    operator: { ...collector.operatorLabels },
    effective: effectiveLabels(collector),
  };
}

function catalogueOf(): CatalogueView {
  const view = (
    entry:
      | (typeof catalogue.sources)[number]
      | (typeof catalogue.processors)[number]
      | (typeof catalogue.destinations)[number],
  ): CatalogueEntryView => ({
    kind: entry.kind,
    type: entry.type,
    title: entry.title,
    signals: [...entry.signals],
    runtimes: { otelcol: entry.otelcol !== undefined, alloy: entry.alloy !== undefined },
    secretFields: [...entry.secretFields],
    configSchema: z.toJSONSchema(entry.configSchema, { io: 'input', unrepresentable: 'any' }),
  });
  return {
    sources: catalogue.sources.map(view),
    processors: catalogue.processors.map(view),
    destinations: catalogue.destinations.map(view),
  };
}
