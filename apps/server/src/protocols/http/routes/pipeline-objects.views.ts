import type {
  GroupView,
  ObjectRef,
  PipelineView,
  RouteView,
  SourceView,
} from '@linkmesh/contracts/pipelines-api';
import type { Group, Pipeline, Route } from '@linkmesh/pipelines/model';
import { secretFieldsOf } from '@linkmesh/pipelines/secrets';
import type { ObjectSnapshot } from '../../../domain/pipelines/object-snapshot.ts';
import { maskSecrets } from '../../../domain/pipelines/object-secrets.ts';
import type { StoredObject } from '../../../domain/pipelines/pipeline-object.types.ts';
import { iso } from '../views.ts';

/** What the views need besides the object: who uses it, how many collectors a route or group reaches. */
export interface ViewContext {
  readonly snapshot: ObjectSnapshot;
  readonly routeTargets: (route: Route) => number;
  readonly groupMembers: (groupId: string) => number;
  readonly routeRefusals: (routeId: string) => RouteView['refusals'];
}

export type ObjectView = SourceView | PipelineView | RouteView | GroupView;

export function objectView(object: StoredObject, context: ViewContext): ObjectView {
  const meta = {
    id: object.id,
    name: object.name,
    revision: object.revision,
    createdAt: iso(object.createdAtMs),
    updatedAt: iso(object.updatedAtMs),
    updatedBy: object.updatedBy,
  };
  const spec = object.spec as Record<string, unknown>;
  switch (object.kind) {
    case 'source':
    case 'destination': {
      const type = String(spec.type);
      const { config, secrets } = maskSecrets(spec.config, secretFieldsOf(object.kind, type) ?? []);
      return {
        ...meta,
        type,
        config: config as Record<string, unknown>,
        secrets,
        usedBy: usedBy(context.snapshot, object.id),
      };
    }
    case 'pipeline': {
      const pipeline = spec as unknown as Pipeline;
      return {
        ...meta,
        ...(pipeline.description === undefined ? {} : { description: pipeline.description }),
        processors: pipeline.processors.map((p) => ({
          type: p.type,
          config: p.config as Record<string, unknown>,
        })),
        ...(pipeline.outputFilter === undefined ? {} : { outputFilter: pipeline.outputFilter }),
        usedBy: usedBy(context.snapshot, object.id),
      };
    }
    case 'route': {
      const route = { ...(spec as unknown as Omit<Route, 'id'>), id: object.id };
      return {
        ...meta,
        sourceId: route.sourceId,
        ...(route.pipelineId === undefined ? {} : { pipelineId: route.pipelineId }),
        destinationIds: route.destinationIds,
        target: route.target,
        enabled: route.enabled,
        targetedCollectors: context.routeTargets(route),
        refusals: context.routeRefusals(object.id),
      };
    }
    case 'group': {
      const group = spec as unknown as Group;
      return {
        ...meta,
        matchers: group.matchers,
        collectorCount: context.groupMembers(object.id),
        usedBy: usedBy(context.snapshot, object.id),
      };
    }
  }
}

/** The routes that name this object (source, pipeline, destination or target group). */
export function usedBy(snapshot: ObjectSnapshot, id: string): ObjectRef[] {
  return snapshot.routes
    .filter(
      (r) =>
        r.sourceId === id ||
        r.pipelineId === id ||
        r.destinationIds.includes(id) ||
        r.target.groupIds.includes(id),
    )
    .map((r) => ({ id: r.id, name: r.name }));
}
